"""Shared fixtures: real MLflow and Optuna stores in temp dirs, migrated once per session."""

from __future__ import annotations

import os
import shutil
import signal
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# CI must not be flaky: there, property tests draw the same examples every run.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


@pytest.fixture(scope="session", autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The session's own cache (the empty MLflow store template): never the user's."""
    saved = os.environ.get("SWEEPS_CACHE_DIR")
    os.environ["SWEEPS_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if saved is None:
        del os.environ["SWEEPS_CACHE_DIR"]
    else:
        os.environ["SWEEPS_CACHE_DIR"] = saved


@pytest.fixture(scope="session", autouse=True)
def _plotting_imported() -> None:
    """Import the plotting stack once, here. Sweeps draw their plots in forked children, which
    inherit it instead of importing matplotlib anew for every sweep a test concludes (about a
    second each); a one-shot ``sweeps run`` imports it once either way."""
    import optuna.visualization.matplotlib  # noqa: F401

    import sweeps.results.model_plots  # noqa: F401


@dataclass(frozen=True)
class Stores:
    """A fresh pair of local stores: MLflow's SQLite database and Optuna's, side by side."""

    root: Path
    tracking_uri: str
    storage_url: str

    def flags(self) -> list[str]:
        """CLI flags pointing a command at these stores."""
        return ["--tracking-uri", self.tracking_uri, "--storage", self.storage_url]

    def study_flags(self) -> list[str]:
        """The flag of commands that read only the study (``status``, ``dashboard``)."""
        return ["--storage", self.storage_url]


@pytest.fixture(scope="session")
def migrated_mlflow_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty MLflow SQLite store, migrated once (migration takes seconds)."""
    from mlflow import MlflowClient

    path = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    MlflowClient(tracking_uri=f"sqlite:///{path}").search_experiments()
    return path


@pytest.fixture
def stores(tmp_path: Path, migrated_mlflow_db: Path) -> Stores:
    """A copy of the migrated MLflow store and a path for a new Optuna study database."""
    root = tmp_path / "mlruns"
    root.mkdir()
    shutil.copy(migrated_mlflow_db, root / "mlflow.db")
    return Stores(root, f"sqlite:///{root / 'mlflow.db'}", f"sqlite:///{root / 'optuna.db'}")


@pytest.fixture(autouse=True)
def _no_leaked_tracking_uri() -> Iterator[None]:
    """A test that points MLflow somewhere must not move later tests' default store."""
    before = os.environ.get("MLFLOW_TRACKING_URI")
    yield
    after = os.environ.get("MLFLOW_TRACKING_URI")
    assert after == before, f"a test left MLFLOW_TRACKING_URI={after!r}: use monkeypatch.setenv"


@pytest.fixture(autouse=True)
def _restore_signal_handlers() -> Iterator[None]:
    """Commands install SIGINT/SIGTERM handlers and a warning printer; give pytest its own back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    show = warnings.showwarning  # the CLI prints warnings as one line
    yield
    warnings.showwarning = show
    for sig, handler in saved.items():
        signal.signal(sig, handler)
