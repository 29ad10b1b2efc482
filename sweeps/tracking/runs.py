"""One trial's child run: params, batched per-epoch metrics, artifacts and its final status.

A short trial costs four MLflow calls: create the run, one ``log_batch`` (params, metrics,
tags), one artifact upload and the final status. Long trials flush every few seconds so the UI
shows their curves while they train.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from mlflow.entities import Metric, Param, RunTag

from sweeps.errors import StoreError
from sweeps.records import artifact_digest_tag
from sweeps.tracking.digests import json_text, sha256
from sweeps.tracking.handles import PendingRun

__all__ = ["TrialRun"]

MAX_METRICS = 1000  # MLflow's limits per log_batch call
MAX_PARAMS = 100
FLUSH_SECONDS = 10.0


def params_of(params: Mapping[str, Any]) -> list[Param]:
    """MLflow params from a mapping; values become strings."""
    return [Param(k, str(v)) for k, v in params.items()]


def tags_of(tags: Mapping[str, Any]) -> list[RunTag]:
    """MLflow tags from a mapping; values become strings."""
    return [RunTag(k, str(v)) for k, v in tags.items()]


class TrialRun:
    """A child run that buffers params and per-epoch metrics and writes them in batches.

    ``client`` is an ``MlflowClient`` (through :class:`~sweeps.tracking.timing.TimedClient`)
    or a :class:`~sweeps.tracking.background.BackgroundWriter`, whose runs are named by a
    :class:`PendingRun` until the writer returns their id.
    """

    def __init__(self, client: Any, run_id: str | PendingRun, params: Mapping[str, Any]) -> None:
        self.client = client
        self.run_id = run_id
        self._params = params_of(params)
        self._metrics: list[Metric] = []
        self._last_flush = time.monotonic()
        self._folder = Path(tempfile.mkdtemp(prefix="sweeps-trial-"))
        self._digests: dict[str, str] = {}
        self._on_id: Callable[[str], None] | None = None

    def on_id(self, callback: Callable[[str], None]) -> None:
        """Call ``callback`` once with the run's id, as soon as the writer has returned it."""
        self._on_id = callback
        self._announce(wait=False)

    def _announce(self, wait: bool) -> None:
        if self._on_id is not None:
            run_id = self.resolved_id(wait)
            if run_id is not None:
                callback, self._on_id = self._on_id, None
                callback(run_id)

    def resolved_id(self, wait: bool = True) -> str | None:
        """The MLflow run id; None while the background writer has not created the run yet
        (only when ``wait`` is False)."""
        if isinstance(self.run_id, PendingRun):
            return self.client.run_id(self.run_id, wait)
        return self.run_id

    def add_metrics(self, values: Mapping[str, float], step: int) -> None:
        """Buffer one step of metrics; flushes when the last flush is a few seconds old."""
        self._announce(wait=False)
        now = int(time.time() * 1000)
        self._metrics.extend(Metric(k, float(v), now, step) for k, v in values.items())
        if time.monotonic() - self._last_flush > FLUSH_SECONDS:
            self.flush()

    def flush(self, tags: Mapping[str, Any] | None = None) -> None:
        """Write buffered params, metrics and ``tags`` in as few calls as MLflow allows."""
        params, self._params = self._params, []
        metrics, self._metrics = self._metrics, []
        tag_list = tags_of(tags or {})
        while params or metrics or tag_list:
            self.client.log_batch(
                self.run_id,
                metrics=metrics[:MAX_METRICS],
                params=params[:MAX_PARAMS],
                tags=tag_list,
            )
            params, metrics, tag_list = params[MAX_PARAMS:], metrics[MAX_METRICS:], []
        self._last_flush = time.monotonic()

    def add_json(self, obj: Any, name: str) -> None:
        """Stage a JSON artifact (uploaded by :meth:`finish`, its digest tagged then)."""
        text = json_text(obj)
        (self._folder / name).write_text(text)
        self._digests[artifact_digest_tag(name)] = sha256(text)

    def add_text(self, text: str, name: str) -> None:
        """Stage a text artifact (uploaded by :meth:`finish`)."""
        (self._folder / name).write_text(text)

    def add_arrays(self, arrays: Mapping[str, np.ndarray], name: str) -> None:
        """Stage arrays as one ``.npz`` artifact, written without pickle."""
        with (self._folder / name).open("wb") as fh:
            np.savez(fh, allow_pickle=False, **arrays)

    def finish(
        self,
        status: str,
        metrics: Mapping[str, float] | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> None:
        """Hand the run's id to :meth:`on_id`'s callback (a writer that died: the writes below
        fail), flush, upload staged artifacts (the client removes them), close the run with
        ``status``."""
        with contextlib.suppress(StoreError):
            self._announce(wait=True)
        try:
            if metrics:
                self.add_metrics(metrics, step=0)
            self.flush({**self._digests, **(tags or {})})
        except BaseException:
            shutil.rmtree(self._folder, ignore_errors=True)
            raise
        if any(self._folder.iterdir()):
            self.client.upload_and_remove(self.run_id, str(self._folder))
        else:
            self._folder.rmdir()
        self.client.set_terminated(self.run_id, status)

    def wait_written(self) -> None:
        """Return once everything handed over for this run is in the store (at once when
        written directly); a write that failed raises :class:`~sweeps.errors.StoreError`.

        A trial is reported COMPLETE to Optuna only after this: never one whose run's
        artifacts were lost (reproduce and the winner's packaging read them).
        """
        sync = getattr(type(self.client), "sync", None)
        if sync is not None:
            sync(self.client)
