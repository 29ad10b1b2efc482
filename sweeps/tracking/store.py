"""The tracking store: URI resolution, the sweep's experiment and its parent run."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from mlflow import MlflowClient
from mlflow.entities import Metric, Run
from mlflow.exceptions import MlflowException

from sweeps.errors import StoreError
from sweeps.infra.locks import file_lock
from sweeps.infra.sqlite import enable_wal, register_fast_commits, sqlite_file
from sweeps.infra.urls import redact
from sweeps.tracking.background import BackgroundWriter
from sweeps.tracking.runs import TrialRun, params_of, tags_of
from sweeps.tracking.timing import TimedClient

DEFAULT_TRACKING_URI = "sqlite:///mlruns/mlflow.db"
EXPERIMENT_KIND = {"mlflow.experimentKind": "custom_model_development"}


def resolve_tracking_uri(flag: str | None, configured: str | None) -> str:
    """``--tracking-uri``, else the config's, else ``MLFLOW_TRACKING_URI``, else the local store."""
    return flag or configured or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def artifact_root_for(uri: str, configured: str | None = None) -> str | None:
    """Where a new experiment keeps artifacts: beside a SQLite store, else the server decides."""
    if configured:
        return configured if urlparse(configured).scheme else Path(configured).resolve().as_uri()
    db = sqlite_file(uri)
    return (db.resolve().parent / "artifacts").as_uri() if db else None


def _create_client(uri: str) -> MlflowClient:
    """An MlflowClient; a new SQLite store is created and migrated under a file lock, since
    concurrent first-time migrations corrupt it."""
    db = sqlite_file(uri)
    if db is None:
        return MlflowClient(tracking_uri=uri)
    with file_lock(db.with_name(f"{db.name}.init.lock")):
        enable_wal(db)
        register_fast_commits(db)
        return MlflowClient(tracking_uri=uri)  # creating the client migrates the store


class Tracker:
    """A tracking store; every MLflow call is timed in ``client.seconds``.

    Inside :meth:`background`, runs opened by :meth:`start_run` write through a background
    writer process (``writer.seconds`` is the time the caller spent waiting for it).
    """

    def __init__(self, uri: str, artifact_location: str | None = None) -> None:
        self.uri = uri
        self.artifact_location = artifact_root_for(uri, artifact_location)
        self.writer: BackgroundWriter | None = None
        try:
            self.client = TimedClient(_create_client(uri))
        except MlflowException as exc:
            raise StoreError(f"tracking store {redact(uri)}: {exc.message}") from None

    def experiment_id(self, name: str, create: bool = True) -> str | None:
        """The id of experiment ``name``, created (tagged as model development) when missing."""
        exp = self.client.get_experiment_by_name(name)
        if exp is not None:
            return exp.experiment_id
        if not create:
            return None
        try:
            return self.client.create_experiment(
                name, artifact_location=self.artifact_location, tags=EXPERIMENT_KIND
            )
        except MlflowException:  # created meanwhile by another process
            exp = self.client.get_experiment_by_name(name)
            if exp is None:
                raise
            return exp.experiment_id

    def create_parent(
        self, experiment_id: str, study_name: str, tags: dict[str, str], params: dict[str, str]
    ) -> str:
        """Open the sweep's parent run and log its stable params; returns its run id."""
        run = self.client.create_run(
            experiment_id,
            run_name=study_name,
            tags={**tags, "sweeps.role": "parent", "sweeps.study": study_name},
        )
        self.client.log_batch(run.info.run_id, params=params_of(params))
        return run.info.run_id

    def get_run(self, run_id: str) -> Run:
        """Fetch a run by id."""
        return self.client.get_run(run_id)

    def run_exists(self, run_id: str) -> bool:
        """Whether ``run_id`` exists (and is not deleted) in this store."""
        try:
            return self.client.get_run(run_id).info.lifecycle_stage == "active"
        except MlflowException:
            return False

    def reopen(self, run_id: str) -> None:
        """Mark a parent run RUNNING again for a resumed sweep."""
        self.client.update_run(run_id, status="RUNNING")

    def end_run(self, run_id: str, status: str) -> None:
        """Close a run with ``status`` (FINISHED, KILLED or FAILED)."""
        self.client.set_terminated(run_id, status)

    def log_json(self, run_id: str, obj: Any, path: str) -> None:
        """Log ``obj`` as the JSON artifact ``path`` of the run."""
        self.client.log_dict(run_id, obj, path)

    def start_run(
        self,
        experiment_id: str,
        run_name: str,
        tags: Mapping[str, str],
        params: Mapping[str, Any],
        parent_run_id: str | None = None,
    ) -> TrialRun:
        """Open a run (a child of ``parent_run_id`` if given); params go with its first flush."""
        if parent_run_id is not None:
            tags = {**tags, "mlflow.parentRunId": parent_run_id, "sweeps.role": "trial"}
        if self.writer is not None and self.writer.ready:
            return TrialRun(
                self.writer, self.writer.open_run(experiment_id, run_name, tags), params
            )
        run = self.client.create_run(experiment_id, run_name=run_name, tags=dict(tags))
        return TrialRun(self.client, run.info.run_id, params)

    @contextmanager
    def background(self, enabled: bool = True) -> Iterator[None]:
        """Runs opened in this block write through a background process; on leaving, wait
        until it has written everything. A failed write raises :class:`StoreError` (only
        warns if the block is already raising)."""
        if not enabled:
            yield
            return
        self.writer = writer = BackgroundWriter(self.uri)
        try:
            yield
        except BaseException:
            self.writer = None
            try:
                writer.close()
            except StoreError as exc:
                warnings.warn(str(exc), RuntimeWarning, stacklevel=2)
            raise
        self.writer = None
        writer.close()


def open_tracker(configured: str | None, artifact_location: str | None = None) -> Tracker:
    """A tracker on the configured URI, else ``$MLFLOW_TRACKING_URI``, else the local store."""
    return Tracker(resolve_tracking_uri(None, configured), artifact_location)


def log_values(
    tracker: Tracker,
    run_id: str,
    metrics: dict[str, float] | None = None,
    tags: dict[str, object] | None = None,
) -> None:
    """Log final metrics (step 0) and tags on a run in one call."""
    now = int(time.time() * 1000)
    tracker.client.log_batch(
        run_id,
        metrics=[Metric(k, float(v), now, 0) for k, v in (metrics or {}).items()],
        tags=tags_of(tags or {}),
    )


def log_folder(tracker: Tracker, run_id: str, folder: Path, artifact_path: str) -> None:
    """Upload every file of ``folder`` under ``artifact_path``."""
    tracker.client.log_artifacts(run_id, str(folder), artifact_path)
