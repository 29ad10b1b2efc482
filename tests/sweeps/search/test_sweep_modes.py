"""Sweep modes: the real quickstart file, multi-objective, timeout, --fresh, the grid sampler."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import optuna
import pytest
from mlflow import MlflowClient

from tests.conftest import Stores
from tests.sweeps.helpers import run_cli, write_config

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]


def test_quickstart_runs_from_the_project_root_and_prints_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ROOT / "conf/quickstart.yaml"
    with contextlib.chdir(tmp_path):  # the default stores land in ./mlruns
        code = run_cli(
            "run", str(config), "--quiet", "--trials", "3", "--set", "model.max_epochs=5"
        )
    assert code == 0
    out = capsys.readouterr().out
    for key in ("champion", "chosen by", "val_loss", "test_accuracy", "gap", "open the UI"):
        assert key in out
    assert (tmp_path / "mlruns/mlflow.db").exists() and (tmp_path / "mlruns/optuna.db").exists()
    assert (tmp_path / "mlruns/artifacts").is_dir()


def test_multi_objective_reports_the_pareto_front(
    stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    objective = {"metric": ["val_loss", "n_params"], "select_by": "val_loss"}
    study = {"n_trials": 5, "sampler": {"type": "nsga2", "options": {"population_size": 4}}}
    config = write_config(tmp_path, objective=objective, study=study)
    assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0
    out = capsys.readouterr().out
    loaded = optuna.load_study(study_name="tiny", storage=stores.storage_url)
    front = sorted(t.number for t in loaded.best_trials)
    assert re.search(rf"^pareto front +{', '.join(map(str, front))}$", out, re.MULTILINE)
    chosen = min(loaded.best_trials, key=lambda t: (t.values[0], t.number))
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    parent = client.get_run(loaded.user_attrs["mlflow_parent_run_id"])
    assert parent.data.tags["sweeps.best_trial"] == str(chosen.number)
    assert parent.data.tags["sweeps.pareto_front"] == str(front)


def test_timeout_stops_starting_trials(stores: Stores, tmp_path: Path) -> None:
    config = write_config(
        tmp_path, study={"n_trials": 500, "timeout": 2, "pruner": {"type": "none"}}
    )
    assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0
    trials = optuna.load_study(study_name="tiny", storage=stores.storage_url).trials
    assert 1 <= len(trials) < 500
    assert all(t.state.is_finished() for t in trials)


def test_fresh_starts_a_new_study_and_parent(stores: Stores, tmp_path: Path) -> None:
    config = write_config(tmp_path, study={"n_trials": 2, "pruner": {"type": "none"}})
    assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0
    first = optuna.load_study(study_name="tiny", storage=stores.storage_url)
    old = first.user_attrs["mlflow_parent_run_id"]
    assert run_cli("run", str(config), "--quiet", "--fresh", *stores.flags()) == 0
    second = optuna.load_study(study_name="tiny", storage=stores.storage_url)
    assert len(second.trials) == 2
    assert second.user_attrs["mlflow_parent_run_id"] != old


def test_grid_sampler_walks_the_grid(stores: Stores, tmp_path: Path) -> None:
    space = {
        "batch_size": {"type": "categorical", "choices": [32, 64]},
        "depth": {"type": "int", "low": 1, "high": 2},
    }
    study = {"n_trials": 4, "sampler": {"type": "grid"}, "pruner": {"type": "none"}}
    config = write_config(tmp_path, space=space, study=study)
    assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0
    trials = optuna.load_study(study_name="tiny", storage=stores.storage_url).trials
    assert sorted((t.params["batch_size"], t.params["depth"]) for t in trials) == [
        (32, 1), (32, 2), (64, 1), (64, 2),
    ]  # fmt: skip


def test_metric_of_another_task_is_a_config_error_after_inference(
    stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "table.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i % 11},{i % 7},{i * 0.37:.3f}\n" for i in range(60)))
    data = {"source": "file", "path": str(csv), "target": "y"}
    config = write_config(tmp_path, data=data, objective={"metric": "val_accuracy"})
    assert run_cli("run", str(config), *stores.flags()) == 2
    err = capsys.readouterr().err
    assert "objective.metric ['val_accuracy'] is not produced by regression" in err
    assert not (stores.root / "optuna.db").exists()


def test_the_champion_is_registered_in_the_sweeps_own_store(
    stores: Stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A registry URI in the environment (mlflow.set_registry_uri puts one there) must not
    send the model to another store than the runs."""
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", f"sqlite:///{other / 'registry.db'}")
    config = write_config(tmp_path, study={"n_trials": 1, "pruner": {"type": "none"}})
    assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0
    client = MlflowClient(tracking_uri=stores.tracking_uri, registry_uri=stores.tracking_uri)
    assert str(client.get_model_version_by_alias("tiny", "champion").version) == "1"
    assert not (other / "registry.db").exists()


def test_status_shows_the_budget_the_latest_run_set(
    stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)  # a 4-trial file
    assert run_cli("run", str(config), "--quiet", "--trials", "2", *stores.flags()) == 0
    capsys.readouterr()
    assert run_cli("status", str(config), *stores.study_flags()) == 0
    assert "budget       2 trials, 2 counted, 0 left" in capsys.readouterr().out
    assert run_cli("run", str(config), "--quiet", "--trials", "5", *stores.flags()) == 0
    capsys.readouterr()
    assert run_cli("status", str(config), *stores.study_flags()) == 0
    assert "budget       5 trials, 5 counted, 0 left" in capsys.readouterr().out
