"""Finished sweeps shared by the tests that read them (best, reproduce, champion).

Each sweep runs once per session against its own real stores (memoised here; test modules
wrap these functions in fixtures); tests add runs (reproductions) but never change the
sweep's trials.
"""

from __future__ import annotations

import shutil
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import pytest
from mlflow import MlflowClient

from tests.conftest import Stores
from tests.sweeps.helpers import run_cli, write_config

CHURN_CSV = Path(__file__).resolve().parents[2] / "conf" / "data" / "churn.csv"
TINY_STUDY = {
    "n_trials": 4,
    "pruner": {"type": "median", "options": {"n_startup_trials": 2, "n_warmup_steps": 2}},
    "enqueue": [
        {"learning_rate": 0.03, "batch_size": 32, "depth": 1, "width": 8},
        {"learning_rate": 0.01, "batch_size": 32, "depth": 2, "width": 8},
        {"learning_rate": 0.001, "batch_size": 64, "depth": 1, "width": 4},
    ],
}


@dataclass(frozen=True)
class Finished:
    """A sweep that ran to the end: its config file, stores and name."""

    config: Path
    stores: Stores
    name: str

    def study(self) -> optuna.Study:
        """The sweep's Optuna study, loaded afresh."""
        return optuna.load_study(study_name=self.name, storage=self.stores.storage_url)

    def client(self) -> MlflowClient:
        """A client on the sweep's tracking store."""
        return MlflowClient(tracking_uri=self.stores.tracking_uri)

    def run_id(self, number: int) -> str:
        """The MLflow run id of trial ``number``."""
        return self.study().trials[number].user_attrs["mlflow_run_id"]

    def champion(self) -> dict[str, Any]:
        """The champion the conclusion recorded on the study (``sweeps_champion``'s choice)."""
        return dict(self.study().user_attrs["sweeps_champion"]["choice"])

    def champion_run_id(self) -> str:
        """The champion's MLflow run id."""
        return str(self.study().user_attrs["sweeps_champion"]["run_id"])

    def numbers(self, state: str) -> list[int]:
        """Numbers of the trials in ``state`` (COMPLETE, PRUNED, ...)."""
        return [t.number for t in self.study().trials if t.state.name == state]


_DONE: dict[tuple[Path, str], Finished] = {}


def _sweep_once(
    factory: pytest.TempPathFactory, migrated: Path, name: str, **overrides: Any
) -> Finished:
    key = (factory.getbasetemp(), name)
    if key not in _DONE:
        _DONE[key] = _run_sweep(factory.mktemp(f"{name}-sweep"), migrated, name, **overrides)
    return _DONE[key]


def _run_sweep(root: Path, migrated: Path, name: str, **overrides: Any) -> Finished:
    """Run the sweep in ``root``; a data file named in ``overrides`` is copied there first."""
    db = root / "mlruns"
    db.mkdir()
    shutil.copy(migrated, db / "mlflow.db")
    stores = Stores(db, f"sqlite:///{db / 'mlflow.db'}", f"sqlite:///{db / 'optuna.db'}")
    if "path" in overrides.get("data", {}):
        source = Path(overrides["data"]["path"])
        shutil.copy(source, root / source.name)
        overrides["data"] = {**overrides["data"], "path": str(root / source.name)}
    config = write_config(root, name=name, **overrides)
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    return Finished(config, stores, name)


def tiny_sweep(factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Finished:
    """Breast cancer, 4 trials of 6 epochs: trials 0 and 1 COMPLETE, 2 and 3 PRUNED at epoch 2
    (median pruner; the first three trials are enqueued). Run once per session."""
    return _sweep_once(factory, migrated_mlflow_db, "tiny", study=TINY_STUDY)


def churn_sweep(factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Finished:
    """A copy of conf/data/churn.csv (text columns, missing values), 2 trials of 5 epochs; its
    winner is registered as model ``churn`` with the champion alias. Run once per session."""
    return _sweep_once(
        factory,
        migrated_mlflow_db,
        "churn",
        data={
            "source": "file",
            "path": str(CHURN_CSV),  # copied into the sweep's folder
            "target": "churned",
            "drop_columns": ["customer_id"],
        },
        model={"activation": "relu", "optimizer": "adam", "max_epochs": 5},
        space={"learning_rate": {"type": "float", "low": 1e-3, "high": 3e-2, "log": True}},
        study={"n_trials": 2, "pruner": {"type": "none"}},
    )
