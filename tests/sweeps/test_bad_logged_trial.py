"""`sweeps reproduce` of a trial whose trial_config.json was tampered with: refused with one
line naming the run, the file and the key, exit 2, before an estimator is built, and nothing
written. Run in a child capped at 1 GiB above its imports: the network of the first case
has 1.4 x 10^11 parameters (over 500 GB)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import optuna
import pytest
from mlflow import MlflowClient

from tests.conftest import Stores
from tests.sweeps.battery import Failure, assert_one_line, files_under
from tests.sweeps.capped import run_capped
from tests.sweeps.helpers import run_cli, write_config

pytestmark = pytest.mark.slow


def _bigger_space(logged: dict[str, Any]) -> None:
    logged["config"]["space"]["width"]["high"] = 10**9


#: (id, how trial_config.json is changed, what the line says after "run ID: trial_config.json").
TAMPERED: list[tuple[str, Any, str]] = [
    (
        "huge-network",
        lambda logged: logged["estimator"].update(hidden_layer_sizes=[100_000] * 15),
        ": estimator: model.hidden_layer_sizes: 100,000 is above limits.max_width (4,096)",
    ),
    (
        "unknown-keyword",
        lambda logged: logged["estimator"].update(unitz=5),
        ": estimator: unknown keyword(s) of the classification MLP ['unitz']",
    ),
    (
        "bad-value",
        lambda logged: logged["estimator"].update(activation="elu"),
        ": estimator: activation must be one of 'relu', 'tanh', 'sigmoid'; got 'elu'",
    ),
    (
        "config-too-big",
        _bigger_space,
        ": config.space.width: 1,000,000,000 is above limits.max_width (4,096)",
    ),
]


def _artifact(client: MlflowClient, run_id: str) -> Path:
    uri = client.get_run(run_id).info.artifact_uri
    return Path(urlparse(uri).path if uri.startswith("file:") else uri) / "trial_config.json"


def test_a_tampered_logged_trial_is_refused_in_one_line(tmp_path: Path, stores: Stores) -> None:
    study = {"n_trials": len(TAMPERED), "pruner": {"type": "none"}}
    config = write_config(tmp_path, study=study, tracking={"register_model": False})
    assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0
    trials = optuna.load_study(study_name="tiny", storage=stores.storage_url).trials
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    run_ids = [t.user_attrs["mlflow_run_id"] for t in trials]
    for run_id, (_, tamper, _) in zip(run_ids, TAMPERED, strict=True):
        path = _artifact(client, run_id)
        logged = json.loads(path.read_text())
        tamper(logged)
        path.write_text(json.dumps(logged))
    before = files_under(tmp_path)
    runs_before = len(client.search_runs([client.get_experiment_by_name("tiny").experiment_id]))
    jobs = [
        {"mode": "cli", "args": ["reproduce", run_id, "--tracking-uri", stores.tracking_uri]}
        for run_id in run_ids
    ]
    report = run_capped(jobs, cwd=tmp_path)
    written = files_under(tmp_path) - before
    for run_id, (case, _, expected), result in zip(
        run_ids, TAMPERED, report["results"], strict=True
    ):
        assert result["error"] is None, (case, result["error"])
        failure = Failure(result["code"], result["out"], result["err"], written)
        assert_one_line(failure, f"run {run_id}: trial_config.json{expected}")
    assert len(client.search_runs([client.get_experiment_by_name("tiny").experiment_id])) == (
        runs_before
    )
