"""Read a local MLflow SQLite store without importing MLflow: what the read-only commands ask.

Importing MLflow and opening its client costs about a second, while ``best`` or ``list`` then
spend milliseconds in the database. :class:`SqliteReader` answers the reads of
:class:`~sweeps.tracking.interface.TrackingStore` with plain SQL on MLflow's tables (the schema
of the revisions in :data:`KNOWN_REVISIONS`, checked on opening; a test pins them to the
installed MLflow's) and reads local artifacts in place. It returns what
:class:`~sweeps.tracking.store.Tracker` returns, in the same order (the same tests run on both).
Anything else, a filter it does not know, a store of another revision, an artifact that is not
a local file, goes to the MLflow client, opened on first need: the reader is a fast path,
never a second opinion.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import numpy as np

from sweeps.errors import RunNotFoundError, StoreError
from sweeps.infra.sqlite import BUSY_TIMEOUT_S, sqlite_file
from sweeps.infra.urls import redact
from sweeps.records import CHAMPION_ALIAS, artifact_digest_tag
from sweeps.tracking.digests import LoggedJson, read_bounded, verified_json
from sweeps.tracking.interface import ModelVersion, RunRecord, TrackingStore
from sweeps.tracking.trusted import MODEL_PATH, load_verified

__all__ = ["KNOWN_REVISIONS", "SqliteReader", "open_reader"]

#: MLflow schema revisions (``alembic_version``) whose tables this module reads: MLflow 3.17's
#: head and 3.18's (its three migrations add skill-registry tables, columns of ``issues`` and
#: change MCP server versions: none of the tables read here; a test pins their columns).
KNOWN_REVISIONS = frozenset({"dc11669786a5", "f4a9b2c7d1e6"})
DELETED_VERSION = "Deleted_Internal"
_NAME = r"(?:`([^`]+)`|\"([^\"]+)\"|(\w[\w.]*))"
_VALUE = r"(?:'([^']*)'|\"([^\"]*)\")"
_CLAUSE = re.compile(rf"\s*(tags|attributes)\.{_NAME}\s*=\s*{_VALUE}\s*")
_ORDER = re.compile(rf"\s*(metrics|attributes)\.{_NAME}(?:\s+(ASC|DESC))?\s*", re.IGNORECASE)
_ATTRIBUTES = {"status": "status"}  # the attributes sweeps filters on
_CHUNK = 500  # run ids per IN (...) list, well under SQLite's limit on bound values


class _Unsupported(Exception):
    """A request the reader leaves to MLflow's client."""


def open_reader(uri: str, full: Callable[[], TrackingStore]) -> SqliteReader | None:
    """A reader of the SQLite store at ``uri`` (``full`` opens MLflow's client when needed);
    None when ``uri`` is not a SQLite file of a known revision."""
    db = sqlite_file(uri)
    if db is None or not db.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error:
        return None
    try:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        revision = None
    if revision is None or revision[0] not in KNOWN_REVISIONS:
        conn.close()
        return None
    return SqliteReader(uri, conn, full)


class SqliteReader:
    """The reads of a :class:`TrackingStore` on a local MLflow SQLite store; every other method
    is the MLflow client's (:class:`~sweeps.tracking.store.Tracker`, opened on first use)."""

    def __init__(self, uri: str, conn: sqlite3.Connection, full: Callable[[], TrackingStore]):
        self.uri = uri
        self._conn = conn
        self._open_full = full
        self._full: TrackingStore | None = None

    def __getattr__(self, name: str) -> Any:
        """Any method the reader does not implement: the MLflow client's."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.full(), name)

    def full(self) -> TrackingStore:
        """MLflow's client on the same store (opened once)."""
        if self._full is None:
            self._full = self._open_full()
        return self._full

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._conn.execute(sql, tuple(args)).fetchall()
        except sqlite3.Error as exc:  # locked past the timeout, damaged: one line naming it
            raise StoreError(f"tracking store {redact(self.uri)}: {exc}") from None

    # --- experiments ----------------------------------------------------------------------
    def experiment_id(self, name: str, create: bool = True) -> str | None:
        """The id of experiment ``name`` (any lifecycle stage, as MLflow's look-up by name)."""
        rows = self._rows("SELECT experiment_id FROM experiments WHERE name = ?", [name])
        if rows:
            return str(rows[0][0])
        return self.full().experiment_id(name) if create else None

    def experiments(self) -> dict[str, str]:
        """Every active experiment: name -> id."""
        rows = self._rows(
            "SELECT name, experiment_id FROM experiments WHERE lifecycle_stage = 'active'"
        )
        return {name: str(experiment_id) for name, experiment_id in rows}

    # --- runs -----------------------------------------------------------------------------
    def run(self, run_id: str) -> RunRecord | None:
        """The run, or None when it does not exist (or was deleted)."""
        found = self._records([run_id])
        return found[0] if found else None

    def search(
        self,
        experiment_id: str | Sequence[str],
        where: str,
        order_by: Sequence[str],
        max_results: int,
    ) -> list[RunRecord]:
        """Runs of the experiments matching ``where``, sorted as MLflow sorts them."""
        ids = [experiment_id] if isinstance(experiment_id, str) else list(experiment_id)
        if not ids:
            return []
        try:
            sql, args = _search_sql(ids, where, order_by, max_results)
        except _Unsupported:
            return self.full().search(experiment_id, where, order_by, max_results)
        return self._records([row[0] for row in self._rows(sql, args)])

    def metric_history(self, run_id: str, key: str) -> list[tuple[int, float]]:
        """Every ``(step, value)`` logged for metric ``key``, by step."""
        rows = self._rows(
            "SELECT step, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ?", [run_id, key]
        )
        return sorted((int(step), _metric(value, nan)) for step, value, nan in rows)

    def _records(self, run_ids: Sequence[str]) -> list[RunRecord]:
        """The active runs among ``run_ids``, in that order, with tags, params and metrics."""
        if len(run_ids) > _CHUNK:
            return [
                r
                for i in range(0, len(run_ids), _CHUNK)
                for r in self._records(run_ids[i : i + _CHUNK])
            ]
        if not run_ids:
            return []
        marks = ",".join("?" * len(run_ids))
        runs = self._rows(
            "SELECT run_uuid, experiment_id, name, status, start_time FROM runs "
            f"WHERE run_uuid IN ({marks}) AND lifecycle_stage = 'active'",
            run_ids,
        )
        active = [run[0] for run in runs]
        marks = ",".join("?" * len(active))
        values: dict[str, dict[str, dict[str, Any]]] = {
            run_id: {"tags": {}, "params": {}, "metrics": {}} for run_id in active
        }
        for table in ("tags", "params"):
            for key, value, run in self._rows(
                f"SELECT key, value, run_uuid FROM {table} WHERE run_uuid IN ({marks})", active
            ):
                values[run][table][key] = value
        for key, value, nan, run in self._rows(
            f"SELECT key, value, is_nan, run_uuid FROM latest_metrics WHERE run_uuid IN ({marks})",
            active,
        ):
            values[run]["metrics"][key] = _metric(value, nan)
        by_id = {
            run_id: RunRecord(
                run_id=run_id,
                experiment_id=str(experiment),
                name=name or run_id,
                status=status,
                start_time=int(start or 0),
                **values[run_id],
            )
            for run_id, experiment, name, status, start in runs
        }
        return [by_id[run_id] for run_id in run_ids if run_id in by_id]

    # --- artifacts ------------------------------------------------------------------------
    def _artifacts(self, run_id: str) -> Path:
        """The local folder of the run's artifacts (_Unsupported when they are elsewhere)."""
        rows = self._rows("SELECT artifact_uri FROM runs WHERE run_uuid = ?", [run_id])
        if not rows:
            raise RunNotFoundError(f"no run {run_id!r} in tracking store")
        return _local_folder(rows[0][0] or "")

    def _artifact(self, run_id: str, path: str) -> Path:
        folder = self._artifacts(run_id)
        local = (folder / path).resolve()
        if not local.is_relative_to(folder.resolve()):
            raise _Unsupported
        return local

    def read_json(self, run_id: str, path: str) -> Any:
        """A JSON artifact, checked against the digest its run recorded, parsed."""
        return self.read_logged(run_id, path).value

    def read_logged(self, run_id: str, path: str) -> LoggedJson:
        """:meth:`read_json`, saying whether the run had recorded the file's digest."""
        try:
            local = self._artifact(run_id, path)
        except _Unsupported:
            return self.full().read_logged(run_id, path)
        try:
            data = read_bounded(local)
        except OSError:
            raise RunNotFoundError(f"run {run_id} has no readable artifact {path}") from None
        return verified_json(run_id, path, data, self._tag(run_id, artifact_digest_tag(path)))

    def _tag(self, run_id: str, key: str) -> str | None:
        return self._tags(run_id).get(key)

    def _tags(self, run_id: str) -> dict[str, str]:
        return dict(self._rows("SELECT key, value FROM tags WHERE run_uuid = ?", [run_id]))

    def read_arrays(self, run_ids: Sequence[str], path: str) -> dict[str, dict[str, np.ndarray]]:
        """The ``.npz`` artifact ``path`` of each run (numbers only: no pickle)."""
        files: dict[str, Path] = {}
        for run_id in run_ids:
            try:
                files[run_id] = self._artifact(run_id, path)
            except RunNotFoundError:  # no such run: left out, as MLflow's client leaves it
                continue
            except _Unsupported:
                return self.full().read_arrays(run_ids, path)
        found = {run_id: _npz(file) for run_id, file in files.items()}
        return {run_id: arrays for run_id, arrays in found.items() if arrays is not None}

    def load_model(self, run_id: str, version_tags: Mapping[str, str] | None = None) -> Any:
        """The pipeline logged on ``run_id``, from a private copy of its files checked against
        the recorded digest (:func:`~sweeps.tracking.trusted.load_verified`)."""
        try:
            source = self._artifact(run_id, MODEL_PATH)
        except _Unsupported:
            return self.full().load_model(run_id, version_tags)
        except RunNotFoundError:
            raise RunNotFoundError(f"run {run_id} has no logged model") from None
        if not source.is_dir() or not any(source.iterdir()):
            raise RunNotFoundError(f"run {run_id} has no logged model")
        tags = version_tags if version_tags is not None else self._tags(run_id)
        with tempfile.TemporaryDirectory(prefix="sweeps-model-") as tmp:
            folder = Path(shutil.copytree(source, Path(tmp) / MODEL_PATH))
            return load_verified(folder, tags, f"run {run_id}", version_tags is not None)

    # --- registry -------------------------------------------------------------------------
    def model_version(
        self, name: str, version: str | None = None, alias: str | None = None
    ) -> ModelVersion | None:
        """Version ``version`` of registered model ``name``, or the one holding ``alias``."""
        if alias is not None:
            rows = self._rows(
                "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?",
                [name, alias],
            )
            if not rows:
                return None
            version = str(rows[0][0])
        if version is None or not str(version).isdigit():
            return None
        return self._version(name, int(version))

    def _version(self, name: str, version: int) -> ModelVersion | None:
        rows = self._rows(
            "SELECT run_id FROM model_versions WHERE name = ? AND version = ? "
            "AND current_stage != ?",
            [name, version, DELETED_VERSION],
        )
        if not rows:
            return None
        tags = self._rows(
            "SELECT key, value FROM model_version_tags WHERE name = ? AND version = ?",
            [name, version],
        )
        return ModelVersion(str(version), str(rows[0][0]), dict(tags))

    def champion(self, name: str) -> ModelVersion | None:
        """The version holding the champion alias of ``name``, if any."""
        return self.model_version(name, alias=CHAMPION_ALIAS)

    def champions(self) -> dict[str, ModelVersion]:
        """Every registered model that has a champion: name -> its champion version."""
        rows = self._rows(
            "SELECT name, version FROM registered_model_aliases WHERE alias = ?", [CHAMPION_ALIAS]
        )
        found = {name: self._version(name, int(version)) for name, version in rows}
        return {name: version for name, version in found.items() if version is not None}

    def version_of_run(self, name: str, run_id: str) -> str | None:
        """The (lowest) version of registered model ``name`` made from ``run_id``, if any."""
        rows = self._rows(
            "SELECT min(version) FROM model_versions WHERE name = ? AND run_id = ? "
            "AND current_stage != ?",
            [name, run_id, DELETED_VERSION],
        )
        return str(rows[0][0]) if rows and rows[0][0] is not None else None


def _metric(value: float, is_nan: Any) -> float:
    return float("nan") if is_nan else float(value)


def _local_folder(uri: str) -> Path:
    """The folder of a ``file:`` URI or a plain path; _Unsupported for any other scheme."""
    parsed = urlparse(uri)
    if parsed.scheme == "file" and parsed.netloc in ("", "localhost"):
        return Path(unquote(parsed.path))
    if parsed.scheme == "" and uri.startswith("/"):
        return Path(uri)
    raise _Unsupported


def _npz(file: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(file, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (OSError, ValueError):
        return None


def _name(match: re.Match[str], first: int) -> str:
    return next(g for g in match.groups()[first : first + 3] if g is not None)


def _search_sql(
    experiment_ids: Sequence[str], where: str, order_by: Sequence[str], limit: int
) -> tuple[str, list[Any]]:
    """MLflow's ``search_runs`` as one SQL query, for filters that are ``=`` clauses on tags
    and attributes joined by ``and``, and orders on metrics and ``start_time``
    (_Unsupported otherwise)."""
    conditions, args = _filters(where)
    joins, orders, order_args = _orders(order_by)
    marks = ",".join("?" * len(experiment_ids))
    sql = (
        f"SELECT r.run_uuid FROM runs r {' '.join(joins)} "
        f"WHERE r.experiment_id IN ({marks}) AND r.lifecycle_stage = 'active' "
        f"{''.join(f' AND {c}' for c in conditions)} ORDER BY {', '.join(orders)} LIMIT ?"
    )
    ids = [int(i) if str(i).isdigit() else i for i in experiment_ids]
    return sql, [*order_args, *ids, *args, int(limit)]


def _filters(where: str) -> tuple[list[str], list[Any]]:
    conditions: list[str] = []
    args: list[Any] = []
    for clause in re.split(r"\s+and\s+", where.strip()) if where.strip() else []:
        match = _CLAUSE.fullmatch(clause)
        if match is None:
            raise _Unsupported
        kind, key = match.group(1), _name(match, 1)
        value = next(g for g in match.groups()[4:6] if g is not None)
        if kind == "tags":
            conditions.append(
                "EXISTS (SELECT 1 FROM tags t WHERE t.run_uuid = r.run_uuid "
                "AND t.key = ? AND t.value = ?)"
            )
            args += [key, value]
        elif key in _ATTRIBUTES:
            conditions.append(f"r.{_ATTRIBUTES[key]} = ?")
            args.append(value)
        else:
            raise _Unsupported
    return conditions, args


def _orders(order_by: Sequence[str]) -> tuple[list[str], list[str], list[Any]]:
    """Joins and ORDER BY terms as MLflow builds them: per term, absent (and NaN) values last,
    then the value; then start time, newest first unless ordered, then the run id."""
    joins: list[str] = []
    orders: list[str] = []
    args: list[Any] = []
    seen: set[tuple[str, str]] = set()
    for i, term in enumerate(order_by):
        match = _ORDER.fullmatch(term)
        if match is None:
            raise _Unsupported
        kind, key = match.group(1).lower(), _name(match, 1)
        if (kind, key) in seen:
            raise _Unsupported
        seen.add((kind, key))
        direction = "DESC" if (match.group(5) or "ASC").upper() == "DESC" else "ASC"
        if kind == "attributes":
            if key != "start_time":
                raise _Unsupported
            orders += ["(r.start_time IS NULL)", f"r.start_time {direction}"]
            continue
        joins.append(
            f"LEFT JOIN (SELECT run_uuid, value, is_nan FROM latest_metrics WHERE key = ?) m{i} "
            f"ON m{i}.run_uuid = r.run_uuid"
        )
        args.append(key)
        orders += [
            f"(CASE WHEN m{i}.is_nan = 1 THEN 1 WHEN m{i}.value IS NULL THEN 2 ELSE 0 END)",
            f"m{i}.value {direction}",
        ]
    if ("attributes", "start_time") not in seen:
        orders.append("r.start_time DESC")
    orders.append("r.run_uuid")
    return joins, orders, args
