"""Read-only look-ups in a tracking store: runs and experiments by name, searches, JSON
artifacts. Every MLflow failure becomes a named error of :mod:`sweeps.errors`."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from mlflow.entities import Run
from mlflow.exceptions import MlflowException

from sweeps.errors import ConfigError, RunNotFoundError, StoreError
from sweeps.infra.sqlite import BUSY_TIMEOUT_S, sqlite_file
from sweeps.infra.urls import redact
from sweeps.records import artifact_digest_tag
from sweeps.tracking.digests import MAX_JSON_BYTES, LoggedJson, verified_json
from sweeps.tracking.interface import RunRecord, TrackingStore

__all__ = ["experiment_named", "fetch_run", "refresh_statistics"]

PROGRESS_BAR = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"
#: Tables whose planner statistics decide how fast runs are filtered by tag and sorted by metric.
SEARCHED_TABLES = ("runs", "latest_metrics", "tags")
ANALYZE_FROM_RUNS = 1000
EXPERIMENTS_PAGE = 1000
#: Artifacts downloaded at once by :func:`read_arrays` (a server answers several at a time).
READ_THREADS = 4


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


def list_experiments(client: Any, uri: str) -> dict[str, str]:
    """Every active experiment of the store, name -> id (paged: one query per 1,000)."""
    found: dict[str, str] = {}
    token = None
    try:
        while True:
            page = client.search_experiments(max_results=EXPERIMENTS_PAGE, page_token=token)
            found.update({exp.name: exp.experiment_id for exp in page})
            token = page.token
            if not token:
                return found
    except MlflowException as exc:
        raise StoreError(f"listing experiments in {redact(uri)}: {exc.message}") from None


def record_of(run: Run) -> RunRecord:
    """An MLflow run as a plain :class:`RunRecord`."""
    info, data = run.info, run.data
    return RunRecord(
        run_id=info.run_id,
        experiment_id=info.experiment_id,
        name=info.run_name or info.run_id,
        status=info.status,
        tags=dict(data.tags),
        params=dict(data.params),
        metrics=dict(data.metrics),
        start_time=int(info.start_time or 0),
    )


def search_runs(
    client: Any,
    uri: str,
    experiment_id: str | Sequence[str],
    where: str,
    order_by: Sequence[str],
    limit: int,
) -> list[RunRecord]:
    """One ``search_runs`` page: runs of one experiment (or several) matching ``where``, sorted
    in the database."""
    ids = [experiment_id] if isinstance(experiment_id, str) else list(experiment_id)
    if not ids:
        return []
    try:
        runs = client.search_runs(
            ids, filter_string=where, order_by=list(order_by), max_results=limit
        )
    except MlflowException as exc:
        raise StoreError(f"searching runs in {redact(uri)}: {exc.message}") from None
    return [record_of(run) for run in runs]


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


def read_logged(client: Any, run_id: str, path: str) -> LoggedJson:
    """A JSON artifact of a run, checked against the digest the run recorded and parsed
    (:func:`~sweeps.tracking.digests.verified_json`); a missing one is a RunNotFoundError."""
    with tempfile.TemporaryDirectory(prefix="sweeps-read-") as tmp, no_progress_bar():
        try:
            local = Path(client.download_artifacts(run_id, path, tmp))
            too_big = local.stat().st_size > MAX_JSON_BYTES
            data = b"" if too_big else local.read_bytes()
            logged = client.get_run(run_id).data.tags.get(artifact_digest_tag(path))
        except (MlflowException, OSError):
            raise RunNotFoundError(f"run {run_id} has no readable artifact {path}") from None
    if too_big:
        raise ConfigError(f"run {run_id}: {path} is larger than {MAX_JSON_BYTES:,} bytes")
    return verified_json(run_id, path, data, logged)


def read_arrays(client: Any, run_ids: Sequence[str], path: str) -> dict[str, dict[str, Any]]:
    """The ``.npz`` artifact ``path`` of each run (numbers only: no pickle), read in parallel;
    runs without a readable one are left out."""
    with (
        tempfile.TemporaryDirectory(prefix="sweeps-read-") as tmp,
        no_progress_bar(),
        ThreadPoolExecutor(max_workers=READ_THREADS) as pool,
    ):
        found = pool.map(
            lambda i: _npz(client, run_ids[i], path, Path(tmp) / str(i)), range(len(run_ids))
        )
        return {
            run_id: arrays
            for run_id, arrays in zip(run_ids, found, strict=True)
            if arrays is not None
        }


def _npz(client: Any, run_id: str, path: str, folder: Path) -> dict[str, Any] | None:
    folder.mkdir()
    try:
        local = client.download_artifacts(run_id, path, str(folder))
        with np.load(local, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (MlflowException, OSError, ValueError):
        return None


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
