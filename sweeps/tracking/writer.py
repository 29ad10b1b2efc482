"""The background tracking writer: a child process that performs a worker's MLflow writes.

Forked by :class:`sweeps.tracking.background.BackgroundWriter` (a fork is ready in
milliseconds; a fresh interpreter would spend three seconds importing MLflow). It performs
requests in order and answers on a second pipe. Its own session keeps the terminal's Ctrl-C
away: it stops when asked, or when its parent is gone (end of file), always after performing
everything already sent, so a worker killed with ``kill -9`` loses no tracking data it had
handed over. After a write fails it performs no more (a store that failed once is presumed
gone: retrying each queued write would hold the worker for minutes); the worker stops at its
next call with that error.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import threading
from multiprocessing.connection import Connection
from typing import Any

from mlflow import MlflowClient

from sweeps.errors import StoreError
from sweeps.infra.sqlite import register_fast_commits, sqlite_file
from sweeps.infra.urls import redact_text
from sweeps.tracking.handles import PendingRun
from sweeps.tracking.timing import TimedClient

__all__: list[str] = []  # nothing here for other packages

_INHERITED: list[Any] = []  # the parent's connection pools, kept alive and never used


class _Skipped(Exception):
    """A request not performed because the store already failed."""


class Writer:
    """Performs requests against one tracking store; run handles map to real run ids."""

    def __init__(self, client: Any, answer: Connection) -> None:
        self.client = client
        self.answer = answer
        self.run_ids: dict[int, str | None] = {}
        self.failed = False

    def handle(self, request: tuple[Any, ...]) -> bool:
        """Perform one request; return False when asked to stop."""
        kind = request[0]
        if kind == "stop":
            return False
        if kind == "sync":
            self.send(("synced", request[1]))
        elif kind == "open":
            self._open(*request[1:])
        elif kind == "call":
            self._call(*request[1:])
        return True

    def _open(self, key: int, experiment_id: str, run_name: str, tags: dict[str, str]) -> None:
        try:
            if self.failed:
                raise _Skipped
            run = self.client.create_run(experiment_id, run_name=run_name, tags=tags)
        except Exception as exc:  # reported to the parent; later calls on the run are skipped
            self.run_ids[key] = None
            self._report(f"create_run {run_name}", exc)
            self.send(("run", key, None))
            return
        self.run_ids[key] = run.info.run_id
        self.send(("run", key, run.info.run_id))

    def _call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        resolved = [self.run_ids.get(a.key) if isinstance(a, PendingRun) else a for a in args]
        if self.failed or (any(isinstance(a, PendingRun) for a in args) and None in resolved):
            return  # the run could not be created, or the store failed: already reported
        try:
            getattr(self.client, name)(*resolved, **kwargs)
        except Exception as exc:
            self._report(name, exc)

    def _report(self, what: str, exc: Exception) -> None:
        """Tell the parent about the first failure (redacted); perform nothing after it."""
        if self.failed:
            return
        self.failed = True
        text = str(exc) if isinstance(exc, StoreError) else f"{what}: {redact_text(str(exc))}"
        self.send(("error", text))

    def send(self, message: tuple[Any, ...]) -> None:
        """Answer the parent, if it is still there."""
        with contextlib.suppress(OSError):  # the parent is gone: go on with what it had sent
            self.answer.send(message)


def forget_inherited_connections() -> None:
    """In a forked child: never touch the parent's database or HTTP connections.

    SQLAlchemy's documented recipe (``engine.dispose(close=False)``) gives every inherited
    engine a fresh pool; the old pools stay referenced so their SQLite connections are never
    closed from this process, and ``gc.freeze`` keeps the collector off everything inherited.
    """
    from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as RegistryStore
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
    from mlflow.utils import request_utils

    gc.freeze()
    for store in (SqlAlchemyStore, RegistryStore):
        store._engine_map_lock = threading.Lock()  # may have been held by a parent's thread
        for engine in store._engine_map.values():
            _INHERITED.append(engine.pool)
            engine.dispose(close=False)
    request_utils._cached_get_request_session.cache_clear()
    _drop_inherited_telemetry()


def _drop_inherited_telemetry() -> None:
    """MLflow's usage telemetry runs threads holding locks; the threads did not survive the
    fork, so a lock they held would never be released here. The writer sends no telemetry."""
    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
    try:
        from mlflow.telemetry import client as telemetry
    except ImportError:
        return
    telemetry._client_lock = threading.Lock()
    telemetry._MLFLOW_TELEMETRY_CLIENT = None


def child_main(
    requests: Connection, answers: Connection, parent_ends: list[Connection], uri: str
) -> None:
    """Body of the forked writer: its own session (the terminal's Ctrl-C goes to the worker),
    fresh connections, then requests until told to stop or the parent is gone."""
    for end in parent_ends:
        end.close()  # else the parent's death would never read as end of file here
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    forget_inherited_connections()
    db = sqlite_file(uri)
    if db is not None:
        register_fast_commits(db)
    writer = Writer(TimedClient(MlflowClient(tracking_uri=uri, registry_uri=uri), uri), answers)
    writer.send(("ready",))
    try:
        while True:
            request = requests.recv()
            if not writer.handle(request):
                break
    except EOFError:
        pass
    finally:
        answers.close()
