"""End to end: `sweeps run` against real SQLite stores, checked through MlflowClient/Optuna."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import optuna
import pytest
from mlflow import MlflowClient

from sweeps.search.progress import Progress
from tests.conftest import Stores
from tests.sweeps.helpers import run_cli, write_config

pytestmark = pytest.mark.slow
# a pruned trial was scored and stopped early: not an error (its name and state tag say so)
STATUS = {"COMPLETE": "FINISHED", "PRUNED": "FINISHED", "FAIL": "FAILED"}
NAME_SUFFIX = {"COMPLETE": "", "PRUNED": " pruned", "FAIL": " fail"}


def _children(client: MlflowClient, experiment_id: str, parent_id: str) -> list:
    """The trials' runs under ``parent_id`` (the champion's run is a child too)."""
    where = f"tags.mlflow.parentRunId = '{parent_id}' and tags.`sweeps.role` = 'trial'"
    return client.search_runs([experiment_id], filter_string=where, max_results=500)


def _parents(client: MlflowClient, experiment_id: str) -> list:
    return client.search_runs([experiment_id], filter_string="tags.`sweeps.role` = 'parent'")


def test_run_records_parent_children_and_resumes(
    stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0
    out = capsys.readouterr().out
    assert "champion" in out and "champion run" in out and "sweeps ui" in out

    client = MlflowClient(tracking_uri=stores.tracking_uri)
    experiment = client.get_experiment_by_name("tiny")
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"
    (parent,) = _parents(client, experiment.experiment_id)
    assert parent.info.status == "FINISHED"
    assert {"config.json", "trials.csv"} <= {
        a.path for a in client.list_artifacts(parent.info.run_id)
    }
    assert parent.data.params["sampler.multivariate"] == "True"
    assert parent.data.metrics["trials_complete"] + parent.data.metrics["trials_pruned"] == 4
    inputs = {d.dataset.name: d.dataset for d in parent.inputs.dataset_inputs}
    assert set(inputs) == {"train", "validation", "test"}
    assert len(json.loads(inputs["train"].profile)["sha256"]) == 64
    children = _children(client, experiment.experiment_id, parent.info.run_id)
    assert len(children) == 4
    study = optuna.load_study(study_name="tiny", storage=stores.storage_url)
    assert len(study.trials) == 4
    by_run = {t.user_attrs["mlflow_run_id"]: t for t in study.trials}
    for run in children:
        trial = by_run[run.info.run_id]
        assert run.info.status == STATUS[trial.state.name]
        assert run.info.run_name == f"trial-{trial.number:03d}{NAME_SUFFIX[trial.state.name]}"
        assert run.data.tags["sweeps.trial_number"] == str(trial.number)
        assert run.data.tags["sweeps.state"] == trial.state.name
        assert len(run.data.tags["sweeps.data.fingerprint"]) == 64
        assert {"sweeps.split.train", "sweeps.git_commit", "sweeps.blas"} <= set(run.data.tags)
        assert run.data.params["learning_rate"] == str(trial.params["learning_rate"])
        assert run.data.params["max_epochs"] == "6"
        history = client.get_metric_history(run.info.run_id, "epoch/val_loss")
        assert [m.step for m in history] == list(range(1, len(history) + 1))
        assert 1 <= len(history) <= 6
        if trial.state.name == "COMPLETE":
            assert np.isclose(run.data.metrics["val_loss"], trial.value)
            names = {a.path for a in client.list_artifacts(run.info.run_id)}
            assert {"weights.npz", "trial_config.json"} <= names

    assert run_cli("run", str(config), "--quiet", "--trials", "6", *stores.flags()) == 0
    (again,) = _parents(client, experiment.experiment_id)
    assert again.info.run_id == parent.info.run_id
    assert len(_children(client, experiment.experiment_id, parent.info.run_id)) == 6
    assert len(optuna.load_study(study_name="tiny", storage=stores.storage_url).trials) == 6


def test_divergent_and_raising_trials_do_not_stop_the_sweep(
    stores: Stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sweeps.core.trial as trial

    real = trial.make_estimator

    def flaky(task: str, kwargs: dict) -> object:
        if kwargs["learning_rate"] == 0.0123:
            raise RuntimeError("boom in trial")
        return real(task, kwargs)

    monkeypatch.setattr(trial, "make_estimator", flaky)
    counted: list[tuple] = []  # what the progress bar counted, trial by trial
    count = Progress.count
    monkeypatch.setattr(
        Progress, "count", lambda self, *ended: counted.append(ended) or count(self, *ended)
    )
    space = {"learning_rate": {"type": "categorical", "choices": [1000.0, 0.0123, 0.01]}}
    model = {"optimizer": "sgd", "max_epochs": 5, "hidden_layer_sizes": [8]}
    study = {
        "n_trials": 3,
        "pruner": {"type": "none"},
        "enqueue": [{"learning_rate": 1000.0}, {"learning_rate": 0.0123}, {"learning_rate": 0.01}],
    }
    config = write_config(tmp_path, space=space, model=model, study=study)
    assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0

    trials = optuna.load_study(study_name="tiny", storage=stores.storage_url).trials
    assert [t.state.name for t in trials] == ["PRUNED", "FAIL", "COMPLETE"]
    # the bar counts each trial as Optuna recorded it, without reading it back (first the
    # trials found at the start: the three enqueued, waiting)
    waiting = [(t.number, optuna.trial.TrialState.WAITING, None) for t in trials]
    assert counted == waiting + [(t.number, t.state, t.values) for t in trials]
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    runs = {t.number: client.get_run(t.user_attrs["mlflow_run_id"]) for t in trials}
    assert runs[0].info.status == "FINISHED"  # pruned (diverged): not shown as an error
    assert runs[0].info.run_name == "trial-000 pruned"
    assert "diverged" in runs[0].data.tags["sweeps.reason"]
    assert "diverged" in trials[0].user_attrs["reason"]
    assert runs[1].info.status == "FAILED"
    assert runs[1].data.tags["sweeps.reason"] == "RuntimeError: boom in trial"
    error = client.download_artifacts(runs[1].info.run_id, "error.txt", str(tmp_path))
    text = Path(error).read_text()
    assert text.startswith("Traceback") and "RuntimeError: boom in trial" in text
    assert runs[2].info.status == "FINISHED"
    assert all(r.info.end_time is not None for r in runs.values())


def test_set_overrides_reach_the_study(stores: Stores, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    code = run_cli(
        "run", str(config), "--quiet", "--set", "study.n_trials=2",
        "--set", "model.activation=tanh", *stores.flags(),
    )  # fmt: skip
    assert code == 0
    trials = optuna.load_study(study_name="tiny", storage=stores.storage_url).trials
    assert len(trials) == 2
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    for trial in trials:
        run = client.get_run(trial.user_attrs["mlflow_run_id"])
        assert run.data.params["activation"] == "tanh"


def test_bad_config_exits_2_and_writes_nothing(
    stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, space={"depth": {"type": "int", "low": 3, "high": 1}})
    assert run_cli("run", str(config), *stores.flags()) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"sweeps: error: {config}: space.depth: low (3) must be <= high (1)"
    assert not (stores.root / "optuna.db").exists()
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    assert client.get_experiment_by_name("tiny") is None


def test_a_sweep_in_which_no_trial_completed_exits_1_with_the_first_reason(
    stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    space = {"learning_rate": {"type": "categorical", "choices": [1000.0]}}
    model = {"optimizer": "sgd", "max_epochs": 5, "hidden_layer_sizes": [8]}
    config = write_config(tmp_path, space=space, model=model, study={"n_trials": 2})
    assert run_cli("run", str(config), "--quiet", *stores.flags()) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert err[0].startswith("sweeps: error: no trial completed (2 pruned); trial 0: ")
    assert "diverged" in err[0]
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    parent_id = optuna.load_study(study_name="tiny", storage=stores.storage_url).user_attrs[
        "mlflow_parent_run_id"
    ]
    assert client.get_run(parent_id).info.status == "FAILED"
