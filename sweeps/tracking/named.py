"""A run or an experiment by id or name, in any tracking store, or a named error (no MLflow
import: these work over the :class:`~sweeps.tracking.interface.TrackingStore` interface)."""

from __future__ import annotations

from sweeps.errors import RunNotFoundError
from sweeps.infra.urls import redact
from sweeps.tracking.interface import RunRecord, TrackingStore

__all__ = ["experiment_named", "fetch_run"]


def fetch_run(store: TrackingStore, run_id: str) -> RunRecord:
    """The run ``run_id``; unknown or deleted ids raise RunNotFoundError."""
    run = store.run(run_id)
    if run is None:
        raise RunNotFoundError(f"no run {run_id!r} in tracking store {redact(store.uri)}")
    return run


def experiment_named(store: TrackingStore, name: str) -> str:
    """The id of experiment ``name``; RunNotFoundError when there is none."""
    experiment_id = store.experiment_id(name, create=False)
    if experiment_id is None:
        raise RunNotFoundError(f"no experiment {name!r} in tracking store {redact(store.uri)}")
    return experiment_id
