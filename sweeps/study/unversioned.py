"""Opening a study storage for reading without Optuna's schema bookkeeping.

Every ``RDBStorage`` Optuna opens runs its schema version manager, which imports alembic and,
through it, an implementation of every database dialect alembic has (PostgreSQL, MySQL, SQL
Server, Oracle): about 0.15 s of a ``sweeps status`` that takes one second. A command that only
reads needs one fact from it, that the database's schema is the one the installed Optuna
reads, and that is one query. :func:`open_without_alembic` opens a storage with the manager
left out, and :func:`known_schema` says whether the database is at the revision sweeps knows;
a caller that gets False opens the storage the usual way, so any other schema meets Optuna's
own check and message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy
from optuna.storages import RDBStorage
from optuna.storages._rdb import storage as rdb
from sqlalchemy.exc import SQLAlchemyError

__all__ = ["KNOWN_MIGRATIONS", "KNOWN_SCHEMA", "known_schema", "open_without_alembic"]

#: Optuna's schema migrations (its ``_rdb/alembic/versions`` files) as of the releases sweeps
#: was checked with (optuna 5.x), and the revision they end at: the installed Optuna writes
#: and reads that revision exactly when its migrations are these.
KNOWN_MIGRATIONS = frozenset(
    {
        "v0.9.0.a.py", "v1.2.0.a.py", "v1.3.0.a.py", "v2.4.0.a.py", "v2.6.0.a_.py",
        "v3.0.0.a.py", "v3.0.0.b.py", "v3.0.0.c.py", "v3.0.0.d.py", "v3.2.0.a_.py",
    }
)  # fmt: skip
KNOWN_SCHEMA = "v3.2.0.a"
_MIGRATIONS = Path(rdb.__file__).parent / "alembic" / "versions"


class _Unmanaged:
    """Stands in for Optuna's schema version manager: it records and checks nothing (the
    caller reads the revision itself, :func:`known_schema`)."""

    def __init__(self, *_args: object) -> None:
        pass

    def check_table_schema_compatibility(self) -> None:
        """Nothing: the caller checks the revision."""


def installed_migrations() -> frozenset[str]:
    """The migration files of the installed Optuna."""
    return frozenset(p.name for p in _MIGRATIONS.glob("*.py"))


def open_without_alembic(open_storage: Callable[[], RDBStorage]) -> RDBStorage | None:
    """``open_storage()`` with Optuna's version manager left out; None, without opening
    anything, when the installed Optuna's schema is not the one sweeps knows or Optuna no
    longer has the manager by that name."""
    if installed_migrations() != KNOWN_MIGRATIONS or not hasattr(rdb, "_VersionManager"):
        return None
    with _unmanaged():
        return open_storage()


@contextmanager
def _unmanaged() -> Iterator[None]:
    real = rdb._VersionManager
    rdb._VersionManager = _Unmanaged  # type: ignore[misc,assignment]
    try:
        yield
    finally:
        rdb._VersionManager = real  # type: ignore[misc]


def known_schema(storage: RDBStorage) -> bool:
    """Whether ``storage``'s database is at :data:`KNOWN_SCHEMA` (one query; False when it
    cannot say: no such table, several rows)."""
    query = sqlalchemy.text("SELECT version_num FROM alembic_version")
    try:
        with storage.engine.connect() as connection:
            rows = connection.execute(query).all()
    except SQLAlchemyError:
        return False
    return [tuple(row) for row in rows] == [(KNOWN_SCHEMA,)]
