"""MLflow glue: the only package of sweeps that imports mlflow.

Callers use the interface (:class:`TrackingStore`, :class:`RunRecord`, :class:`RunWriter`) and
never MLflow itself: :class:`Tracker` implements it on an MLflow store (``MlflowClient`` with
explicit run ids, no fluent global state), :class:`MemoryTracker` in memory for fast tests.

Each name is imported with its module on first use (PEP 562), so a caller that needs only
the interface or :func:`resolve_tracking_uri` does not pay for importing MLflow (about a second).
Commands that only read a local SQLite store use :func:`open_reader` (plain SQL on MLflow's
tables, MLflow's client only for what it does not know) and never import MLflow at all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "DatasetRecord": "interface",
    "ModelVersion": "interface",
    "RunRecord": "interface",
    "RunWriter": "interface",
    "TrackingStore": "interface",
    "experiment_named": "named",
    "fetch_run": "named",
    "refresh_statistics": "planner",
    "MemoryTracker": "memory",
    "close_orphan_runs": "reaper",
    "close_stale_runs": "reaper",
    "TrialRun": "runs",
    "open_reader": "sqlite_reader",
    "Tracker": "store",
    "artifact_root_for": "uris",
    "open_existing": "store",
    "open_tracker": "store",
    "resolve_tracking_uri": "uris",
}

__all__ = [
    "DatasetRecord",
    "MemoryTracker",
    "ModelVersion",
    "RunRecord",
    "RunWriter",
    "Tracker",
    "TrackingStore",
    "TrialRun",
    "artifact_root_for",
    "close_orphan_runs",
    "close_stale_runs",
    "experiment_named",
    "fetch_run",
    "open_existing",
    "open_reader",
    "open_tracker",
    "refresh_statistics",
    "resolve_tracking_uri",
]


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"sweeps.tracking.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


if TYPE_CHECKING:  # for type checkers and readers: the same names, imported eagerly
    from sweeps.tracking.interface import (
        DatasetRecord,
        ModelVersion,
        RunRecord,
        RunWriter,
        TrackingStore,
    )
    from sweeps.tracking.memory import MemoryTracker
    from sweeps.tracking.named import experiment_named, fetch_run
    from sweeps.tracking.planner import refresh_statistics
    from sweeps.tracking.reaper import close_orphan_runs, close_stale_runs
    from sweeps.tracking.runs import TrialRun
    from sweeps.tracking.sqlite_reader import open_reader
    from sweeps.tracking.store import Tracker, open_existing, open_tracker
    from sweeps.tracking.uris import artifact_root_for, resolve_tracking_uri
