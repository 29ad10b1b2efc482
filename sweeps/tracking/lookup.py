"""Read-only look-ups through MLflow's client: experiments, searches, JSON and array artifacts.
Every MLflow failure becomes a named error of :mod:`sweeps.errors`."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from mlflow.entities import Run
from mlflow.exceptions import MlflowException

from sweeps.errors import RunNotFoundError, StoreError
from sweeps.infra.urls import redact
from sweeps.records import artifact_digest_tag
from sweeps.tracking.digests import LoggedJson, read_bounded, verified_json
from sweeps.tracking.interface import RunRecord

__all__: list[str] = []  # for the store's modules only

PROGRESS_BAR = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"
EXPERIMENTS_PAGE = 1000
#: Artifacts downloaded at once by :func:`read_arrays` (a server answers several at a time).
READ_THREADS = 4


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
            data = read_bounded(local)
            logged = client.get_run(run_id).data.tags.get(artifact_digest_tag(path))
        except (MlflowException, OSError):
            raise RunNotFoundError(f"run {run_id} has no readable artifact {path}") from None
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
