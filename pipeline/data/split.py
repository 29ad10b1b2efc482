"""Train / validation / test split: the only place where split boundaries exist.

Classification targets are stratified: every class keeps (close to) its share in every split and
appears at least once in each. Sizes are rounded half up: ``validation=0.15`` of 1,000 rows is
exactly 150 rows. One ``np.random.Generator`` seeded by ``seed`` draws everything, so a seed fixes
the split for a whole sweep and :meth:`Split.hashes` proves it later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipeline.data.fingerprint import indices_sha256
from pipeline.data.table import Table
from pipeline.errors import DataError

SPLITS = ("train", "validation", "test")


@dataclass(frozen=True, eq=False)
class Split:
    """Sorted, disjoint, read-only int64 row positions into ``table.X`` for each split."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    seed: int

    def hashes(self) -> dict[str, str]:
        """``{"train": sha256, "validation": ..., "test": ...}`` of each split's row positions."""
        return {name: indices_sha256(getattr(self, name)) for name in SPLITS}

    def sizes(self) -> dict[str, int]:
        """Number of rows in each split."""
        return {name: len(getattr(self, name)) for name in SPLITS}


def split_table(
    table: Table, *, validation: float = 0.15, test: float = 0.15, seed: int = 0
) -> Split:
    """Split ``table``'s rows into train, validation and test (stratified for classification).

    Raises :class:`~pipeline.errors.DataError` for fractions outside (0, 1) or summing to 1 or
    more, for too few rows to give every split a row (one per class for classification), and
    for a class with fewer than 3 rows.
    """
    where = f"{table.name}: target column {table.target!r}"
    _check_fractions(validation, test, where)
    n = len(table)
    n_val, n_test = _round_half_up(validation * n), _round_half_up(test * n)
    need = table.y.nunique() if table.task == "classification" else 1
    if min(n_val, n_test, n - n_val - n_test) < need:
        per = "row" if need == 1 else f"row per class ({need} classes)"
        raise DataError(
            f"{where}: {n} rows are too few for validation={validation} and test={test}: "
            f"the splits would get {n - n_val - n_test}/{n_val}/{n_test} rows "
            f"(train/validation/test); each needs at least 1 {per}"
        )
    rng = np.random.default_rng(seed)
    if table.task == "classification":
        parts = _stratified(table, n_val, n_test, rng, where)
    else:
        order = rng.permutation(n)
        parts = (order[n_val + n_test :], order[:n_val], order[n_val : n_val + n_test])
    train, val, tst = (_frozen_sorted(part) for part in parts)
    return Split(train=train, validation=val, test=tst, seed=seed)


def _check_fractions(validation: float, test: float, where: str) -> None:
    """Each fraction in the open interval (0, 1), and their sum below 1."""
    ok = all(0.0 < f < 1.0 for f in (validation, test)) and validation + test < 1.0
    if not ok:
        raise DataError(
            f"{where}: split fractions validation={validation} and test={test} must each be "
            f"in (0, 1) and sum below 1 (the rest is the training split)"
        )


def _stratified(
    table: Table, n_val: int, n_test: int, rng: np.random.Generator, where: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per class: shuffle its rows, then cut test, validation and train shares from them."""
    classes, codes, counts = np.unique(table.y.to_numpy(), return_inverse=True, return_counts=True)
    small = np.flatnonzero(counts < len(SPLITS))
    if small.size:
        label, count = classes[small[0]], counts[small[0]]
        raise DataError(
            f"{where}: class {label!r} has {count} row(s); stratifying into train, validation "
            f"and test needs at least {len(SPLITS)} rows per class"
        )
    test_counts = _apportion(n_test, counts, upper=counts - 2)
    val_counts = _apportion(n_val, counts, upper=counts - test_counts - 1)
    rows_by_class = np.split(np.argsort(codes, kind="stable"), np.cumsum(counts)[:-1])
    parts: tuple[list[np.ndarray], ...] = ([], [], [])
    for rows, n_t, n_v in zip(rows_by_class, test_counts, val_counts, strict=True):
        shuffled = rng.permutation(rows)
        parts[2].append(shuffled[:n_t])
        parts[1].append(shuffled[n_t : n_t + n_v])
        parts[0].append(shuffled[n_t + n_v :])
    return tuple(np.concatenate(p) for p in parts)  # type: ignore[return-value]


def _apportion(total: int, counts: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Share ``total`` rows among classes in proportion to ``counts``, each between 1 and ``upper``.

    Largest-remainder rounding, so the shares sum to ``total`` whenever the upper bounds allow
    it (only with tiny classes and large fractions do they not; the training split takes the rest).
    """
    ideal = total * counts / counts.sum()
    share = np.clip(np.floor(ideal).astype(np.int64), 1, upper)
    while share.sum() < total and (share < upper).any():
        room = np.where(share < upper, ideal - share, -np.inf)
        share[np.argmax(room)] += 1
    while share.sum() > total and (share > 1).any():
        excess = np.where(share > 1, ideal - share, np.inf)
        share[np.argmin(excess)] -= 1
    return share


def _round_half_up(x: float) -> int:
    """Round to the nearest integer, halves up (``0.15 * 100`` is 15, not 16 as ceil gives)."""
    return math.floor(x + 0.5)


def _frozen_sorted(rows: np.ndarray) -> np.ndarray:
    """Sorted int64 copy of ``rows``, made read-only so no one can move a boundary later."""
    out = np.sort(rows.astype(np.int64))
    out.flags.writeable = False
    return out
