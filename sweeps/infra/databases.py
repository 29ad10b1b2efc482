"""Which tool a database belongs to, read from its tables before anything is created in it.

MLflow and Optuna each migrate whatever database they are handed: given each other's stores
(``--storage sqlite:///mlruns/mlflow.db --tracking-uri sqlite:///mlruns/optuna.db``), each
creates its tables inside the other's database before failing. Their tables tell them apart:
MLflow keeps ``experiments`` and ``runs``, Optuna ``studies`` and ``trials``.
"""

from __future__ import annotations

import sqlite3
from typing import Literal

import sqlalchemy
from sqlalchemy.exc import SQLAlchemyError

from sweeps.errors import ConfigError
from sweeps.infra.sqlite import sqlite_file
from sweeps.infra.urls import redact

__all__ = ["require_tool"]

Tool = Literal["mlflow", "optuna"]
#: Tables only each tool's database has.
TABLES: dict[Tool, frozenset[str]] = {
    "mlflow": frozenset({"experiments", "runs"}),
    "optuna": frozenset({"studies", "trials"}),
}
ROLES: dict[Tool, str] = {"mlflow": "tracking store", "optuna": "study storage"}
NAMES: dict[Tool, str] = {"mlflow": "an MLflow tracking", "optuna": "an Optuna study"}
#: A server that does not answer is left to the store's own probe, after this long.
CONNECT_TIMEOUT_S = 5


def require_tool(url: str, tool: Tool) -> None:
    """Raise :class:`ConfigError` naming the store when the database at ``url`` already holds
    the other tool's tables. Opens nothing that is not there (a missing SQLite file, a server
    that does not answer: left to the code that opens the store)."""
    tables = table_names(url)
    other: Tool = "optuna" if tool == "mlflow" else "mlflow"
    if tables is None or not TABLES[other] <= tables:
        return
    found = ", ".join(sorted(TABLES[other]))
    raise ConfigError(
        f"{ROLES[tool]} {redact(url)} is {NAMES[other]} database (it has the tables {found}), "
        f"not {NAMES[tool]} one: are --storage and --tracking-uri swapped?"
    )


def table_names(url: str) -> set[str] | None:
    """The tables of the SQL database at ``url``; None for a URL that is no SQL database, a
    SQLite file that does not exist yet, or a database that cannot be read."""
    path = sqlite_file(url)
    if path is not None:
        if not path.is_file():
            return None
        try:  # read-only: never create or change the file
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                return {name for (name,) in rows}
            finally:
                conn.close()
        except sqlite3.Error:
            return None
    if not url.startswith(("postgresql", "mysql", "mssql", "oracle")):
        return None
    return _server_tables(url)


def _server_tables(url: str) -> set[str] | None:
    """The tables of a database server's database, on one short-lived connection."""
    if url.startswith(("postgresql://", "postgres://")):  # psycopg 3, as the stores use
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    connect = {"connect_timeout": CONNECT_TIMEOUT_S} if url.startswith("postgres") else {}
    try:
        engine = sqlalchemy.create_engine(
            url, poolclass=sqlalchemy.pool.NullPool, connect_args=connect
        )
    except (SQLAlchemyError, ImportError, ValueError):
        return None
    try:
        return set(sqlalchemy.inspect(engine).get_table_names())
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()
