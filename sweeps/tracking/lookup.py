"""Read-only look-ups in a tracking store for ``sweeps best`` and ``sweeps reproduce``.

Every MLflow failure becomes a named error of :mod:`sweeps.errors`, and opening a local store
that does not exist is refused instead of creating (and migrating) an empty one.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mlflow.entities import Run
from mlflow.exceptions import MlflowException

from sweeps.errors import RunNotFoundError, StoreError
from sweeps.infra.sqlite import BUSY_TIMEOUT_S, sqlite_file
from sweeps.infra.urls import redact
from sweeps.tracking.store import Tracker

PROGRESS_BAR = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"
#: Tables whose planner statistics decide how fast runs are filtered by tag and sorted by metric.
SEARCHED_TABLES = ("runs", "latest_metrics", "tags")
ANALYZE_FROM_RUNS = 1000


def open_existing(uri: str) -> Tracker:
    """A tracker on an existing store; a missing local SQLite file is a RunNotFoundError."""
    db = sqlite_file(uri)
    if db is not None and not db.is_file():
        raise RunNotFoundError(f"no tracking store at {db} (give --tracking-uri)")
    return Tracker(uri)


def fetch_run(tracker: Tracker, run_id: str) -> Run:
    """The run ``run_id``; unknown or deleted ids raise RunNotFoundError."""
    try:
        run = tracker.client.get_run(run_id)
    except MlflowException:
        run = None
    if run is None or run.info.lifecycle_stage != "active":
        raise RunNotFoundError(f"no run {run_id!r} in tracking store {redact(tracker.uri)}")
    return run


def experiment_named(tracker: Tracker, name: str) -> str:
    """The id of experiment ``name``; RunNotFoundError when there is none."""
    experiment_id = tracker.experiment_id(name, create=False)
    if experiment_id is None:
        raise RunNotFoundError(f"no experiment {name!r} in tracking store {redact(tracker.uri)}")
    return experiment_id


def search(
    tracker: Tracker, experiment_id: str, where: str, order_by: list[str], max_results: int
) -> list[Run]:
    """One ``search_runs`` page: runs matching ``where``, sorted in the database."""
    try:
        return list(
            tracker.client.search_runs(
                [experiment_id],
                filter_string=where,
                order_by=order_by,
                max_results=max_results,
            )
        )
    except MlflowException as exc:
        raise StoreError(f"searching runs in {redact(tracker.uri)}: {exc.message}") from None


@contextmanager
def no_progress_bar() -> Iterator[None]:
    """Keep MLflow's artifact download progress bar off stderr."""
    saved = os.environ.get(PROGRESS_BAR)
    os.environ[PROGRESS_BAR] = "false"
    try:
        yield
    finally:
        if saved is None:
            del os.environ[PROGRESS_BAR]
        else:
            os.environ[PROGRESS_BAR] = saved


def read_json(tracker: Tracker, run_id: str, path: str) -> Any:
    """A JSON artifact of a run, parsed; a missing or broken one is a RunNotFoundError."""
    with tempfile.TemporaryDirectory(prefix="sweeps-read-") as tmp, no_progress_bar():
        try:
            local = tracker.client.download_artifacts(run_id, path, tmp)
            return json.loads(Path(local).read_text())
        except (MlflowException, OSError, ValueError):
            raise RunNotFoundError(f"run {run_id} has no readable artifact {path}") from None


def refresh_statistics(uri: str) -> bool:
    """Refresh SQLite's planner statistics of a local store when missing or outgrown.

    Without them SQLite plans MLflow's "sort runs by a metric" as a nested scan: ~5 s for
    10,000 runs instead of ~0.1 s. ``ANALYZE`` of the searched tables takes ~0.1 s there; it
    runs when the store holds at least 1,000 runs and twice as many as last analysed. It only
    writes statistics, never data. Returns whether it ran; other stores are left alone.
    """
    db = sqlite_file(uri)
    if db is None:
        return False
    try:  # mode=rw: never create a database that is not there
        conn = sqlite3.connect(f"file:{db}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error:
        return False
    try:
        runs = conn.execute("SELECT count(*) FROM runs").fetchone()[0]
        if runs < ANALYZE_FROM_RUNS or runs < 2 * _analysed_runs(conn):
            return False
        for table in SEARCHED_TABLES:
            conn.execute(f"ANALYZE {table}")
        conn.commit()
        return True
    except sqlite3.Error:  # e.g. a read-only copy: searches are slower, not wrong
        return False
    finally:
        conn.close()


def _analysed_runs(conn: sqlite3.Connection) -> int:
    """Rows of ``runs`` when it was last analysed (0: never)."""
    try:
        row = conn.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'runs' LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # no statistics table yet
        return 0
    return int(row[0].split()[0]) if row else 0
