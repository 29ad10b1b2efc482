"""A conclusion interrupted at any step (Ctrl-C or kill -9) is finished by running the same
command again: the champion ends registered with its model, the parent run FINISHED, and the
rerun does only what was missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
from mlflow import MlflowClient

from sweeps.results.conclude import FAULT_ENV
from tests.conftest import Stores
from tests.sweeps.helpers import run_cli, write_config

pytestmark = pytest.mark.slow
#: Conclusion steps in order, as their announced lines start.
STEPS = {
    "test": "testing the champion",
    "model": "logging the champion model",
    "plots": "logging the champion's plots",
    "register": "registering model",
    "alias": "moving the champion alias",
}
SWEEPS = str(Path(sys.executable).with_name("sweeps"))


@pytest.fixture(scope="module")
def trials_done(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Path:
    """A sweep whose trials are complete and whose conclusion was interrupted before it began."""
    root = tmp_path_factory.mktemp("crash-base")
    (root / "mlruns").mkdir()
    shutil.copy(migrated_mlflow_db, root / "mlruns" / "mlflow.db")
    write_config(root, selection={"folds": 3, "ensemble": {"top": 3, "size": 5}})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(FAULT_ENV, "start:int")
        assert run_cli("run", str(root / "tiny.yaml"), "--quiet", *_stores(root).flags()) == 130
    return root


def _stores(root: Path) -> Stores:
    db = root / "mlruns"
    return Stores(db, f"sqlite:///{db / 'mlflow.db'}", f"sqlite:///{db / 'optuna.db'}")


def _copy(base: Path, tmp_path: Path) -> Path:
    root = tmp_path / "sweep"
    shutil.copytree(base, root)
    return root


def _interrupt(root: Path, fault: str) -> int:
    args = ["run", str(root / "tiny.yaml"), "--quiet", *_stores(root).flags()]
    if fault.endswith(":kill"):
        env = {**os.environ, FAULT_ENV: fault}
        return subprocess.run([SWEEPS, *args], env=env, capture_output=True, check=False).returncode
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(FAULT_ENV, fault)
        return run_cli(*args)


@pytest.mark.parametrize("signal_name", ["int", "kill"])
@pytest.mark.parametrize("step", ["select", *STEPS, "close"])
def test_a_rerun_finishes_exactly_what_the_interruption_left(
    trials_done: Path,
    tmp_path: Path,
    step: str,
    signal_name: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = _copy(trials_done, tmp_path)
    stores = _stores(root)
    assert _interrupt(root, f"{step}:{signal_name}") == (130 if signal_name == "int" else -9)
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    study = optuna.load_study(study_name="tiny", storage=stores.storage_url)
    parent = client.get_run(study.user_attrs["mlflow_parent_run_id"])
    assert parent.info.status == ("KILLED" if signal_name == "int" else "RUNNING")
    if signal_name == "int":  # every trial is done: what is left is the conclusion
        assert capsys.readouterr().err.splitlines()[-2:] == [
            "sweeps: interrupted by SIGINT: 4 of 4 trials done (4 complete), 0 left",
            "sweeps: run the same command again to conclude (choose, test, register)",
        ]
    capsys.readouterr()

    assert run_cli("run", str(root / "tiny.yaml"), *stores.flags()) == 0
    announced = capsys.readouterr().err
    missing = list(STEPS)[list(STEPS).index(step) :] if step in STEPS else []
    if step == "select":
        missing = list(STEPS)
    for name, line in STEPS.items():
        assert (f"conclusion: {line}" in announced) == (name in missing), name
    _assert_concluded(client, optuna.load_study(study_name="tiny", storage=stores.storage_url))


def _assert_concluded(client: MlflowClient, study: optuna.Study) -> None:
    record = study.user_attrs["sweeps_champion"]
    parent_id = study.user_attrs["mlflow_parent_run_id"]
    assert client.get_run(parent_id).info.status == "FINISHED"
    experiment = client.get_run(parent_id).info.experiment_id
    champions = client.search_runs([experiment], "tags.`sweeps.role` = 'champion'")
    assert [run.info.run_id for run in champions] == [record["run_id"]]
    (champion,) = champions
    assert champion.info.status == "FINISHED"
    assert {f"sweeps.conclusion.{s}" for s in STEPS} <= set(champion.data.tags)
    assert {"test_loss", "test_accuracy", "val_loss"} <= set(champion.data.metrics)
    files = {a.path for a in client.list_artifacts(record["run_id"], "model")}
    assert "model/MLmodel" in files and "model/model.skops" in files
    assert {a.path for a in client.list_artifacts(record["run_id"], "plots")}
    versions = client.search_model_versions("name = 'tiny'")
    assert [v.run_id for v in versions] == [record["run_id"]]
    alias = client.get_model_version_by_alias("tiny", "champion")
    assert alias.run_id == record["run_id"]
