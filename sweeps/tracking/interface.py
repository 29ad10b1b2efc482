"""What the rest of sweeps may ask of a tracking store: the one interface of :mod:`sweeps.tracking`.

Two implementations: :class:`~sweeps.tracking.store.Tracker` (MLflow: a local SQLite store
or a tracking server) and :class:`~sweeps.tracking.memory.MemoryTracker` (in memory, for
fast tests of our own code; never the only test of an integration). Runs come back as plain
:class:`RunRecord` values, never as MLflow entities.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from sweeps.tracking.digests import LoggedJson

if TYPE_CHECKING:  # tables are only passed through: pandas loads with the data
    import pandas as pd

__all__ = ["DatasetRecord", "ModelVersion", "RunRecord", "RunWriter", "TrackingStore"]


@dataclass(frozen=True)
class RunRecord:
    """One run as stored: ids, name, status and its latest params, tags and metrics."""

    run_id: str
    experiment_id: str
    name: str
    status: str
    tags: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    start_time: int = 0


@dataclass(frozen=True)
class DatasetRecord:
    """One split of the sweep's data as the store lists it, with our full-data digest."""

    name: str
    sha256: str
    split_sha256: str
    rows: int
    source: str


@dataclass(frozen=True)
class ModelVersion:
    """A registered model version: its number, the run it came from, its tags."""

    version: str
    run_id: str
    tags: dict[str, str] = field(default_factory=dict)


class RunWriter(Protocol):
    """A run being written: buffered per-step metrics, staged artifacts, a final status."""

    def resolved_id(self, wait: bool = True) -> str | None:
        """The run's id (None while a background writer has not created it, if not waiting)."""

    def on_id(self, callback: Callable[[str], None]) -> None:
        """Call ``callback`` once with the run's id, as soon as it is known: at once, or when a
        background writer has created the run (seen as metrics are added; waited for, at the
        latest, when the run finishes)."""

    def add_metrics(self, values: Mapping[str, float], step: int) -> None:
        """Buffer one step of metrics."""

    def flush(self) -> None:
        """Write what is buffered now (params included)."""

    def add_json(self, obj: Any, name: str) -> None:
        """Stage a JSON artifact (its digest is tagged when the run finishes)."""

    def add_text(self, text: str, name: str) -> None:
        """Stage a text artifact."""

    def add_arrays(self, arrays: Mapping[str, np.ndarray], name: str) -> None:
        """Stage arrays as one ``.npz`` artifact."""

    def finish(
        self,
        status: str,
        metrics: Mapping[str, float] | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> None:
        """Write everything buffered and staged, then close the run with ``status``."""

    def wait_written(self) -> None:
        """Return once everything handed over for the run is in the store; raise
        :class:`~sweeps.errors.StoreError` if a write failed."""


class TrackingStore(Protocol):
    """Experiments, runs, artifacts and registered models, as sweeps uses them."""

    uri: str

    def experiment_id(self, name: str, create: bool = True) -> str | None:
        """The id of experiment ``name`` (created, tagged as model development, if asked)."""

    def experiments(self) -> dict[str, str]:
        """Every active experiment: name -> id."""

    def tag_experiment(self, experiment_id: str, tags: Mapping[str, str]) -> None:
        """Set tags on an experiment (a shared view of its runs list, ...)."""

    def create_parent(
        self, experiment_id: str, study_name: str, tags: dict[str, str], params: dict[str, str]
    ) -> str:
        """Open a sweep's parent run with its stable params; return its id."""

    def start_run(
        self,
        experiment_id: str,
        run_name: str,
        tags: Mapping[str, str],
        params: Mapping[str, Any],
        parent_run_id: str | None = None,
    ) -> RunWriter:
        """Open a run (a child of ``parent_run_id`` if given)."""

    def create_child(
        self,
        experiment_id: str,
        run_name: str,
        tags: Mapping[str, str],
        params: Mapping[str, Any],
        parent_run_id: str,
    ) -> str:
        """Open a child run written at once, with its params; return its id."""

    def run(self, run_id: str) -> RunRecord | None:
        """The run, or None when it does not exist (or was deleted)."""

    def reopen(self, run_id: str) -> None:
        """Mark a run RUNNING again (a resumed sweep's parent)."""

    def end_run(self, run_id: str, status: str) -> None:
        """Close a run with ``status`` (FINISHED, KILLED or FAILED)."""

    def log_values(
        self,
        run_id: str,
        metrics: Mapping[str, float] | None = None,
        tags: Mapping[str, object] | None = None,
    ) -> None:
        """Log final metrics (step 0) and tags."""

    def metric_history(self, run_id: str, key: str) -> list[tuple[int, float]]:
        """Every ``(step, value)`` logged for metric ``key``, by step."""

    def log_history(self, run_id: str, key: str, points: Sequence[tuple[int, float]]) -> None:
        """Log ``(step, value)`` points of metric ``key`` (a line MLflow draws by step)."""

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        """Log params (values become strings)."""

    def log_json(self, run_id: str, obj: Any, path: str) -> None:
        """Log ``obj`` as the JSON artifact ``path`` (its SHA-256 as the run's tag
        :func:`~sweeps.records.artifact_digest_tag`)."""

    def read_json(self, run_id: str, path: str) -> Any:
        """A JSON artifact, checked against the digest its run recorded and parsed
        (RunNotFoundError when missing; ConfigError when changed since it was logged, or
        unusable)."""

    def read_logged(self, run_id: str, path: str) -> LoggedJson:
        """:meth:`read_json`, saying whether the run had recorded the file's digest."""

    def read_arrays(self, run_ids: Sequence[str], path: str) -> dict[str, dict[str, np.ndarray]]:
        """The ``.npz`` artifact ``path`` of each run, as arrays (runs without one left out)."""

    def delete_tags(self, run_id: str, keys: Sequence[str]) -> None:
        """Remove tags from a run (absent ones are ignored)."""

    def log_folder(self, run_id: str, folder: Path, artifact_path: str | None = None) -> None:
        """Upload every file of ``folder`` (under ``artifact_path``)."""

    def log_table(self, run_id: str, table: pd.DataFrame, name: str) -> None:
        """Log a table as the CSV artifact ``name``."""

    def log_datasets(self, run_id: str, records: Sequence[DatasetRecord]) -> None:
        """Record the data splits a run used as its dataset inputs."""

    def search(
        self,
        experiment_id: str | Sequence[str],
        where: str,
        order_by: Sequence[str],
        max_results: int,
    ) -> list[RunRecord]:
        """Runs of one experiment (or several) matching an MLflow filter string, sorted by the
        store."""

    def log_model(self, run_id: str, model: Any, example: pd.DataFrame, output: Any) -> None:
        """Save a fitted scikit-learn pipeline as the run's model (pickle-free)."""

    def save_model(self, model: Any, example: pd.DataFrame, output: Any, folder: Path) -> None:
        """Write the model folder :meth:`log_model` would upload, touching no store (a forked
        child may call it)."""

    def log_saved_model(self, run_id: str, folder: Path, model: Any) -> None:
        """Upload a folder made by :meth:`save_model` as the run's model (``model``: the object
        it holds, for a store that keeps objects)."""

    def load_model(self, run_id: str, version_tags: Mapping[str, str] | None = None) -> Any:
        """The scikit-learn pipeline logged on ``run_id``: its files must match the digest
        recorded on the model version whose ``version_tags`` are given, else on the run
        (:class:`~sweeps.errors.UntrustedModelError` otherwise)."""

    def register(self, name: str, run_id: str, tags: Mapping[str, str]) -> str:
        """A new version of registered model ``name`` from the run's model; its number."""

    def version_of_run(self, name: str, run_id: str) -> str | None:
        """The version of registered model ``name`` made from ``run_id``, if any."""

    def describe_version(self, name: str, version: str, text: str) -> None:
        """Set the description of a model version."""

    def champion(self, name: str) -> ModelVersion | None:
        """The version holding the champion alias of ``name``, if any."""

    def champions(self) -> dict[str, ModelVersion]:
        """Every registered model that has a champion: name -> its champion version."""

    def model_version(
        self, name: str, version: str | None = None, alias: str | None = None
    ) -> ModelVersion | None:
        """Version ``version`` of registered model ``name``, or the one holding ``alias``;
        None when there is no such model or version."""

    def alias_champion(self, name: str, version: str) -> None:
        """Point the champion alias of ``name`` at ``version``."""

    def background(self, enabled: bool = True) -> AbstractContextManager[None]:
        """Write runs opened in the block through a background process (if ``enabled``)."""
