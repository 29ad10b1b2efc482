"""Distributed: workers share a PostgreSQL-backed study and log to a real MLflow server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlflow import MlflowClient

from tests.sweeps.search.test_workers import assert_consistent, slow_config
from tests.sweeps.workers import load, start

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
SECRET = "s3cr3t-pw"


def test_four_workers_on_postgres_and_an_mlflow_server(
    pg_database: str, mlflow_server: str, tmp_path: Path
) -> None:
    # trust auth ignores the password; it is there to prove it never leaks
    storage = pg_database.replace("postgres@", f"postgres:{SECRET}@")
    flags = ["--storage", storage, "--tracking-uri", mlflow_server]
    config = slow_config(tmp_path, 8)
    procs = [start("worker", config, flags) for _ in range(4)]
    outputs = []
    codes = []
    for proc in procs:
        out, err = proc.communicate(timeout=400)
        outputs.append(out + err)
        codes.append(proc.returncode)
    assert codes == [0, 0, 0, 0], outputs
    assert not [o for o in outputs if SECRET in o]

    client = MlflowClient(tracking_uri=mlflow_server)
    children = assert_consistent(client, pg_database, budget=8)
    assert len(children) == 8
    assert len({t.user_attrs["worker"] for t in load(pg_database).trials}) >= 2
    _assert_no_secret_in_run_data(client, children + _parents(client))
    complete = [r for r in children if r.info.status == "FINISHED"]
    names = {a.path for a in client.list_artifacts(complete[0].info.run_id)}
    assert {"weights.npz", "trial_config.json"} <= names
    config_text = Path(client.download_artifacts(complete[0].info.run_id, "trial_config.json"))
    assert "***" in json.loads(config_text.read_text())["config"]["study"]["storage"]
    (version,) = client.search_model_versions("name = 'tiny'")
    assert {a.path for a in client.list_artifacts(version.run_id, "model")} >= {"model/MLmodel"}


def _parents(client: MlflowClient) -> list:
    experiment = client.get_experiment_by_name("tiny")
    return client.search_runs(
        [experiment.experiment_id], filter_string="tags.`sweeps.role` = 'parent'"
    )


def _assert_no_secret_in_run_data(client: MlflowClient, runs: list) -> None:
    for run in runs:
        blob = json.dumps([run.data.tags, run.data.params])
        assert SECRET not in blob, run.info.run_id
    parent = _parents(client)[0]
    config = Path(client.download_artifacts(parent.info.run_id, "config.json")).read_text()
    assert SECRET not in config
