"""Load, split (and fold) and preprocess a sweep's data once per process, as the config says."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline import (
    DataError,
    Folds,
    PreparedData,
    Split,
    Table,
    TableDescription,
    kfold,
    load_builtin,
    load_file,
    load_generated,
    prepare,
    prepare_fold,
    split_table,
)
from pipeline.data.describe import describe_table
from sweeps.errors import ConfigError, InputDataError
from sweeps.infra.text import printable, wrapped
from sweeps.records import (
    DATA_FINGERPRINT_TAG,
    DATA_NAME_TAG,
    FOLDS_K_TAG,
    SPLIT_SEED_TAG,
    fold_tag,
    split_tag,
)
from sweeps.spec.limits import Limits, check_network
from sweeps.spec.schema import BuiltinData, FileData, SweepConfig, Task, check_task
from sweeps.spec.space import ParamSpec

__all__ = ["SweepData", "check_capacity", "load_sweep_data"]


@dataclass(frozen=True)
class SweepData:
    """Everything every trial trains on; the test rows stay inside ``table`` behind ``split``.

    ``prepared`` is the train/validation split (the winner is refitted on it); ``folds``, when
    trials are cross-validated, the K folds of the non-test rows, each with preprocessing
    fitted on its own training rows. ``notes`` say what was decided on the way (e.g. folds
    that ``auto`` could not use)."""

    table: Table
    split: Split
    prepared: PreparedData
    description: TableDescription
    folds: tuple[PreparedData, ...] = ()
    fold_rows: Folds | None = None
    notes: tuple[str, ...] = ()

    @property
    def task(self) -> Task:
        """Classification or regression."""
        return self.table.task  # type: ignore[return-value]

    @functools.cached_property
    def scored_rows(self) -> np.ndarray:
        """Row positions every complete trial predicts once, each from a model that did not
        train on it (its out-of-fold predictions): every non-test row with folds (each in its
        fold's held-out part), else the validation rows. Sorted."""
        if self.fold_rows is None:
            return np.sort(np.asarray(self.split.validation))
        return np.sort(np.concatenate([fold.validation for fold in self.fold_rows]))

    def held_out(self) -> list[tuple[np.ndarray, PreparedData]]:
        """Per fit of a trial (each fold, or the one split): the positions in
        :attr:`scored_rows` of the rows it holds out, and its prepared arrays."""
        if self.fold_rows is None:
            return [(np.searchsorted(self.scored_rows, self.split.validation), self.prepared)]
        return [
            (np.searchsorted(self.scored_rows, fold.validation), prepared)
            for fold, prepared in zip(self.fold_rows, self.folds, strict=True)
        ]

    @functools.cached_property
    def classes(self) -> np.ndarray | None:
        """The class labels of the non-test rows, sorted (None for regression)."""
        if self.task != "classification":
            return None
        prepared = self.prepared
        return np.unique(np.concatenate([prepared.y_train, prepared.y_val]))

    def scored_targets(self) -> np.ndarray:
        """The targets of :attr:`scored_rows`: class indices into :attr:`classes`, or values."""
        y = self.table.y.to_numpy()[self.scored_rows]
        if self.classes is None:
            return y.astype(np.float64)
        return np.searchsorted(self.classes, y)

    def fingerprint_tags(self) -> dict[str, str]:
        """Tags proving which bytes, which split rows and which folds a run saw."""
        tags = {DATA_FINGERPRINT_TAG: self.table.fingerprint, DATA_NAME_TAG: self.table.name}
        tags.update({split_tag(k): v for k, v in self.split.hashes().items()})
        tags[SPLIT_SEED_TAG] = str(self.split.seed)
        tags[FOLDS_K_TAG] = str(len(self.folds) or 1)
        if self.fold_rows is not None:
            tags.update({fold_tag(k): v for k, v in self.fold_rows.hashes().items()})
        return tags

    def lines(self) -> list[str]:
        """What a sweep prints before its first trial: the table, task, columns, features,
        notices, and how trials are scored; control characters of the table's own text
        (column names, levels) escaped, and lines longer than
        :data:`~sweeps.infra.text.WIDTH` wrapped onto indented continuation lines."""
        k = len(self.folds)
        sizes = self.split.sizes()
        non_test = sizes["train"] + sizes["validation"]
        scoring = f"{k}-fold cross-validation of the {non_test:,} non-test rows"
        rows = (
            f"{sizes['train']:,} train, {sizes['validation']:,} validation, {sizes['test']:,} test"
        )
        lines = [
            *self.description.lines(),
            f"split: {rows} rows",
            f"scoring: each trial on {scoring if k else 'the validation split'}",
            *(f"note: {note}" for note in self.notes),
        ]
        return [part for line in lines for part in wrapped(printable(line))]


def load_table(cfg: SweepConfig) -> Table:
    """Read the table the config names; data problems become :class:`InputDataError`."""
    data = cfg.data
    try:
        if isinstance(data, BuiltinData):
            return load_builtin(data.name)
        if isinstance(data, FileData):
            return _load_file(data)
        return load_generated(
            data.task,
            n_samples=data.n_samples,
            n_features=data.n_features,
            n_informative=data.n_informative,
            n_classes=data.n_classes,
            noise=data.noise,
            seed=data.seed,
        )
    except DataError as exc:
        raise InputDataError(str(exc)) from None


def _load_file(data: FileData) -> Table:
    return load_file(
        data.path,
        target=data.target,
        task=data.task,
        drop_columns=data.drop_columns,
        na_values=data.na_values,
        on_junk=data.on_junk,
        columns=data.columns or None,
        max_levels=data.max_levels,
        min_level_rows=data.min_level_rows,
    )


def load_sweep_data(cfg: SweepConfig, config_path: str = "<config>") -> SweepData:
    """Load, split, fold and preprocess once; check the objective's metrics against the task."""
    table = load_table(cfg)
    try:
        check_task(cfg, table.task)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ConfigError(f"{config_path}: {exc}") from None
    try:
        split = split_table(
            table, validation=cfg.split.validation, test=cfg.split.test, seed=cfg.split.seed
        )
        prepared = prepare(table, split)
        folds, notes = _folds(cfg, table, split)
    except DataError as exc:
        raise InputDataError(str(exc)) from None
    try:
        check_capacity(prepared, table.task, cfg.limits, cfg.model, cfg.space)
    except ValueError as exc:
        raise ConfigError(f"{config_path}: {exc}") from None
    description = describe_table(table, prepared.preprocessor)
    prepared_folds = tuple(prepare_fold(table, fold) for fold in folds or ())
    return SweepData(table, split, prepared, description, prepared_folds, folds, notes)


def _folds(cfg: SweepConfig, table: Table, split: Split) -> tuple[Folds | None, tuple[str, ...]]:
    """The folds the selection asks for (None: one split); ``auto`` falls back to one split,
    with a note, when the table cannot be folded (a class with too few rows)."""
    non_test = len(split.train) + len(split.validation)
    k = cfg.selection.folds_for(non_test)
    if k < 2:
        return None, ()
    try:
        return kfold(table, split, k=k, seed=cfg.split.seed), ()
    except DataError as exc:
        if cfg.selection.folds != "auto":
            raise
        return None, (f"selection.folds auto: one validation split instead of {k} folds ({exc})",)


def network_outputs(task: str, prepared: PreparedData) -> int:
    """The MLP's outputs for ``prepared``'s training target."""
    if task == "regression":
        return 1
    classes = int(np.unique(prepared.y_train).size)
    return 1 if classes == 2 else classes


def check_capacity(
    prepared: PreparedData,
    task: str,
    limits: Limits,
    model: Mapping[str, Any],
    space: Mapping[str, ParamSpec],
) -> None:
    """Raise ValueError naming the key unless the largest network ``model`` and ``space``
    allow fits ``limits`` on this data: its parameters for the model's real input width, and
    its activations for the most rows a fit sees (every non-test row, when refitted)."""
    rows = prepared.X_train.shape[0] + prepared.X_val.shape[0]
    outputs = network_outputs(task, prepared)
    check_network(limits, model, space, inputs=prepared.n_features, outputs=outputs, rows=rows)
