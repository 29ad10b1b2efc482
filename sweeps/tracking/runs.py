"""One trial's child run: params, batched per-epoch metrics, artifacts and its final status."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from mlflow.entities import Metric, Param, RunTag

MAX_BATCH = 1000  # MLflow's limit of metrics per log_batch call
FLUSH_SECONDS = 10.0


def params_of(params: Mapping[str, Any]) -> list[Param]:
    """MLflow params from a mapping; values become strings."""
    return [Param(k, str(v)) for k, v in params.items()]


def tags_of(tags: Mapping[str, Any]) -> list[RunTag]:
    """MLflow tags from a mapping; values become strings."""
    return [RunTag(k, str(v)) for k, v in tags.items()]


class TrialRun:
    """A child run that buffers per-epoch metrics and writes them in batches."""

    def __init__(self, client: Any, run_id: str) -> None:
        self.client = client
        self.run_id = run_id
        self._pending: list[Metric] = []
        self._last_flush = time.monotonic()

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Log params in one call."""
        self.client.log_batch(self.run_id, params=params_of(params))

    def add_metrics(self, values: Mapping[str, float], step: int) -> None:
        """Buffer one step of metrics; flushes at most every few seconds."""
        now = int(time.time() * 1000)
        self._pending.extend(Metric(k, float(v), now, step) for k, v in values.items())
        if time.monotonic() - self._last_flush > FLUSH_SECONDS:
            self.flush()

    def flush(self, tags: Mapping[str, Any] | None = None) -> None:
        """Write buffered metrics (and optional tags) in as few calls as MLflow allows."""
        pending, self._pending = self._pending, []
        tag_list = tags_of(tags or {})
        for start in range(0, max(len(pending), 1), MAX_BATCH):
            chunk = pending[start : start + MAX_BATCH]
            if chunk or tag_list:
                self.client.log_batch(self.run_id, metrics=chunk, tags=tag_list)
            tag_list = []
        self._last_flush = time.monotonic()

    def log_json(self, obj: Any, name: str) -> None:
        """Store a JSON artifact."""
        self.client.log_dict(self.run_id, obj, name)

    def log_arrays(self, arrays: Mapping[str, np.ndarray], name: str) -> None:
        """Store arrays as one ``.npz`` artifact, written without pickle."""
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            with path.open("wb") as fh:
                np.savez(fh, allow_pickle=False, **arrays)
            self.client.log_artifact(self.run_id, str(path))

    def finish(
        self,
        status: str,
        metrics: Mapping[str, float] | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> None:
        """Flush, log final metrics and tags, and close the run with ``status``."""
        if metrics:
            self.add_metrics(metrics, step=0)
        self.flush(tags)
        self.client.set_terminated(self.run_id, status)

