"""The study's storage: URL resolution, heartbeats from a trial's start, opening studies, and
one named error when its database fails."""

from __future__ import annotations

import contextlib
import sqlite3
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

import optuna
import sqlalchemy
from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.trial import FrozenTrial, TrialState
from sqlalchemy.exc import SQLAlchemyError

from sweeps.errors import RunNotFoundError, StoreError, SweepsError
from sweeps.infra.databases import require_tool
from sweeps.infra.sqlite import engine_kwargs, sqlite_file
from sweeps.infra.urls import redact, redact_text
from sweeps.study.samplers import experimental_ok
from sweeps.study.unversioned import known_schema, open_without_alembic

__all__ = [
    "DEFAULT_STORAGE",
    "StaleCallback",
    "make_reader",
    "make_storage",
    "only_study_name",
    "open_study",
    "read_study",
    "recorded_attr",
    "resolve_storage_url",
    "storage_errors",
]

DEFAULT_STORAGE = "sqlite:///mlruns/optuna.db"
READ_ONLY_HEARTBEAT = 10  # a reader never records heartbeats; RDBStorage wants a value
StaleCallback = Callable[[optuna.Study, FrozenTrial], None]


def resolve_storage_url(flag: str | None, configured: str | None) -> str:
    """``--storage``, else the config's, else the local SQLite study beside MLflow's store.

    ``postgresql://`` URLs are sent through psycopg 3 (SQLAlchemy 2.1's default would be
    psycopg2, which we do not install).
    """
    url = flag or configured or DEFAULT_STORAGE
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


#: Every storage this process opened: a database failure closes their pooled connections.
_OPENED: weakref.WeakSet[RDBStorage] = weakref.WeakSet()


class SweepStorage(RDBStorage):
    """Optuna's RDB storage, but a trial's first heartbeat is recorded the moment it starts
    running, not when ``optimize`` starts its heartbeat thread after ``ask()`` has sampled.

    Otherwise a worker killed while the sampler works (tens of milliseconds of TPE every
    trial) leaves a RUNNING trial with no heartbeat at all, which Optuna never finds stale:
    it would hold the budget forever and the last worker would wait on it for ever.
    """

    def _create_new_trial(
        self, study_id: int, template_trial: FrozenTrial | None = None
    ) -> FrozenTrial:
        """Create the trial; one that starts RUNNING gets its first heartbeat at once.

        (Optuna's cached storage calls this private method, not ``create_new_trial``.)
        """
        trial = super()._create_new_trial(study_id, template_trial)
        if trial.state == TrialState.RUNNING:
            self._first_heartbeat(trial._trial_id)
        return trial

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        """Set the state; a WAITING trial taken to RUNNING gets its first heartbeat at once."""
        changed = super().set_trial_state_values(trial_id, state, values)
        if changed and state == TrialState.RUNNING:
            self._first_heartbeat(trial_id)
        return changed

    def _first_heartbeat(self, trial_id: int) -> None:
        if self.heartbeat_interval is not None:
            super().record_heartbeat(trial_id)

    def record_heartbeat(self, trial_id: int) -> None:
        """Record a heartbeat; a database error is left to the worker's next storage call
        (Optuna's heartbeat thread would die of it with a traceback, and beat no more once the
        database is back)."""
        try:
            super().record_heartbeat(trial_id)
        except (SQLAlchemyError, optuna.exceptions.StorageInternalError):
            return


def make_storage(
    url: str,
    *,
    heartbeat_interval: int,
    grace_period: int | None = None,
    max_retry: int = 1,
    on_stale: StaleCallback | None = None,
    pooled: bool = True,
) -> RDBStorage:
    """An RDB storage with a heartbeat every ``heartbeat_interval`` s; a trial whose last
    heartbeat is older than ``grace_period`` (default: 3 intervals) is failed and retried up to
    ``max_retry`` times; ``pooled=False`` keeps no connection open between queries (a reader's
    few queries). A storage that cannot be opened is a :class:`StoreError`."""
    require_tool(url, "optuna")  # Optuna would create its tables in MLflow's database
    with experimental_ok():
        retry = RetryHeartbeatStaleTrialCallback(max_retry=max_retry)
    kwargs = engine_kwargs(url)
    if not pooled:
        kwargs["poolclass"] = sqlalchemy.NullPool

    def stale(study: optuna.Study, trial: FrozenTrial) -> None:
        if on_stale is not None:
            on_stale(study, trial)
        retry(study, trial)

    try:
        with experimental_ok():
            storage = SweepStorage(
                url,
                heartbeat_interval=heartbeat_interval,
                grace_period=grace_period or 3 * heartbeat_interval,
                heartbeat_stale_trial_callback=stale,
                engine_kwargs=kwargs,
            )
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"study storage {redact(url)}: {_first_line(exc)}") from None
    _OPENED.add(storage)
    return storage


def _first_line(exc: BaseException) -> str:
    return redact_text((str(exc).strip().splitlines() or [type(exc).__name__])[0])


@contextmanager
def storage_errors(url: str) -> Iterator[None]:
    """Turn a failure of the study storage's database, wherever Optuna or SQLAlchemy raise it
    (Optuna may re-raise it as an ``UnboundLocalError``), into one :class:`StoreError` naming
    the storage (redacted)."""
    try:
        yield
    except SweepsError:
        raise
    except Exception as exc:
        cause = _database_error(exc)
        if cause is None:
            raise
        close_storages()  # their connections are dead: close them now
        raise StoreError(f"study storage {redact(url)}: {_first_line(cause)}") from exc


def close_storages() -> None:
    """Close the pooled connections of every storage this process opened (they reconnect if
    used again)."""
    for storage in list(_OPENED):
        with contextlib.suppress(Exception):
            storage.remove_session()
        with contextlib.suppress(Exception):
            storage.engine.dispose()


def _database_error(exc: BaseException | None) -> BaseException | None:
    """The SQLAlchemy error in ``exc``'s chain of causes and contexts, if any."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, SQLAlchemyError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def open_study(
    storage: RDBStorage,
    name: str,
    directions: Sequence[str],
    sampler: optuna.samplers.BaseSampler,
    pruner: optuna.pruners.BasePruner,
    *,
    fresh: bool = False,
) -> optuna.Study:
    """Load study ``name``, or create it (``fresh`` deletes an existing one first)."""
    if fresh and name in optuna.get_all_study_names(storage):
        optuna.delete_study(study_name=name, storage=storage)
    return optuna.create_study(
        storage=storage,
        study_name=name,
        directions=list(directions),
        sampler=sampler,
        pruner=pruner,
        load_if_exists=True,
    )


def recorded_attr(url: str, name: str, key: str) -> Any:
    """User attribute ``key`` of study ``name`` at ``url``, read before the study is opened
    for work; None when there is no such storage, study or attribute (a SQLite file that is
    not there is not created)."""
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        return None
    if path is None:
        storage = make_storage(url, heartbeat_interval=READ_ONLY_HEARTBEAT)
    else:  # read-only: closing a writable connection would checkpoint the WAL into the file
        require_tool(url, "optuna")
        readonly = partial(sqlite3.connect, f"file:{path}?mode=ro", uri=True)
        storage = RDBStorage(
            url,
            engine_kwargs={"creator": readonly},
            skip_compatibility_check=True,
            skip_table_creation=True,
        )
    try:
        study_id = storage.get_study_id_from_name(name)
        return storage.get_study_user_attrs(study_id).get(key)
    except KeyError:
        return None
    finally:
        storage.engine.dispose()


def require_storage(url: str) -> None:
    """Refuse a ``sqlite:///`` URL whose file does not exist (opening it would create it)."""
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise RunNotFoundError(f"no study storage at {path}: run the sweep first")


def make_reader(url: str) -> RDBStorage:
    """A storage for commands that only read (no connection kept between their few queries).
    A database at the schema revision the installed Optuna writes is opened without Optuna's
    schema bookkeeping (:mod:`~sweeps.study.unversioned`: it imports alembic and all its
    dialects); any other is opened and checked by Optuna as usual."""
    reader = partial(make_storage, url, heartbeat_interval=READ_ONLY_HEARTBEAT, pooled=False)
    storage = open_without_alembic(reader)
    if storage is not None:
        if known_schema(storage):
            return storage
        storage.engine.dispose()
    return reader()


def read_study(url: str, name: str) -> optuna.Study:
    """Study ``name`` for commands that only read it (a random sampler: nothing is sampled
    from it). Never creates a storage or a study: a missing one is a
    :class:`RunNotFoundError`."""
    require_storage(url)
    storage = make_reader(url)
    with storage_errors(url):
        if name not in optuna.get_all_study_names(storage):
            raise RunNotFoundError(f"no study {name!r} in {redact(url)}")
        return optuna.load_study(
            study_name=name, storage=storage, sampler=optuna.samplers.RandomSampler()
        )


#: Study names an error lists at most.
SHOWN_STUDIES = 5


def only_study_name(url: str, hint: str) -> str:
    """The name of the one study at ``url``, for a command given no sweep file; a
    :class:`RunNotFoundError` when there is none, or several (listed, then ``hint``). Never
    creates a storage."""
    require_storage(url)
    storage = make_reader(url)
    with storage_errors(url):
        names = sorted(optuna.get_all_study_names(storage))
    if len(names) == 1:
        return names[0]
    if not names:
        raise RunNotFoundError(f"no study in {redact(url)}")
    shown = ", ".join(names[:SHOWN_STUDIES])
    more = f", and {len(names) - SHOWN_STUDIES} more" if len(names) > SHOWN_STUDIES else ""
    raise RunNotFoundError(f"{len(names)} studies in {redact(url)} ({shown}{more}): {hint}")
