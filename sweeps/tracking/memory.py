"""An in-memory tracking store with the same interface as the MLflow one, for fast tests of our own
code (the objective, winner selection). It understands the small part of MLflow's search
syntax sweeps uses: ``and``-joined equalities on tags and the status, ordering by a metric or
the start time. Never the only test of an integration: the MLflow store has its own tests.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sweeps.errors import RunNotFoundError
from sweeps.records import artifact_digest_tag, child_run_tags, parent_run_tags
from sweeps.tracking.digests import LoggedJson, json_text, sha256, verified_json
from sweeps.tracking.interface import DatasetRecord, ModelVersion, RunRecord

if TYPE_CHECKING:  # tables are only passed through: pandas loads with the data
    import pandas as pd

__all__ = ["MemoryTracker"]

CONDITION = re.compile(r"^(tags|attributes)\.`?([\w.]+)`?\s*=\s*(['\"])(.*)\3$")


@dataclass
class MemoryRunWriter:
    """A run being written to a :class:`MemoryTracker`."""

    store: MemoryTracker
    run_id: str

    def resolved_id(self, wait: bool = True) -> str | None:
        """The run's id (known at once)."""
        return self.run_id

    def on_id(self, callback: Callable[[str], None]) -> None:
        """Call ``callback`` with the run's id (known at once)."""
        callback(self.run_id)

    def add_metrics(self, values: Mapping[str, float], step: int) -> None:
        """Record one step of metrics (history and latest value)."""
        self.store.add_metrics(self.run_id, values, step)

    def flush(self) -> None:
        """Nothing is buffered: writes are immediate."""

    def add_json(self, obj: Any, name: str) -> None:
        """Store a JSON artifact (round-tripped through JSON, as a file would be)."""
        self.store.log_json(self.run_id, obj, name)

    def add_text(self, text: str, name: str) -> None:
        """Store a text artifact."""
        self.store.artifacts[self.run_id][name] = text

    def add_arrays(self, arrays: Mapping[str, np.ndarray], name: str) -> None:
        """Store copies of the arrays."""
        self.store.artifacts[self.run_id][name] = {k: np.array(v) for k, v in arrays.items()}

    def finish(
        self,
        status: str,
        metrics: Mapping[str, float] | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> None:
        """Log final metrics and tags, then close the run."""
        self.store.log_values(self.run_id, metrics, tags)
        self.store.end_run(self.run_id, status)

    def wait_written(self) -> None:
        """Nothing to wait for: writes are immediate."""


@dataclass
class MemoryTracker:
    """Experiments, runs, artifacts and registered models held in dictionaries."""

    uri: str = "memory://"
    experiment_ids: dict[str, str] = field(default_factory=dict)  # name -> id
    experiment_tags: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> tags
    runs: dict[str, RunRecord] = field(default_factory=dict)
    history: dict[str, list[tuple[str, float, int]]] = field(default_factory=dict)
    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    models: dict[str, list[ModelVersion]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # name -> champion version
    descriptions: dict[tuple[str, str], str] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=itertools.count)

    def experiment_id(self, name: str, create: bool = True) -> str | None:
        """The id of experiment ``name``, created if asked."""
        if name not in self.experiment_ids and create:
            self.experiment_ids[name] = str(len(self.experiment_ids) + 1)
        return self.experiment_ids.get(name)

    def experiments(self) -> dict[str, str]:
        """Every experiment: name -> id."""
        return dict(self.experiment_ids)

    def tag_experiment(self, experiment_id: str, tags: Mapping[str, str]) -> None:
        """Set tags on an experiment."""
        self.experiment_tags.setdefault(experiment_id, {}).update(tags)

    def create_parent(
        self, experiment_id: str, study_name: str, tags: dict[str, str], params: dict[str, str]
    ) -> str:
        """Open a sweep's parent run with its params; return its id."""
        tags = {**tags, **parent_run_tags(study_name)}
        return self._new_run(experiment_id, study_name, tags, params)

    def start_run(
        self,
        experiment_id: str,
        run_name: str,
        tags: Mapping[str, str],
        params: Mapping[str, Any],
        parent_run_id: str | None = None,
    ) -> MemoryRunWriter:
        """Open a run (a child of ``parent_run_id`` if given)."""
        if parent_run_id is not None:
            tags = child_run_tags(tags, parent_run_id)
        return MemoryRunWriter(self, self._new_run(experiment_id, run_name, tags, params))

    def create_child(
        self,
        experiment_id: str,
        run_name: str,
        tags: Mapping[str, str],
        params: Mapping[str, Any],
        parent_run_id: str,
    ) -> str:
        """Open a child run with its params; return its id."""
        return self.start_run(experiment_id, run_name, tags, params, parent_run_id).run_id

    def _new_run(
        self, experiment_id: str, name: str, tags: Mapping[str, Any], params: Mapping[str, Any]
    ) -> str:
        number = next(self._ids)
        run_id = f"run{number:04d}"
        self.runs[run_id] = RunRecord(
            run_id, experiment_id, name, "RUNNING",
            {k: str(v) for k, v in tags.items()}, {k: str(v) for k, v in params.items()},
            {}, number,
        )  # fmt: skip
        self.history[run_id], self.artifacts[run_id] = [], {}
        return run_id

    def run(self, run_id: str) -> RunRecord | None:
        """The run, or None."""
        return self.runs.get(run_id)

    def _update(self, run_id: str, **changes: Any) -> None:
        self.runs[run_id] = replace(self.runs[run_id], **changes)

    def reopen(self, run_id: str) -> None:
        """Mark a run RUNNING again."""
        self._update(run_id, status="RUNNING")

    def end_run(self, run_id: str, status: str) -> None:
        """Close a run with ``status``."""
        self._update(run_id, status=status)

    def add_metrics(self, run_id: str, values: Mapping[str, float], step: int) -> None:
        """Append to the metric history and update the latest values."""
        self.history[run_id] += [(k, float(v), step) for k, v in values.items()]
        metrics = {**self.runs[run_id].metrics, **{k: float(v) for k, v in values.items()}}
        self._update(run_id, metrics=metrics)

    def log_values(
        self,
        run_id: str,
        metrics: Mapping[str, float] | None = None,
        tags: Mapping[str, object] | None = None,
    ) -> None:
        """Log final metrics (step 0) and tags."""
        self.add_metrics(run_id, metrics or {}, 0)
        merged = {**self.runs[run_id].tags, **{k: str(v) for k, v in (tags or {}).items()}}
        self._update(run_id, tags=merged)

    def metric_history(self, run_id: str, key: str) -> list[tuple[int, float]]:
        """Every ``(step, value)`` logged for ``key``, by step."""
        return sorted((step, value) for name, value, step in self.history[run_id] if name == key)

    def log_history(self, run_id: str, key: str, points: Sequence[tuple[int, float]]) -> None:
        """Log ``(step, value)`` points of metric ``key``."""
        for step, value in points:
            self.add_metrics(run_id, {key: value}, step)

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        """Add params (values become strings)."""
        merged = {**self.runs[run_id].params, **{k: str(v) for k, v in params.items()}}
        self._update(run_id, params=merged)

    def log_json(self, run_id: str, obj: Any, path: str) -> None:
        """Store a JSON artifact as the text a file would hold, its digest as a tag."""
        text = json_text(obj)
        self.artifacts[run_id][path] = text
        self.log_values(run_id, tags={artifact_digest_tag(path): sha256(text)})

    def read_json(self, run_id: str, path: str) -> Any:
        """A stored JSON artifact, checked against its digest and parsed."""
        return self.read_logged(run_id, path).value

    def read_logged(self, run_id: str, path: str) -> LoggedJson:
        """:meth:`read_json`, saying whether its digest was on record."""
        text = self.artifacts.get(run_id, {}).get(path)
        if not isinstance(text, str):
            raise RunNotFoundError(f"run {run_id} has no readable artifact {path}")
        logged = self.runs[run_id].tags.get(artifact_digest_tag(path))
        return verified_json(run_id, path, text.encode(), logged)

    def read_arrays(self, run_ids: Sequence[str], path: str) -> dict[str, dict[str, Any]]:
        """Copies of the stored arrays of each run that has them."""
        found = {run_id: self.artifacts.get(run_id, {}).get(path) for run_id in run_ids}
        return {
            run_id: {k: np.array(v) for k, v in arrays.items()}
            for run_id, arrays in found.items()
            if isinstance(arrays, dict)
        }

    def delete_tags(self, run_id: str, keys: Sequence[str]) -> None:
        """Remove tags (absent ones are ignored)."""
        tags = {k: v for k, v in self.runs[run_id].tags.items() if k not in keys}
        self._update(run_id, tags=tags)

    def log_folder(self, run_id: str, folder: Path, artifact_path: str | None = None) -> None:
        """Store the names and bytes of the folder's files."""
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = str(file.relative_to(folder))
            self.artifacts[run_id][f"{artifact_path}/{name}" if artifact_path else name] = (
                file.read_bytes()
            )

    def log_table(self, run_id: str, table: pd.DataFrame, name: str) -> None:
        """Store a copy of the table."""
        self.artifacts[run_id][name] = table.copy()

    def log_datasets(self, run_id: str, records: Sequence[DatasetRecord]) -> None:
        """Store the dataset records."""
        self.artifacts[run_id]["datasets"] = list(records)

    def search(
        self,
        experiment_id: str | Sequence[str],
        where: str,
        order_by: Sequence[str],
        max_results: int,
    ) -> list[RunRecord]:
        """Runs of one experiment (or several) matching ``and``-joined equalities, sorted as
        MLflow would."""
        ids = {experiment_id} if isinstance(experiment_id, str) else set(experiment_id)
        conditions = [_condition(part) for part in re.split(r"\s+and\s+", where.strip()) if part]
        runs = [
            r for r in self.runs.values()
            if r.experiment_id in ids and all(c(r) for c in conditions)
        ]  # fmt: skip
        for key in reversed(list(order_by)):
            runs.sort(key=_order_key(key), reverse=key.upper().endswith("DESC"))
        return runs[:max_results]

    def log_model(self, run_id: str, model: Any, example: pd.DataFrame, output: Any) -> None:
        """Keep the fitted model object."""
        self.artifacts[run_id]["model"] = model

    def save_model(self, model: Any, example: pd.DataFrame, output: Any, folder: Path) -> None:
        """A folder standing for the model (the object itself is kept on upload)."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "MLmodel").write_text("memory")

    def log_saved_model(self, run_id: str, folder: Path, model: Any) -> None:
        """The model object becomes the run's model."""
        self.artifacts[run_id]["model"] = model

    def load_model(self, run_id: str, version_tags: Mapping[str, str] | None = None) -> Any:
        """The model object logged on ``run_id`` (kept in memory: nothing to check)."""
        return self.artifacts[run_id]["model"]

    def register(self, name: str, run_id: str, tags: Mapping[str, str]) -> str:
        """A new version of ``name``; its number."""
        versions = self.models.setdefault(name, [])
        versions.append(ModelVersion(str(len(versions) + 1), run_id, dict(tags)))
        return versions[-1].version

    def version_of_run(self, name: str, run_id: str) -> str | None:
        """The first version of ``name`` made from ``run_id``."""
        found = [v.version for v in self.models.get(name, []) if v.run_id == run_id]
        return found[0] if found else None

    def describe_version(self, name: str, version: str, text: str) -> None:
        """Keep the description beside the version."""
        self.descriptions[(name, version)] = text

    def champion(self, name: str) -> ModelVersion | None:
        """The version holding the champion alias."""
        version = self.aliases.get(name)
        return None if version is None else self.models[name][int(version) - 1]

    def champions(self) -> dict[str, ModelVersion]:
        """Every model's champion version."""
        return {name: self.models[name][int(v) - 1] for name, v in self.aliases.items()}

    def model_version(
        self, name: str, version: str | None = None, alias: str | None = None
    ) -> ModelVersion | None:
        """Version ``version`` of ``name``, or the champion (the only alias kept here)."""
        if alias is not None:
            return self.champion(name) if alias == "champion" else None
        versions = self.models.get(name, [])
        return next((v for v in versions if v.version == str(version)), None)

    def alias_champion(self, name: str, version: str) -> None:
        """Point the champion alias at ``version``."""
        self.aliases[name] = version

    @contextmanager
    def background(self, enabled: bool = True) -> Iterator[None]:
        """Nothing to offload: writes are immediate."""
        yield


def _condition(text: str) -> Any:
    match = CONDITION.match(text.strip())
    if match is None:
        raise ValueError(f"the memory store does not understand {text!r}")
    kind, key, _, value = match.groups()
    if kind == "tags":
        return lambda run: run.tags.get(key) == value
    return lambda run: str(getattr(run, key)) == value


def _order_key(text: str) -> Any:
    name = text.split()[0]
    if name.startswith("metrics."):
        metric = name.removeprefix("metrics.").strip("`")
        return lambda run: run.metrics.get(metric, float("inf"))
    attribute = name.removeprefix("attributes.")
    return lambda run: getattr(run, attribute)
