"""Reading a study storage without Optuna's schema bookkeeping (alembic), on real SQLite and
PostgreSQL storages, and Optuna's own check for a schema sweeps does not know."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import optuna
import pytest
from optuna.storages import RDBStorage
from optuna.storages._rdb import storage as rdb

from sweeps.study.storage import read_study
from sweeps.study.unversioned import (
    KNOWN_MIGRATIONS,
    KNOWN_SCHEMA,
    installed_migrations,
    known_schema,
    open_without_alembic,
)


def _study(folder: Path, trials: int = 3) -> str:
    """A study ``s`` with ``trials`` complete trials in a new SQLite file; its URL."""
    url = f"sqlite:///{folder / 'optuna.db'}"
    study = optuna.create_study(study_name="s", storage=url)
    for number in range(trials):
        study.add_trial(optuna.trial.create_trial(value=float(number)))
    return url


def test_the_known_schema_is_the_installed_optunas_head(tmp_path: Path) -> None:
    # a new Optuna migration fails here (not a slow read path in users' hands)
    assert installed_migrations() == KNOWN_MIGRATIONS
    head = RDBStorage(_study(tmp_path, 0)).get_head_version()  # computed by alembic
    assert head == KNOWN_SCHEMA


def test_a_reader_reads_a_study_without_importing_alembic(tmp_path: Path) -> None:
    url = _study(tmp_path)
    code = f"""
        import sys
        from sweeps.study.storage import read_study
        study = read_study({url!r}, "s")
        print([t.value for t in study.trials], "alembic" in sys.modules)
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[0] == "[0.0, 1.0, 2.0] False"


def test_a_postgresql_study_is_read_at_the_known_schema(pg_database: str) -> None:
    writer = RDBStorage(pg_database)
    optuna.create_study(study_name="s", storage=writer).add_trial(
        optuna.trial.create_trial(value=1.5)
    )
    writer.engine.dispose()  # every connection closed: none left for the collector
    storage = open_without_alembic(lambda: RDBStorage(pg_database))
    assert storage is not None and known_schema(storage)
    storage.engine.dispose()
    assert [t.value for t in read_study(pg_database, "s").trials] == [1.5]


def test_another_schema_revision_meets_optunas_own_check(tmp_path: Path) -> None:
    url = _study(tmp_path)
    with sqlite3.connect(tmp_path / "optuna.db") as conn:  # as an older Optuna left it
        conn.execute("UPDATE alembic_version SET version_num = 'v3.0.0.d'")
    with pytest.raises(RuntimeError, match="no longer compatible with the table schema"):
        read_study(url, "s")
    assert rdb._VersionManager.__name__ == "_VersionManager"  # Optuna's own, put back


def test_the_version_manager_is_put_back_when_opening_fails() -> None:
    real = rdb._VersionManager

    def fails() -> RDBStorage:
        assert rdb._VersionManager is not real  # left out while the storage opens
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        open_without_alembic(fails)
    assert rdb._VersionManager is real
