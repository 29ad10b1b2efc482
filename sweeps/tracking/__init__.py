"""MLflow glue: the only package of sweeps that imports mlflow.

Callers use the face (:class:`TrackingStore`, :class:`RunRecord`, :class:`RunWriter`) and
never MLflow itself: :class:`Tracker` implements it on an MLflow store (``MlflowClient`` with
explicit run ids, no fluent global state), :class:`MemoryTracker` in memory for fast tests.
"""

from sweeps.tracking.face import DatasetRecord, ModelVersion, RunRecord, RunWriter, TrackingStore
from sweeps.tracking.lookup import experiment_named, fetch_run, refresh_statistics
from sweeps.tracking.memory import MemoryTracker
from sweeps.tracking.reaper import close_stale_runs
from sweeps.tracking.runs import TrialRun
from sweeps.tracking.store import (
    Tracker,
    artifact_root_for,
    open_existing,
    open_tracker,
    resolve_tracking_uri,
)

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
    "close_stale_runs",
    "experiment_named",
    "fetch_run",
    "open_existing",
    "open_tracker",
    "refresh_statistics",
    "resolve_tracking_uri",
]
