"""Each store is checked to be its own tool's database before anything is created in it:
swapped stores (MLflow's database given as the study storage, Optuna's as the tracking store)
stop in one line naming the store, exit 2, with both databases as they were."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import optuna
import pytest

from sweeps.infra.databases import table_names
from tests.conftest import Stores
from tests.sweeps.battery import Failure, assert_one_line, files_under, store_contents
from tests.sweeps.helpers import run_cli, write_config

SWAPPED = "are --storage and --tracking-uri swapped?"


def _tables(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    finally:
        conn.close()


@pytest.fixture
def initialised(stores: Stores, tmp_path: Path) -> tuple[Stores, Path]:
    """Both stores of a sweep, created by ``sweeps init``, and its sweep file."""
    config = write_config(tmp_path)
    assert run_cli("init", str(config), *stores.flags()) == 0
    return stores, config


def _run(
    root: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[Failure, dict[str, str]]:
    before, contents = files_under(root), store_contents(root)
    capsys.readouterr()
    code = run_cli(*args)
    captured = capsys.readouterr()
    after = store_contents(root)
    changed = {
        k: "changed" for k in contents.keys() | after.keys() if contents.get(k) != after.get(k)
    }
    new = {f for f in files_under(root) - before if not f.endswith(("-wal", "-shm"))}
    return Failure(code, captured.out, captured.err, new), changed


@pytest.mark.parametrize("command", ["run", "worker", "init"])
def test_swapped_stores_are_refused_before_either_is_touched(
    command: str, initialised: tuple[Stores, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    stores, config = initialised
    mlflow_db, optuna_db = stores.root / "mlflow.db", stores.root / "optuna.db"
    tables = _tables(mlflow_db), _tables(optuna_db)
    flags = ["--storage", stores.tracking_uri, "--tracking-uri", stores.storage_url]
    failure, changed = _run(stores.root.parent, capsys, command, str(config), *flags)
    assert_one_line(
        failure,
        f"study storage {stores.tracking_uri} is an MLflow tracking database (it has the "
        f"tables experiments, runs), not an Optuna study one: {SWAPPED}",
    )
    assert changed == {}
    assert (_tables(mlflow_db), _tables(optuna_db)) == tables


def test_mlflow_database_as_the_study_storage_is_refused_before_an_experiment_is_made(
    initialised: tuple[Stores, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The study storage pointed at MLflow's database, the tracking store taken from the
    environment (so the sweep file cannot tell they are one): refused before the new sweep's
    experiment is created."""
    stores, config = initialised
    monkeypatch.setenv("MLFLOW_TRACKING_URI", stores.tracking_uri)
    args = ("run", str(config), "--set", "name=other", "--storage", stores.tracking_uri)
    failure, changed = _run(stores.root.parent, capsys, *args)
    assert_one_line(failure, f"study storage {stores.tracking_uri} is an MLflow tracking")
    assert changed == {}


def test_optuna_database_as_the_tracking_store(
    initialised: tuple[Stores, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    stores, config = initialised
    flags = ["--storage", stores.storage_url, "--tracking-uri", stores.storage_url]
    failure, _ = _run(stores.root.parent, capsys, "run", str(config), *flags)
    assert failure.code == 2 and "the same database as study.storage" in failure.err
    fresh = stores.root.parent / "new-optuna.db"
    flags = ["--storage", f"sqlite:///{fresh}", "--tracking-uri", stores.storage_url]
    failure, changed = _run(stores.root.parent, capsys, "run", str(config), *flags)
    assert_one_line(
        failure,
        f"tracking store {stores.storage_url} is an Optuna study database (it has the tables "
        f"studies, trials), not an MLflow tracking one: {SWAPPED}",
    )
    assert changed == {} and not fresh.exists()


@pytest.mark.parametrize("command", ["status", "report"])
def test_readers_refuse_a_swapped_storage_too(
    command: str, initialised: tuple[Stores, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    stores, config = initialised
    flags = ["--storage", stores.tracking_uri]
    if command == "report":
        flags += ["--tracking-uri", str(stores.storage_url)]
    failure, changed = _run(stores.root.parent, capsys, command, str(config), *flags)
    assert failure.code == 2 and SWAPPED in failure.err, failure
    assert failure.err.count("\n") == 1 and changed == {}
    assert failure.written == set()


@pytest.mark.postgres
def test_a_postgres_study_database_is_not_a_tracking_store(
    pg_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a database server too: an Optuna study's PostgreSQL database given to MLflow."""
    storage = optuna.storages.RDBStorage(
        pg_database.replace("postgresql://", "postgresql+psycopg://")
    )
    optuna.create_study(storage=storage, study_name="x")
    storage.engine.dispose()
    before = table_names(pg_database)
    config = write_config(tmp_path)
    local = f"sqlite:///{tmp_path / 'optuna.db'}"
    failure, _ = _run(tmp_path, capsys, "run", str(config), "--storage", local,
                      "--tracking-uri", pg_database)  # fmt: skip
    assert_one_line(failure, f"tracking store {pg_database} is an Optuna study database")
    assert table_names(pg_database) == before and "experiments" not in (before or set())
