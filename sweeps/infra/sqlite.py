"""Fast, safe SQLite settings for the local stores.

Write-ahead logging makes a commit ~3x cheaper and lets readers proceed beside a writer; it is a
property of the database file. Connections to our stores also use ``synchronous=NORMAL``: durable
across process crashes (what a killed worker needs); only an OS crash may lose the last commits,
never corrupt the file. Optuna's connections get it from the engine's ``creator``; MLflow builds
its own engine, so a pool ``connect`` listener sets it on connections to the files we register.
"""

from __future__ import annotations

import sqlite3
from functools import partial
from pathlib import Path
from typing import Any

__all__ = ["BUSY_TIMEOUT_S", "enable_wal", "engine_kwargs", "register_fast_commits", "sqlite_file"]

BUSY_TIMEOUT_S = 60.0


def sqlite_file(url: str) -> Path | None:
    """The database file of a ``sqlite:///`` URL, or None for other URLs."""
    if not url.startswith("sqlite:///"):
        return None
    return Path(url.removeprefix("sqlite:///"))


def enable_wal(path: Path) -> None:
    """Create ``path`` if needed and switch it to write-ahead logging (persistent)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


_FAST_FILES: set[str] = set()


def _on_connect(dbapi_conn: object, _record: object) -> None:
    if not (_FAST_FILES and isinstance(dbapi_conn, sqlite3.Connection)):
        return
    files = {row[2] for row in dbapi_conn.execute("PRAGMA database_list")}
    if files & _FAST_FILES:
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")


def register_fast_commits(path: Path) -> None:
    """Make every new SQLAlchemy connection to ``path`` (MLflow's too) commit without fsync."""
    if not _FAST_FILES:
        from sqlalchemy import event  # here: a command that only names a store needs none
        from sqlalchemy.pool import Pool

        event.listen(Pool, "connect", _on_connect)
    _FAST_FILES.add(str(path.resolve()))


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


#: libpq settings of every PostgreSQL connection: a dead host fails the first connection within
#: 10 s, and an open connection to a host that stopped answering within about 30 s (TCP
#: keep-alives after 10 s idle, every 5 s, 3 lost; unacknowledged data for 30 s).
PG_CONNECT_ARGS = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
}


def server_connect_args(url: str) -> dict[str, Any]:
    """Connection keywords bounding the waits on a database server (PostgreSQL)."""
    return dict(PG_CONNECT_ARGS) if url.startswith("postgres") else {}


def engine_kwargs(url: str) -> dict[str, Any]:
    """SQLAlchemy engine keywords for a study storage URL."""
    path = sqlite_file(url)
    if path is None:  # a server: a dead host must not hang a connection for minutes
        return {"pool_pre_ping": True, "connect_args": server_connect_args(url)}
    enable_wal(path)
    return {"creator": partial(_connect, path)}
