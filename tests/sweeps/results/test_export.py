"""`sweeps export` on the tiny sweep's real stores, and `sweeps run` of what it printed: the
single trial trains with exactly the exported trial's keywords (and, for trial 0, retrains it
bit for bit)."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest
import yaml
from mlflow import MlflowClient

from sweeps.core.trial import trial_seed
from sweeps.records import is_kept_metric
from tests.conftest import Stores
from tests.sweeps.finished import Finished, tiny_sweep
from tests.sweeps.helpers import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Finished:
    return tiny_sweep(tmp_path_factory, migrated_mlflow_db)


def _export(tiny: Finished, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert run_cli("export", *args, "--tracking-uri", tiny.stores.tracking_uri) == 0
    return capsys.readouterr().out


def _rerun(text: str, folder: Path, stores: Stores) -> optuna.trial.FrozenTrial:
    path = folder / "pinned.yaml"
    path.write_text(text)
    assert run_cli("run", str(path), "--quiet", *stores.flags()) == 0
    name = yaml.safe_load(text)["name"]
    (trial,) = optuna.load_study(study_name=name, storage=stores.storage_url).trials
    assert trial.state.name == "COMPLETE"
    return trial


def test_the_winner_reruns_with_its_keywords(
    tiny: Finished, stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _export(tiny, capsys, str(tiny.config))
    raw = yaml.safe_load(text)
    winner = tiny.study().best_trial
    original = yaml.safe_load(tiny.config.read_text())
    assert raw["name"] == "tiny-best"
    assert (raw["space"], raw["study"]["n_trials"]) == ({}, 1)
    assert (raw["seed"], raw["data"], raw["split"]) == (1, original["data"], original["split"])
    assert raw["model"] == winner.user_attrs["estimator"]  # the seed too
    rerun = _rerun(text, tmp_path, stores)
    assert rerun.params == {}
    assert rerun.user_attrs["estimator"] == raw["model"]
    assert rerun.values == winner.values  # bit for bit, whichever trial won


@pytest.mark.parametrize("number", [0, 1])
def test_any_trial_retrains_bit_for_bit(
    tiny: Finished,
    stores: Stores,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    number: int,
) -> None:
    """Trial 0 and trial 1 alike: the file pins the trial's own seed (the README says so)."""
    text = _export(tiny, capsys, str(tiny.config), "--trial", str(number))
    winner = tiny.study().best_trial.number
    name = "tiny-best" if winner == number else f"tiny-trial-{number}"
    assert yaml.safe_load(text)["name"] == name
    assert "it retrains bit for bit" in text
    rerun = _rerun(text, tmp_path, stores)
    original = tiny.study().trials[number]
    assert original.state.name == "COMPLETE"
    assert rerun.user_attrs["estimator"] == original.user_attrs["estimator"]
    assert rerun.values == original.values
    old = tiny.client().get_run(tiny.run_id(number)).data
    new = MlflowClient(stores.tracking_uri).get_run(rerun.user_attrs["mlflow_run_id"]).data
    assert new.tags["sweeps.weights_sha256"] == old.tags["sweeps.weights_sha256"]
    finals = {k: v for k, v in old.metrics.items() if is_kept_metric(k)}
    assert finals and {k: new.metrics[k] for k in finals} == finals


def test_another_trial_by_run_id(tiny: Finished, capsys: pytest.CaptureFixture[str]) -> None:
    winner = tiny.study().best_trial.number
    other = 1 - winner  # trials 0 and 1 are the COMPLETE ones
    text = _export(tiny, capsys, "--run", tiny.run_id(other))
    raw = yaml.safe_load(text)
    assert raw["name"] == f"tiny-trial-{other}"
    estimator = tiny.study().trials[other].user_attrs["estimator"]
    assert raw["model"] == estimator
    assert estimator["random_state"] == trial_seed(1, other)  # its own seed, pinned


def test_an_output_file_and_a_name(
    tiny: Finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "one.yaml"
    assert run_cli(
        "export", str(tiny.config), "--name", "mine", "-o", str(out),
        "--tracking-uri", tiny.stores.tracking_uri,
    ) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "",
        f"sweeps: wrote {out}: run it with: sweeps run {out}\n",
    )
    assert yaml.safe_load(out.read_text())["name"] == "mine"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trial", "9"], "sweeps: error: study 'tiny' has no trial 9"),
        (["--run", "PARENT"], "sweeps: error: run PARENT is not a sweep trial"),
    ],
)
def test_bad_choices_exit_2_with_one_line(
    tiny: Finished, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = tiny.study().user_attrs["mlflow_parent_run_id"]
    args = [a.replace("PARENT", parent) for a in args]
    config = [] if "--run" in args else [str(tiny.config)]
    assert run_cli("export", *config, *args, "--tracking-uri", tiny.stores.tracking_uri) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", message.replace("PARENT", parent) + "\n")


def test_config_or_run(tiny: Finished) -> None:
    assert run_cli("export", "--tracking-uri", tiny.stores.tracking_uri) == 2
    code = run_cli("export", str(tiny.config), "--run", "x", "--tracking-uri", "sqlite:///x.db")
    assert code == 2
