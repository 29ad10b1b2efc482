"""Cross-process locks beside a study's storage: a file lock for SQLite, an advisory lock
for PostgreSQL. They serialise store creation and the budget check of trial admission."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy

from sweeps.infra.sqlite import server_connect_args, sqlite_file

__all__ = ["StorageLock", "file_lock"]


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (released by the OS if the process dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_lock`` derived from ``name``."""
    digest = hashlib.sha256(name.encode()).digest()[:8]
    return int.from_bytes(digest, "big", signed=True)


class StorageLock:
    """A named lock shared by every process that uses one study storage URL."""

    def __init__(self, storage_url: str, name: str) -> None:
        self.storage_url = storage_url
        self.name = name
        self._engine: sqlalchemy.Engine | None = None

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Hold the lock for the duration of the block."""
        db = sqlite_file(self.storage_url)
        if db is not None:
            with file_lock(db.with_name(f"{db.name}.{self.name}.lock")):
                yield
        elif self.storage_url.startswith("postgresql"):
            with self._advisory():
                yield
        else:
            yield

    @contextmanager
    def _advisory(self) -> Iterator[None]:
        if self._engine is None:
            self._engine = sqlalchemy.create_engine(
                self.storage_url,
                poolclass=sqlalchemy.NullPool,
                connect_args=server_connect_args(self.storage_url),
            )
        key = advisory_key(self.name)
        with self._engine.connect() as conn:
            conn.execute(sqlalchemy.text("SELECT pg_advisory_lock(:k)"), {"k": key})
            try:
                yield
            finally:
                conn.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
