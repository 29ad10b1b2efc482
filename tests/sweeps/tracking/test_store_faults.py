"""Stores that fail under a running sweep: PostgreSQL stopped, the MLflow server killed, the
artifact store unwritable, mid-trial or at start. Each ends the worker with one line naming the
store (password redacted), the running trial FAIL with that reason, nothing COMPLETE without its
artifacts, and a resume that closes what was left open and completes.

The shared PostgreSQL and MLflow servers are "stopped" for one test by a proxy in front of them
that the test cuts (tests/sweeps/proxy.py); the cut happens at a fixed epoch of a fixed trial.
"""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import optuna
import pytest
from mlflow import MlflowClient

from sweeps.search.objective import EpochReporter
from tests.conftest import Stores
from tests.sweeps.helpers import run_cli, write_config
from tests.sweeps.proxy import CuttableProxy

pytestmark = pytest.mark.slow
FAST_STUDY = {"n_trials": 4, "pruner": {"type": "none"}, "heartbeat_interval": 1, "grace_period": 2}


def _during(
    monkeypatch: pytest.MonkeyPatch, action: Callable[[EpochReporter], None], trial: int = 1
) -> None:
    """Run ``action`` once, at epoch 2 of trial ``trial``."""
    original = EpochReporter.__call__
    fired: list[bool] = []

    def hooked(self: EpochReporter, record: Any) -> None:
        if self.trial.number == trial and record.epoch == 2 and not fired:
            fired.append(True)
            action(self)
        original(self, record)

    monkeypatch.setattr(EpochReporter, "__call__", hooked)


def _config(tmp_path: Path, writer: bool | None = None) -> tuple[Path, str]:
    name = f"faults-{uuid.uuid4().hex[:8]}"  # the MLflow server is shared by the session
    tracking = {} if writer is None else {"background": writer}
    return write_config(tmp_path, name=name, study=FAST_STUDY, tracking=tracking), name


def _sweep(config: Path, tracking_uri: str, storage_url: str) -> int:
    return run_cli(
        "run", str(config), "--quiet", "--tracking-uri", tracking_uri, "--storage", storage_url
    )


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The one error line on stderr (nothing else but progress), with no traceback."""
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("sweeps: error:")]
    assert len(errors) == 1, captured.err
    assert "Traceback" not in captured.err and "UnboundLocalError" not in captured.err
    assert "s3cret" not in captured.out + captured.err
    assert "View run" not in captured.out
    return errors[0]


def _runs(client: MlflowClient, name: str) -> list[Any]:
    experiment = client.get_experiment_by_name(name)
    assert experiment is not None
    return client.search_runs([experiment.experiment_id])


def _nothing_open(client: MlflowClient, name: str, study: optuna.Study) -> None:
    assert [r.info.run_name for r in _runs(client, name) if r.info.status == "RUNNING"] == []
    assert not [t for t in study.trials if t.state.name in ("RUNNING", "WAITING")]


def _complete_runs_have_artifacts(client: MlflowClient, study: optuna.Study) -> None:
    for trial in study.trials:
        if trial.state.name == "COMPLETE":
            run_id = trial.user_attrs["mlflow_run_id"]
            assert client.get_run(run_id).info.status == "FINISHED"
            names = {a.path for a in client.list_artifacts(run_id)}
            assert {"weights.npz", "trial_config.json"} <= names, (trial.number, names)


# ---- PostgreSQL (the study storage) ---------------------------------------------------------


#: A connection that the cut killed under a library thread (Optuna's heartbeat sessions) is
#: never closed; a real process exits there. The fixture collects them in the test's teardown,
#: frozen ones too (an in-process command freezes what is alive after its imports: left frozen,
#: they were collected in whichever later test unfroze the heap, which then failed).
DEAD_CONNECTIONS = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <function BaseConnection.__del__"
    ":pytest.PytestUnraisableExceptionWarning"
)


@pytest.fixture
def pg_proxy(pg_database: str) -> Iterator[tuple[CuttableProxy, str]]:
    proxy = CuttableProxy(("127.0.0.1", 5432))
    try:
        yield proxy, pg_database.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/")
    finally:
        proxy.close()
        gc.unfreeze()
        gc.collect()  # a connection left open shows here, as this test's warning


@DEAD_CONNECTIONS
def test_postgres_stopped_mid_trial_is_one_line_and_a_resume_completes(
    pg_proxy: tuple[CuttableProxy, str],
    pg_database: str,
    stores: Stores,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    proxy, url = pg_proxy
    config, name = _config(tmp_path)
    _during(monkeypatch, lambda _reporter: proxy.cut())
    assert _sweep(config, stores.tracking_uri, url) == 1
    assert _error_line(capsys).startswith(f"sweeps: error: study storage {url}: ")
    proxy.restore()
    assert _sweep(config, stores.tracking_uri, url) == 0
    study = optuna.load_study(study_name=name, storage=pg_database)
    assert study.trials[1].state.name == "FAIL"  # stale once the database was back
    client = MlflowClient(stores.tracking_uri)
    _nothing_open(client, name, study)
    _complete_runs_have_artifacts(client, study)
    assert sum(t.state.name == "COMPLETE" for t in study.trials) == 4


@DEAD_CONNECTIONS
def test_postgres_unreachable_at_start_writes_nothing(
    pg_proxy: tuple[CuttableProxy, str],
    stores: Stores,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    proxy, url = pg_proxy
    proxy.cut()
    config, name = _config(tmp_path)
    secret = url.replace("postgres@", "postgres:s3cret@") + "?sslpassword=s3cret"
    assert _sweep(config, stores.tracking_uri, secret) == 1
    line = _error_line(capsys)
    assert line.startswith("sweeps: error: study storage postgresql+psycopg://postgres:***@")
    assert "sslpassword=***" in line and "cannot reach it" in line
    assert MlflowClient(stores.tracking_uri).get_experiment_by_name(name) is None


@DEAD_CONNECTIONS
def test_status_of_a_stopped_database_is_one_line(
    pg_proxy: tuple[CuttableProxy, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proxy, url = pg_proxy
    config, _ = _config(tmp_path)
    tracking = f"sqlite:///{tmp_path}/m.db"
    init = [sys.executable, "-m", "sweeps", "init", str(config), "--storage", url]
    subprocess.run([*init, "--tracking-uri", tracking], check=True, capture_output=True)
    proxy.cut()
    assert run_cli("status", str(config), "--storage", url) == 1
    assert _error_line(capsys).startswith(f"sweeps: error: study storage {url}: ")


# ---- the MLflow tracking server ---------------------------------------------------------------


@pytest.fixture
def server_proxy(
    mlflow_server: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[CuttableProxy, str]]:
    """The session's MLflow server behind a proxy, with a password in the URI; MLflow's retries
    shortened for the test (our bounds apply only where the user set none)."""
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0")
    port = int(mlflow_server.rsplit(":", 1)[1])
    proxy = CuttableProxy(("127.0.0.1", port))
    try:
        yield proxy, f"http://alice:s3cret@127.0.0.1:{proxy.port}"
    finally:
        proxy.close()


@pytest.mark.parametrize("writer", [False, True])
def test_a_killed_tracking_server_fails_the_trial_and_a_resume_closes_its_run(
    server_proxy: tuple[CuttableProxy, str],
    mlflow_server: str,
    stores: Stores,
    tmp_path: Path,
    writer: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    proxy, uri = server_proxy
    config, name = _config(tmp_path, writer)

    def kill_server(reporter: EpochReporter) -> None:
        reporter.run.resolved_id(wait=True)  # the run exists (the writer may lag behind)
        proxy.cut()

    _during(monkeypatch, kill_server)
    assert _sweep(config, uri, stores.storage_url) == 1
    where = f"tracking store http://alice:***@127.0.0.1:{proxy.port}: unreachable"
    assert _error_line(capsys).startswith(f"sweeps: error: {where} (")
    study = optuna.load_study(study_name=name, storage=stores.storage_url)
    assert study.trials[1].state.name == "FAIL"
    assert study.trials[1].user_attrs["reason"].startswith(where)
    proxy.restore()
    assert _sweep(config, uri, stores.storage_url) == 0
    client = MlflowClient(mlflow_server)
    study = optuna.load_study(study_name=name, storage=stores.storage_url)
    _nothing_open(client, name, study)
    _complete_runs_have_artifacts(client, study)
    (run,) = [r for r in _runs(client, name) if r.data.tags.get("sweeps.trial_number") == "1"]
    assert (run.info.status, run.data.tags["sweeps.state"]) == ("KILLED", "FAIL")
    assert run.data.tags["sweeps.reason"].startswith(where)
    assert not any("s3cret" in str(r.data) for r in _runs(client, name))


def test_predict_against_a_dead_server_is_one_line(
    server_proxy: tuple[CuttableProxy, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proxy, uri = server_proxy
    proxy.cut()
    rows = tmp_path / "rows.csv"
    rows.write_text("a,b\n1,2\n")
    assert run_cli("predict", str(rows), "--model", "any", "--tracking-uri", uri) == 1
    line = _error_line(capsys)
    assert line.startswith(f"sweeps: error: tracking store http://alice:***@127.0.0.1:{proxy.port}")
    assert "cannot reach it" in line


# ---- the artifact store -------------------------------------------------------------------------


def _block_artifacts(stores: Stores) -> Callable[[EpochReporter], None]:
    """Make the running trial's artifact folder unwritable (a file where its folder goes: root
    ignores permissions)."""

    def block(reporter: EpochReporter) -> None:
        run_id = reporter.run.resolved_id(wait=True)
        uri = MlflowClient(stores.tracking_uri).get_run(run_id).info.artifact_uri
        folder = Path(uri.removeprefix("file://")).parent
        shutil.rmtree(folder, ignore_errors=True)
        folder.write_text("blocked")
        BLOCKED.append(folder)

    return block


BLOCKED: list[Path] = []


@pytest.mark.parametrize("writer", [False, True])
def test_an_unwritable_artifact_store_never_leaves_a_complete_trial_without_artifacts(
    stores: Stores,
    tmp_path: Path,
    writer: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config, name = _config(tmp_path, writer)
    _during(monkeypatch, _block_artifacts(stores))
    assert _sweep(config, stores.tracking_uri, stores.storage_url) == 1
    line = _error_line(capsys)
    assert line.startswith(f"sweeps: error: tracking store {stores.tracking_uri}: cannot write")
    study = optuna.load_study(study_name=name, storage=stores.storage_url)
    assert [t.state.name for t in study.trials] == ["COMPLETE", "FAIL"]
    BLOCKED.pop().unlink()  # writable again
    assert _sweep(config, stores.tracking_uri, stores.storage_url) == 0
    client = MlflowClient(stores.tracking_uri)
    study = optuna.load_study(study_name=name, storage=stores.storage_url)
    _nothing_open(client, name, study)
    _complete_runs_have_artifacts(client, study)
    run = client.get_run(study.trials[1].user_attrs["mlflow_run_id"])
    assert (run.info.status, run.data.tags["sweeps.state"]) == ("KILLED", "FAIL")
    assert "cannot write artifacts" in run.data.tags["sweeps.reason"]
