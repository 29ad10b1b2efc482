"""The champion model loads by alias in a fresh process, without pickle, and predicts raw rows."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import optuna
import pandas as pd
import pytest
import yaml
from mlflow import MlflowClient

from pipeline.models.ensemble import build_ensemble
from sweeps.core.dataset import load_sweep_data
from sweeps.core.trial import train_trial
from sweeps.results.champion import Choice
from sweeps.results.champion_model import estimator_of
from sweeps.spec.reading import load_config
from tests.conftest import Stores
from tests.sweeps.conftest import free_port, wait_http
from tests.sweeps.finished import Finished, churn_sweep
from tests.sweeps.helpers import run_cli, write_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def churn(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Finished:
    return churn_sweep(tmp_path_factory, migrated_mlflow_db)


# Raw rows of the churn table: missing numbers (also in an integer column), missing text and
# an unseen category.
ROWS = {
    "tenure_months": [61, 2, None],
    "contract": ["one-year", "three-year", None],
    "payment": ["card", None, "bank"],
    "monthly_charges": [float("nan"), 32.9, 54.51],
    "support_calls": [3, 2, 1],
}

# Every pickle entry point raises before MLflow is imported; the rows are then predicted.
SCRIPT = """
import json, pickle, sys

class PickleUsed(Exception):
    pass

def refuse(*args, **kwargs):
    raise PickleUsed("pickle was used")

class RefusingUnpickler(pickle.Unpickler):
    def load(self):
        refuse()

pickle.load, pickle.loads, pickle.Unpickler = refuse, refuse, RefusingUnpickler
import cloudpickle
cloudpickle.load, cloudpickle.loads = refuse, refuse

import mlflow.pyfunc
import pandas as pd

model = mlflow.pyfunc.load_model(f"models:/{sys.argv[1]}@champion")
rows = pd.DataFrame(json.loads(sys.argv[2]))
predictions = [str(p) for p in model.predict(rows)]
try:
    pickle.loads(pickle.dumps(1))
    live = False
except PickleUsed:
    live = True
print(json.dumps({"predictions": predictions, "patch_live": live}))
"""


def test_champion_predicts_raw_rows_in_a_fresh_process_without_pickle(
    churn: Finished,
) -> None:
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": churn.stores.tracking_uri,
        "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, "churn", json.dumps(ROWS)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["patch_live"] is True
    expected = [str(p) for p in _retrained_champion(churn).predict(pd.DataFrame(ROWS))]
    assert result["predictions"] == expected
    assert set(expected) <= {"yes", "no"}


def _retrained_champion(churn: Finished) -> object:
    """The champion rebuilt from its members retrained from their logged keywords (not from
    the weights it was restored from)."""
    study = churn.study()
    choice = Choice.from_dict(study.user_attrs["sweeps_champion"]["choice"])
    data = load_sweep_data(load_config(churn.config))
    trials = {t.number: t for t in study.trials}
    models = {
        m.trial: train_trial(data, estimator_of(trials[m.trial])).models for m in choice.members
    }
    groups = data.held_out()
    return build_ensemble(
        data.task,
        [prepared.preprocessor for _, prepared in groups],
        [[models[m.trial][g] for m in choice.members] for g in range(len(groups))],
        [[m.weight / len(groups) for m in choice.members] for _ in groups],
    )


def test_champion_is_the_champion_runs_skops_model(churn: Finished, tmp_path: Path) -> None:
    client = churn.client()
    version = client.get_model_version_by_alias("churn", "champion")
    assert version.run_id == churn.champion_run_id()
    assert client.get_run(version.run_id).data.tags["sweeps.role"] == "champion"
    files = {a.path for a in client.list_artifacts(version.run_id, "model")}
    assert "model/model.skops" in files
    assert not any(f.endswith((".pkl", ".pickle")) for f in files)
    mlmodel = yaml.safe_load(
        Path(client.download_artifacts(version.run_id, "model/MLmodel", str(tmp_path))).read_text()
    )
    assert mlmodel["flavors"]["sklearn"]["serialization_format"] == "skops"
    inputs = {c["name"]: c["type"] for c in json.loads(mlmodel["signature"]["inputs"])}
    assert inputs == {
        "tenure_months": "any", "contract": "string", "payment": "string",
        "monthly_charges": "double", "support_calls": "any",
    }  # fmt: skip


def test_one_champion_id_and_score_in_the_summary_best_status_mlflow_and_optuna(
    stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(
        tmp_path,
        selection={"folds": 3, "ensemble": {"top": 4, "size": 10}},
        study={"n_trials": 5, "pruner": {"type": "none"}},
    )
    assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0
    summary = capsys.readouterr().out
    run_id = re.search(r"^champion run +([0-9a-f]{32})$", summary, re.M).group(1)  # type: ignore[union-attr]
    study = optuna.load_study(study_name="tiny", storage=stores.storage_url)
    record = study.user_attrs["sweeps_champion"]
    score = record["choice"]["score"]
    assert record["run_id"] == run_id
    assert re.search(rf"^val_loss +{score:.6g}\b", summary, re.M)

    assert run_cli("best", str(config), "--format", "json", *stores.flags()[:2]) == 0
    best = json.loads(capsys.readouterr().out)["champion"]
    assert (best["run_id"], best["score"], best["metric"]) == (run_id, score, "val_loss")
    members = {m["trial"]: m["weight"] for m in record["choice"]["members"]}
    assert best["members"] == {str(k): pytest.approx(w, rel=1e-3) for k, w in members.items()}

    assert run_cli("status", str(config), *stores.study_flags()) == 0
    status = capsys.readouterr().out
    assert re.search(rf"^champion +.*: val_loss {score:.6g}, run {run_id}$", status, re.M)

    client = MlflowClient(tracking_uri=stores.tracking_uri)
    parent = client.get_run(study.user_attrs["mlflow_parent_run_id"])
    assert parent.data.tags["sweeps.champion_run_id"] == run_id
    assert parent.data.tags["sweeps.champion.score"] == f"val_loss={score!r}"
    assert parent.data.metrics["champion_val_loss"] == score
    assert client.get_run(run_id).data.metrics["val_loss"] == score
    version = client.get_model_version_by_alias("tiny", "champion")
    assert version.run_id == run_id and float(version.tags["sweeps.score"]) == score
    assert f"val_loss {score:.6g}" in version.description
    for trial, weight in members.items():
        tags = client.get_run(study.trials[trial].user_attrs["mlflow_run_id"]).data.tags
        assert float(tags["sweeps.champion.weight"]) == pytest.approx(weight, rel=1e-5)


def test_mlflow_models_serve_answers_with_the_champions_predictions(
    churn: Finished, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",  # its uvicorn
        "MLFLOW_TRACKING_URI": churn.stores.tracking_uri,
        "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    }
    cmd = [
        sys.executable, "-m", "mlflow", "models", "serve", "-m", "models:/churn@champion",
        "--env-manager", "local", "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/ping", timeout=240)
        body = json.dumps({"dataframe_split": pd.DataFrame(ROWS).to_dict(orient="split")})
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/invocations",
            data=body.replace("NaN", "null").encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    expected = [str(p) for p in _retrained_champion(churn).predict(pd.DataFrame(ROWS))]
    assert [str(p) for p in answer["predictions"]] == expected
