"""The MLflow tracking store behind sweeps' tracking interface: URI resolution, experiments, runs,
artifacts and the model registry, through one ``MlflowClient`` with explicit run ids."""

from __future__ import annotations

import sqlite3
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlflow import MlflowClient
from mlflow.entities import Metric
from mlflow.exceptions import MlflowException

from sweeps.errors import RunNotFoundError, StoreError
from sweeps.infra import heap, timings
from sweeps.infra.databases import require_tool
from sweeps.infra.locks import file_lock
from sweeps.infra.sqlite import enable_wal, register_fast_commits, sqlite_file
from sweeps.infra.urls import redact
from sweeps.records import artifact_digest_tag, child_run_tags, ordered_tags, parent_run_tags
from sweeps.tracking.background import BackgroundWriter
from sweeps.tracking.datasets import log_datasets
from sweeps.tracking.digests import LoggedJson, json_text, sha256
from sweeps.tracking.failures import bound_http
from sweeps.tracking.interface import DatasetRecord, ModelVersion, RunRecord
from sweeps.tracking.lookup import (
    list_experiments,
    read_arrays,
    read_logged,
    record_of,
    search_runs,
)
from sweeps.tracking.models import (
    alias_champion,
    champion,
    champions,
    load_sklearn,
    log_pipeline,
    log_saved,
    model_version,
    register,
    save_pipeline,
)
from sweeps.tracking.probe import probe
from sweeps.tracking.runs import TrialRun, params_of, tags_of
from sweeps.tracking.template import copy_template, discard, is_new, keep_as_template
from sweeps.tracking.timing import TimedClient
from sweeps.tracking.uris import artifact_root_for, resolve_tracking_uri
from sweeps.tracking.versions import describe_version, version_of_run

if TYPE_CHECKING:  # tables are only passed through: pandas loads with the data
    import pandas as pd

BATCH_METRICS = 1000  # the most metrics MLflow takes in one log_batch
__all__ = ["Tracker", "open_existing", "open_tracker"]

EXPERIMENT_KIND = {"mlflow.experimentKind": "custom_model_development"}


def _create_client(uri: str) -> MlflowClient:
    """An MlflowClient; a new SQLite store is created under a file lock, since concurrent
    first-time migrations corrupt it: copied from the empty template when there is one
    (:mod:`~sweeps.tracking.template`), else migrated and then kept as the template."""
    db = sqlite_file(uri)
    if db is None:
        return MlflowClient(tracking_uri=uri, registry_uri=uri)
    with file_lock(db.with_name(f"{db.name}.init.lock")):
        new = is_new(db)
        copied = new and copy_template(db)
        try:
            client = _open_sqlite(db, uri)
        except (MlflowException, sqlite3.DatabaseError):
            if not copied:
                raise
            discard(db)  # a template MLflow does not accept: create the store anew
            client, copied = _open_sqlite(db, uri), False
        if new and not copied:
            keep_as_template(db)
        return client


def _open_sqlite(db: Path, uri: str) -> MlflowClient:
    enable_wal(db)
    register_fast_commits(db)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)  # creating it migrates the store
    client.search_experiments(max_results=1)  # a store MLflow refuses fails here, not later
    return client


class Tracker:
    """The MLflow implementation of :class:`~sweeps.tracking.interface.TrackingStore`; every MLflow
    call is timed in ``client.seconds``.

    Inside :meth:`background`, runs opened by :meth:`start_run` write through a background
    writer process (``writer.seconds`` is the time the caller spent waiting for it).
    """

    def __init__(self, uri: str, artifact_location: str | None = None) -> None:
        self.uri = uri
        self.artifact_location = artifact_root_for(uri, artifact_location)
        self.writer: BackgroundWriter | None = None
        bound_http()
        probe(uri)
        require_tool(uri, "mlflow")  # MLflow would migrate Optuna's database into its own
        try:
            with heap.importing():  # MLflow imports its store's modules now: a second's worth
                self.client = TimedClient(_create_client(uri), uri)
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

    def experiments(self) -> dict[str, str]:
        """Every active experiment: name -> id."""
        return list_experiments(self.client, self.uri)

    def tag_experiment(self, experiment_id: str, tags: Mapping[str, str]) -> None:
        """Set tags on an experiment (a shared view of its runs list, ...)."""
        for key, value in tags.items():
            self.client.set_experiment_tag(experiment_id, key, value)

    def create_parent(
        self, experiment_id: str, study_name: str, tags: dict[str, str], params: dict[str, str]
    ) -> str:
        """Open the sweep's parent run and log its stable params; returns its run id."""
        run = self.client.create_run(
            experiment_id,
            run_name=study_name,
            tags=ordered_tags({**tags, **parent_run_tags(study_name)}),
        )
        self.client.log_batch(run.info.run_id, params=params_of(params))
        return run.info.run_id

    def create_child(
        self,
        experiment_id: str,
        run_name: str,
        tags: Mapping[str, str],
        params: Mapping[str, Any],
        parent_run_id: str,
    ) -> str:
        """Open a child run of ``parent_run_id`` written at once (not through the background
        writer), with its params; return its id."""
        tags = child_run_tags(tags, parent_run_id)
        run = self.client.create_run(experiment_id, run_name=run_name, tags=dict(tags))
        self.client.log_batch(run.info.run_id, params=params_of(params))
        return run.info.run_id

    def run(self, run_id: str) -> RunRecord | None:
        """The run, or None when it does not exist (or was deleted)."""
        try:
            run = self.client.get_run(run_id)
        except MlflowException:
            return None
        return record_of(run) if run.info.lifecycle_stage == "active" else None

    def reopen(self, run_id: str) -> None:
        """Mark a parent run RUNNING again for a resumed sweep."""
        self.client.update_run(run_id, status="RUNNING")

    def end_run(self, run_id: str, status: str) -> None:
        """Close a run with ``status`` (FINISHED, KILLED or FAILED)."""
        self.client.set_terminated(run_id, status)

    def log_json(self, run_id: str, obj: Any, path: str) -> None:
        """Log ``obj`` as the JSON artifact ``path`` of the run, its digest as a run tag."""
        text = json_text(obj)
        self.client.log_text(run_id, text, path)
        self.client.set_tag(run_id, artifact_digest_tag(path), sha256(text))

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
            tags = child_run_tags(tags, parent_run_id)
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
        with timings.phase("writer.drain"):  # what was still queued when the block ended
            writer.close()
        timings.add("writer.waits", writer.seconds)  # the worker blocked on the writer

    def log_values(
        self,
        run_id: str,
        metrics: Mapping[str, float] | None = None,
        tags: Mapping[str, object] | None = None,
    ) -> None:
        """Log final metrics (step 0) and tags on a run in one call."""
        now = int(time.time() * 1000)
        self.client.log_batch(
            run_id,
            metrics=[Metric(k, float(v), now, 0) for k, v in (metrics or {}).items()],
            tags=tags_of(tags or {}),
        )

    def metric_history(self, run_id: str, key: str) -> list[tuple[int, float]]:
        """Every ``(step, value)`` logged for metric ``key``, by step."""
        history = self.client.get_metric_history(run_id, key)
        return sorted((int(m.step), float(m.value)) for m in history)

    def log_history(self, run_id: str, key: str, points: Sequence[tuple[int, float]]) -> None:
        """Log ``(step, value)`` points of metric ``key`` (MLflow takes 1,000 per batch)."""
        now = int(time.time() * 1000)
        metrics = [Metric(key, float(value), now, int(step)) for step, value in points]
        for start in range(0, len(metrics), BATCH_METRICS):
            self.client.log_batch(run_id, metrics=metrics[start : start + BATCH_METRICS])

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        """Log params (values become strings)."""
        self.client.log_batch(run_id, params=params_of(params))

    def read_json(self, run_id: str, path: str) -> Any:
        """A JSON artifact of a run, checked against its digest and parsed (RunNotFoundError
        when missing, ConfigError when changed since it was logged or unusable)."""
        return read_logged(self.client, run_id, path).value

    def read_logged(self, run_id: str, path: str) -> LoggedJson:
        """:meth:`read_json`, saying whether the run had recorded the file's digest."""
        return read_logged(self.client, run_id, path)

    def read_arrays(self, run_ids: Sequence[str], path: str) -> dict[str, dict[str, Any]]:
        """The ``.npz`` artifact ``path`` of each run, as arrays (runs without one left out)."""
        return read_arrays(self.client, list(run_ids), path)

    def delete_tags(self, run_id: str, keys: Sequence[str]) -> None:
        """Remove tags from a run (absent ones are ignored)."""
        present = self.client.get_run(run_id).data.tags
        for key in keys:
            if key in present:
                self.client.delete_tag(run_id, key)

    def log_folder(self, run_id: str, folder: Path, artifact_path: str | None = None) -> None:
        """Upload every file of ``folder`` (under ``artifact_path``)."""
        self.client.log_artifacts(run_id, str(folder), artifact_path)

    def log_table(self, run_id: str, table: pd.DataFrame, name: str) -> None:
        """Log a table as the CSV artifact ``name``."""
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            table.to_csv(path, index=False)
            self.client.log_artifact(run_id, str(path))

    def log_datasets(self, run_id: str, records: Sequence[DatasetRecord]) -> None:
        """Record the data splits a run used as its dataset inputs."""
        log_datasets(self.client, run_id, records)

    def search(
        self,
        experiment_id: str | Sequence[str],
        where: str,
        order_by: Sequence[str],
        max_results: int,
    ) -> list[RunRecord]:
        """Runs of one experiment (or several) matching an MLflow filter string, sorted in the
        database."""
        return search_runs(self.client, self.uri, experiment_id, where, order_by, max_results)

    def log_model(self, run_id: str, model: Any, example: pd.DataFrame, output: Any) -> None:
        """Save the fitted pipeline under the run's ``model/`` artifacts (skops, no pickle)."""
        log_pipeline(self.client, run_id, model, example, output)

    def save_model(self, model: Any, example: pd.DataFrame, output: Any, folder: Path) -> None:
        """Write the model folder :meth:`log_model` would upload (no store touched)."""
        save_pipeline(model, example, output, folder)

    def log_saved_model(self, run_id: str, folder: Path, model: Any) -> None:
        """Upload a folder made by :meth:`save_model` as the run's model."""
        log_saved(self.client, run_id, folder)

    def load_model(self, run_id: str, version_tags: Mapping[str, str] | None = None) -> Any:
        """The scikit-learn pipeline logged on ``run_id``, its files checked against the digest
        on the model version whose tags are given, else on the run."""
        return load_sklearn(self.client, run_id, version_tags)

    def register(self, name: str, run_id: str, tags: Mapping[str, str]) -> str:
        """A new version of registered model ``name`` from the run's model; its number."""
        return register(self.client, name, run_id, tags)

    def version_of_run(self, name: str, run_id: str) -> str | None:
        """The version of registered model ``name`` made from ``run_id``, if any."""
        return version_of_run(self.client, name, run_id)

    def describe_version(self, name: str, version: str, text: str) -> None:
        """Set the description of a model version."""
        describe_version(self.client, name, version, text)

    def champion(self, name: str) -> ModelVersion | None:
        """The version holding the champion alias of ``name``, if any."""
        return champion(self.client, name)

    def champions(self) -> dict[str, ModelVersion]:
        """Every registered model that has a champion: name -> its champion version."""
        return champions(self.client)

    def model_version(
        self, name: str, version: str | None = None, alias: str | None = None
    ) -> ModelVersion | None:
        """Version ``version`` of registered model ``name``, or the one holding ``alias``."""
        return model_version(self.client, name, version, alias)

    def alias_champion(self, name: str, version: str) -> None:
        """Point the champion alias of ``name`` at ``version``."""
        alias_champion(self.client, name, version)


def open_tracker(configured: str | None, artifact_location: str | None = None) -> Tracker:
    """A tracker on the configured URI, else ``$MLFLOW_TRACKING_URI``, else the local store."""
    return Tracker(resolve_tracking_uri(None, configured), artifact_location)


def open_existing(uri: str) -> Tracker:
    """A tracker on an existing store; a missing local SQLite file is a RunNotFoundError
    (opening it would create and migrate an empty store)."""
    db = sqlite_file(uri)
    if db is not None and not db.is_file():
        raise RunNotFoundError(f"no tracking store at {db} (give --tracking-uri)")
    return Tracker(uri)
