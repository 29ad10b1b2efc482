"""Load, split and preprocess a sweep's data once per process, as the config says."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import (
    DataError,
    PreparedData,
    Split,
    Table,
    load_builtin,
    load_file,
    load_generated,
    prepare,
    split_table,
)
from sweeps.config import BuiltinData, FileData, SweepConfig, Task, check_task
from sweeps.errors import ConfigError, InputDataError


@dataclass(frozen=True)
class SweepData:
    """Everything every trial trains on; the test rows stay inside ``table`` behind ``split``."""

    table: Table
    split: Split
    prepared: PreparedData

    @property
    def task(self) -> Task:
        """Classification or regression."""
        return self.table.task  # type: ignore[return-value]

    def fingerprint_tags(self) -> dict[str, str]:
        """Tags proving which bytes and which split rows a run saw."""
        tags = {
            "sweeps.data.fingerprint": self.table.fingerprint,
            "sweeps.data.name": self.table.name,
        }
        tags.update({f"sweeps.split.{k}": v for k, v in self.split.hashes().items()})
        tags["sweeps.split.seed"] = str(self.split.seed)
        return tags


def load_table(cfg: SweepConfig) -> Table:
    """Read the table the config names; data problems become :class:`InputDataError`."""
    data = cfg.data
    try:
        if isinstance(data, BuiltinData):
            return load_builtin(data.name)
        if isinstance(data, FileData):
            return load_file(
                data.path, target=data.target, task=data.task, drop_columns=data.drop_columns
            )
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


def load_sweep_data(cfg: SweepConfig, config_path: str = "<config>") -> SweepData:
    """Load, split and preprocess once; check the objective's metrics against the task."""
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
    except DataError as exc:
        raise InputDataError(str(exc)) from None
    return SweepData(table=table, split=split, prepared=prepared)
