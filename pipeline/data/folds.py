"""K folds over a split's non-test rows, for model selection more robust than one validation split.

The training and validation rows of a :class:`~pipeline.data.split.Split` are pooled and cut into
``k`` folds by scikit-learn's ``StratifiedKFold`` (classification: every class keeps its share in
every fold) or ``KFold`` (regression), shuffled by ``seed``. The test rows are never in a fold.
Fold ``i`` validates on its own rows and trains on the other folds' rows;
:func:`prepare_fold` fits the preprocessing on those training rows only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold

from pipeline.data.fingerprint import indices_sha256
from pipeline.data.preprocess import PreparedData, prepare_rows
from pipeline.data.split import Split
from pipeline.data.table import Table
from pipeline.errors import DataError


@dataclass(frozen=True, eq=False)
class Fold:
    """One fold: sorted, disjoint, read-only int64 row positions into ``table.X``."""

    index: int
    train: np.ndarray
    validation: np.ndarray

    def hashes(self) -> dict[str, str]:
        """``{"train": sha256, "validation": sha256}`` of the fold's row positions."""
        return {"train": indices_sha256(self.train), "validation": indices_sha256(self.validation)}


@dataclass(frozen=True, eq=False)
class Folds:
    """``k`` folds of a split's non-test rows; iterate over them or index them."""

    folds: tuple[Fold, ...]
    seed: int

    def __len__(self) -> int:
        """The number of folds, ``k``."""
        return len(self.folds)

    def __iter__(self) -> Iterator[Fold]:
        """The folds in order."""
        return iter(self.folds)

    def __getitem__(self, index: int) -> Fold:
        """Fold number ``index`` (from 0)."""
        return self.folds[index]

    def hashes(self) -> dict[str, str]:
        """``{"0.train": sha256, "0.validation": sha256, "1.train": ...}`` for fingerprint tags."""
        return {f"{f.index}.{part}": h for f in self.folds for part, h in f.hashes().items()}


def kfold(table: Table, split: Split, *, k: int = 5, seed: int = 0) -> Folds:
    """Cut the non-test rows of ``split`` into ``k`` folds, stratified for classification.

    The same table, split, ``k`` and ``seed`` give the same folds. Raises
    :class:`~pipeline.errors.DataError` for ``k`` below 2 or above the non-test rows, and for a
    class with fewer non-test rows than ``k`` (some fold would validate without it).
    """
    pool = np.union1d(split.train, split.validation).astype(np.int64)
    _check_k(table, k, pool)
    if table.task == "classification":
        labels = table.y.to_numpy()[pool]
        cutter: KFold | StratifiedKFold = StratifiedKFold(k, shuffle=True, random_state=seed)
        parts = cutter.split(pool, labels)
    else:
        parts = KFold(k, shuffle=True, random_state=seed).split(pool)
    folds = tuple(
        Fold(i, _frozen(pool[train]), _frozen(pool[held_out]))
        for i, (train, held_out) in enumerate(parts)
    )
    return Folds(folds, seed)


def prepare_fold(table: Table, fold: Fold, *, dtype: str = "float32") -> PreparedData:
    """The arrays of one fold, preprocessing fitted on the fold's training rows only."""
    return prepare_rows(table, fold.train, fold.validation, dtype=dtype)


def _check_k(table: Table, k: int, pool: np.ndarray) -> None:
    """Raise unless every fold can get rows (and, for classes, every class every fold)."""
    where = f"{table.name}: target column {table.target!r}"
    if isinstance(k, bool) or not isinstance(k, int) or not 2 <= k <= len(pool):
        raise DataError(
            f"{where}: k={k!r} folds; k must be an integer from 2 to {len(pool)}, "
            f"the training and validation rows"
        )
    if table.task != "classification":
        return
    classes, counts = np.unique(table.y.to_numpy()[pool], return_counts=True)
    if counts.min() < k:
        label, count = classes[np.argmin(counts)], int(counts.min())
        label = label.item() if isinstance(label, np.generic) else label
        raise DataError(
            f"{where}: class {label!r} has {count} training and validation row(s); "
            f"{k} stratified folds need at least {k} per class"
        )


def _frozen(rows: np.ndarray) -> np.ndarray:
    """Sorted int64 copy of ``rows``, read-only."""
    out = np.sort(rows.astype(np.int64))
    out.flags.writeable = False
    return out
