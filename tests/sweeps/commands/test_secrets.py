"""No secret of a store URL reaches any output: a user's password (``user:PASSWORD@``), a
query-string secret (``?password=``, ``?sslpassword=``, ``&token=``...) and a libpq
``password=`` pair are ``***`` in every line printed, every error and traceback, every param,
tag and artifact of every run, the study's attributes and the local report; MLflow's own
``View run ... at: URL`` lines are never printed.

The end-to-end part runs one real sweep against PostgreSQL (trust authentication: the
passwords in its URL are ignored by the server, not by us) and the session's MLflow server,
with a password in both URLs, then every command that reads them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import optuna
import pytest
from mlflow import MlflowClient

from sweeps.infra.urls import redact, redact_text
from sweeps.spec.schema import SweepConfig
from sweeps.study.storage import close_storages
from tests.sweeps.conftest import PG, _admin_connection, _require_postgres
from tests.sweeps.helpers import run_cli, write_config

SECRET = "s3cret"
slow = pytest.mark.slow


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("http://alice:s3cret@host:5000", "http://alice:***@host:5000"),
        ("postgresql://u@db/o?password=s3cret", "postgresql://u@db/o?password=***"),
        (
            "pg://u@db/o?sslmode=require&sslpassword=s3cret",
            "pg://u@db/o?sslmode=require&sslpassword=***",
        ),
        (
            "pg://u@db/o?PassWord=s3cret&application_name=x",
            "pg://u@db/o?PassWord=***&application_name=x",
        ),
        ("https://mlflow.example/?token=s3cret", "https://mlflow.example/?token=***"),
        ("https://h/?access_token=s3cret&x=1", "https://h/?access_token=***&x=1"),
        (
            "s3://b/p?X-Amz-Signature=s3cret&X-Amz-Credential=s3cret",
            "s3://b/p?X-Amz-Signature=***&X-Amz-Credential=***",
        ),
        ("https://h/?api_key=s3cret", "https://h/?api_key=***"),
        ("postgresql://bob:p@s3cret@db/o", "postgresql://bob:***@db/o"),
        ("postgresql://bob:a:s3cret@db/o", "postgresql://bob:***@db/o"),
        ("pg://bob:s%40s3cret@db/o?password=s3cret", "pg://bob:***@db/o?password=***"),
        ("mysql://u@h/d;password=s3cret", "mysql://u@h/d;password=***"),
        ("http://u:s3cret@host:notaport/x", "http://u:***@host:notaport/x"),
    ],
)
def test_redact_hides_every_secret_of_a_url(url: str, safe: str) -> None:
    assert redact(url) == safe
    assert SECRET not in redact_text(f"at {url} failed")


@pytest.mark.parametrize(
    "url",
    ["sqlite:////tmp/mlruns/mlflow.db", "http://127.0.0.1:5000", "pg://u@h/d?sslmode=require"],
)
def test_urls_without_secrets_are_unchanged(url: str) -> None:
    assert redact(url) == url == redact_text(url)


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("connect: host=db password=s3cret dbname=x", "connect: host=db password=*** dbname=x"),
        ("dsn password='s3 cret' user=u", "dsn password=*** user=u"),
        (
            "two: http://a:s3cret@h1/x, pg://b:s3cret@h2/y",
            "two: http://a:***@h1/x, pg://b:***@h2/y",
        ),
        (
            'FATAL: password authentication failed for "u"',
            'FATAL: password authentication failed for "u"',
        ),
        (
            "API request to http://a:s3cret@h/x?token=s3cret failed",
            "API request to http://a:***@h/x?token=*** failed",
        ),
    ],
)
def test_redact_text_hides_secrets_in_messages(text: str, safe: str) -> None:
    assert redact_text(text) == safe


LOGGED = """
import logging, warnings
from sweeps.cli import quiet_libraries
quiet_libraries()
logging.getLogger("mlflow.store").warning("failed at http://a:s3cret@h:5000/?token=s3cret")
warnings.warn("retrying postgresql://u:s3cret@db/o?sslpassword=s3cret")
"""


def test_library_log_lines_and_warnings_are_redacted() -> None:
    done = subprocess.run([sys.executable, "-c", LOGGED], capture_output=True, text=True)
    assert done.stderr.splitlines() == [
        "WARNING mlflow.store: failed at http://a:***@h:5000/?token=***",
        "sweeps: warning: retrying postgresql://u:***@db/o?sslpassword=***",
    ]


def test_the_logged_config_redacts_every_store_url() -> None:
    cfg = SweepConfig.model_validate(
        {
            "name": "x",
            "data": {"source": "builtin", "name": "breast_cancer"},
            "study": {"storage": "postgresql://u@db/o?password=s3cret"},
            "tracking": {
                "uri": "http://alice:s3cret@h:5000",
                "artifact_location": "s3://bucket/a?X-Amz-Signature=s3cret",
            },
        }
    )
    assert SECRET not in json.dumps(cfg.public_dict())


# ---- end to end -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Swept:
    """A finished sweep whose store URLs hold secrets, and what its run printed."""

    config: Path
    storage: str
    tracking: str
    plain_tracking: str
    name: str
    printed: str


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory, mlflow_server: str) -> Iterator[Swept]:
    _require_postgres()
    db = f"sweeps_secrets_{uuid.uuid4().hex[:8]}"
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    folder = tmp_path_factory.mktemp("secrets")
    name = f"secrets-{uuid.uuid4().hex[:6]}"
    query = f"sslpassword={SECRET}&password={SECRET}"
    storage = PG.replace("postgres@", f"postgres:{SECRET}@") + f"/{db}?{query}"
    tracking = mlflow_server.replace("http://", f"http://alice:{SECRET}@")
    config = write_config(folder, name=name, study={"n_trials": 3, "pruner": {"type": "none"}})
    command = [sys.executable, "-m", "sweeps", "run", str(config), "--storage", storage]
    done = subprocess.run([*command, "--tracking-uri", tracking], capture_output=True, text=True)
    printed = done.stdout + done.stderr
    assert done.returncode == 0, printed
    yield Swept(config, storage, tracking, mlflow_server, name, printed)
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def _storages_closed() -> Iterator[None]:
    """Commands run in this process leave pooled PostgreSQL connections: closed after each."""
    yield
    close_storages()


def _clean(text: str) -> None:
    assert SECRET not in text
    assert "View run" not in text


@slow
def test_the_run_prints_no_secret_and_no_mlflow_url_lines(swept: Swept) -> None:
    _clean(swept.printed)
    assert "alice:***@" in swept.printed or "sweeps ui" in swept.printed


@slow
def test_no_param_tag_or_artifact_of_any_run_holds_a_secret(swept: Swept, tmp_path: Path) -> None:
    client = MlflowClient(swept.plain_tracking)
    experiment = client.get_experiment_by_name(swept.name)
    assert experiment is not None
    runs = client.search_runs([experiment.experiment_id])
    assert len(runs) >= 4  # the parent and three trials
    names: set[str] = set()
    parent = next(r for r in runs if r.data.tags.get("sweeps.role") == "parent")
    assert parent.data.tags["sweeps.storage"].endswith("sslpassword=***&password=***")
    for run in runs:
        _clean(json.dumps({"params": run.data.params, "tags": run.data.tags}))
        folder = Path(client.download_artifacts(run.info.run_id, "", str(tmp_path / "a")))
        files = [p for p in folder.rglob("*") if p.is_file()]
        for path in files:
            assert SECRET.encode() not in path.read_bytes(), path
        names.update(p.name for p in files)
        shutil.rmtree(folder)
    assert {"config.json", "trial_config.json", "report.md", "report.html"} <= names


@slow
def test_the_study_holds_no_secret(swept: Swept) -> None:
    storage = optuna.storages.RDBStorage(swept.storage)
    study_id = storage.get_study_id_from_name(swept.name)
    attrs = [storage.get_study_user_attrs(study_id), storage.get_study_system_attrs(study_id)]
    _clean(json.dumps(attrs, default=str))
    for trial in storage.get_all_trials(study_id):
        _clean(json.dumps([trial.user_attrs, trial.system_attrs, trial.params], default=str))
    storage.engine.dispose()


@slow
@pytest.mark.parametrize(
    "command",
    [
        ["status", "{config}", "--storage", "{storage}"],
        ["list", "--storage", "{storage}", "--tracking-uri", "{tracking}", "--format", "json"],
        ["best", "{config}", "--tracking-uri", "{tracking}", "--storage", "{storage}"],
        ["compare", "{name}", "{name}", "--tracking-uri", "{tracking}"],
        ["export", "{config}", "--tracking-uri", "{tracking}", "--storage", "{storage}"],
        [
            "report",
            "{config}",
            "--tracking-uri",
            "{tracking}",
            "--storage",
            "{storage}",
            "-o",
            "{o}",
        ],
        ["status", "{config}", "--storage", "{missing}"],  # no such database: an error line
        ["predict", "{config}", "--model", "nope", "--tracking-uri", "{tracking}", "--debug"],
    ],
)
def test_every_command_prints_no_secret(
    swept: Swept, command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values = {
        "config": str(swept.config), "storage": swept.storage, "tracking": swept.tracking,
        "name": swept.name, "o": str(tmp_path / "report"),
        "missing": swept.storage.replace("/sweeps_secrets_", "/nonexistent_"),
    }  # fmt: skip
    args = [part.format(**values) for part in command]
    if "best" in args or "export" in args:
        args = [a for a in args if a not in ("--storage", swept.storage)]
    run_cli(*args)
    captured = capsys.readouterr()
    _clean(captured.out + captured.err)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
