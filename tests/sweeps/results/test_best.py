"""`sweeps best` on a finished sweep: JSON against Optuna's best trial, CSV, table, bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import optuna
import pytest
import yaml

from tests.conftest import Stores
from tests.sweeps.finished import Finished, tiny_sweep
from tests.sweeps.helpers import run_cli, write_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Finished:
    return tiny_sweep(tmp_path_factory, migrated_mlflow_db)


def _best(sweep: Finished, *args: str) -> int:
    return run_cli("best", *args, "--tracking-uri", sweep.stores.tracking_uri)


def test_json_matches_the_optuna_study(tiny: Finished, capsys: pytest.CaptureFixture[str]) -> None:
    assert _best(tiny, str(tiny.config), "--format", "json", "--top", "3") == 0
    doc = json.loads(capsys.readouterr().out)
    study = tiny.study()
    best = study.best_trial
    assert (doc["study"], doc["metric"], doc["direction"]) == ("tiny", "val_loss", "minimize")
    top = doc["trials"][0]
    assert (top["number"], top["value"], top["params"]) == (best.number, best.value, best.params)
    assert top["run_id"] == best.user_attrs["mlflow_run_id"]
    assert top["metrics"]["val_loss"] == best.value
    complete = sorted(
        (t for t in study.trials if t.state.name == "COMPLETE"), key=lambda t: t.value
    )
    assert len(complete) == 2  # 3 asked, only COMPLETE trials are ranked
    assert [(t["rank"], t["number"]) for t in doc["trials"]] == [(1, complete[0].number), (2, 1)]
    assert [t["value"] for t in doc["trials"]] == [t.value for t in complete]
    assert set(top["metrics"]) == {
        "train_loss", "val_loss", "val_accuracy",
        "n_params", "n_epochs", "best_epoch",
    }  # fmt: skip


def test_csv_by_experiment_uses_the_parent_runs_metric(
    tiny: Finished, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _best(tiny, "--experiment", "tiny", "--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    trials = tiny.study().trials
    assert [int(r["trial"]) for r in rows] == [0, 1]
    header = list(rows[0])
    assert header[:5] == ["rank", "trial", "run_id", "val_loss", "champion"]
    assert sorted(header[5:9]) == ["batch_size", "depth", "learning_rate", "width"]
    weights = {m["trial"]: m["weight"] for m in tiny.champion()["members"]}
    assert {int(r["trial"]): r["champion"] for r in rows} == {
        int(r["trial"]): f"{weights[int(r['trial'])]:.2f}" if int(r["trial"]) in weights else ""
        for r in rows
    }
    for row in rows:
        trial = trials[int(row["trial"])]
        assert float(row["val_loss"]) == trial.value
        assert float(row["learning_rate"]) == trial.params["learning_rate"]
        assert int(row["width"]) == trial.params["width"]
        assert row["run_id"] == trial.user_attrs["mlflow_run_id"]


def test_table_and_direction_from_the_config(
    tiny: Finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = yaml.safe_load(tiny.config.read_text())
    raw["objective"] = {"metric": "val_accuracy"}
    config = tmp_path / "by_accuracy.yaml"
    config.write_text(yaml.safe_dump(raw))
    assert _best(tiny, str(config), "--top", "1") == 0
    champion_line, *lines = capsys.readouterr().out.splitlines()
    champion = tiny.champion()
    assert champion_line.startswith("champion: ")
    assert champion_line.endswith(
        f"; {champion['metric']} {champion['score']:.6g}; run "
        f"{tiny.study().user_attrs['sweeps_champion']['run_id']}"
    )
    assert lines[0] == "study tiny: top 1 by val_accuracy (maximize)"
    assert lines[1].split()[:5] == ["rank", "trial", "run_id", "val_accuracy", "champion"]
    assert len(lines) == 3
    client = tiny.client()
    accuracy = {
        n: client.get_run(tiny.run_id(n)).data.metrics["val_accuracy"]
        for n in tiny.numbers("COMPLETE")
    }
    winner = max(sorted(accuracy), key=lambda n: accuracy[n])  # ties: the earlier trial
    assert lines[2].split()[1:4] == [
        str(winner),
        tiny.run_id(winner),
        f"{accuracy[winner]:.6g}",
    ]


def test_unknown_experiment_exits_2_with_one_line(
    tiny: Finished, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _best(tiny, "--experiment", "nope") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        f"sweeps: error: no experiment 'nope' in tracking store {tiny.stores.tracking_uri}"
    )


def test_missing_store_is_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none" / "mlflow.db"
    code = run_cli("best", "--experiment", "x", "--tracking-uri", f"sqlite:///{missing}")
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err == f"sweeps: error: no tracking store at {missing} (give --tracking-uri)"
    assert not missing.parent.exists()


def test_config_and_experiment_together_is_a_usage_error(
    tiny: Finished, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _best(tiny, str(tiny.config), "--experiment", "tiny") == 2
    assert capsys.readouterr().err == (  # one line, like every mistake
        "sweeps: error: give either CONFIG or --experiment NAME (see: sweeps best --help)\n"
    )


def test_without_config_the_only_sweep_of_the_store_is_used(
    tiny: Finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`best`, `status` and `report` with no CONFIG read the store's one sweep: the same
    output as with its sweep file."""
    tracking, storage = tiny.stores.tracking_uri, tiny.stores.storage_url
    assert _best(tiny, str(tiny.config), "--format", "json") == 0
    with_config = capsys.readouterr().out
    assert _best(tiny, "--format", "json") == 0
    assert capsys.readouterr().out == with_config and json.loads(with_config)["study"] == "tiny"

    assert run_cli("status", str(tiny.config), "--storage", storage) == 0
    with_config = capsys.readouterr().out
    assert run_cli("status", "--storage", storage) == 0
    assert capsys.readouterr().out == with_config
    assert with_config.startswith(f"study        tiny on {storage}\n")

    reports = []
    for args in ([str(tiny.config)], []):
        out = tmp_path / f"report{len(reports)}"
        flags = ["--tracking-uri", tracking, "--storage", storage, "-o", str(out)]
        assert run_cli("report", *args, *flags) == 0
        assert capsys.readouterr().out.startswith(f"report  {out / 'report.html'} ")
        reports.append((out / "report.md").read_text())
    assert reports[1] == reports[0] and "tiny" in reports[0]


def test_after_a_fresh_start_only_the_new_sweeps_trials_are_ranked(
    stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`run --fresh` replaces the study; the replaced sweep's runs stay in MLflow, and `best`
    must not list them beside the new ones (it listed two trial 0s)."""
    config = str(write_config(tmp_path, study={"n_trials": 2, "pruner": {"type": "none"}}))
    assert run_cli("run", config, "--quiet", *stores.flags()) == 0
    assert run_cli("run", config, "--quiet", "--fresh", "--trials", "1", *stores.flags()) == 0
    capsys.readouterr()
    assert run_cli("best", config, "--format", "json", "--tracking-uri", stores.tracking_uri) == 0
    doc = json.loads(capsys.readouterr().out)
    study = optuna.load_study(study_name="tiny", storage=stores.storage_url)
    assert len(study.trials) == 1
    assert [(t["number"], t["run_id"]) for t in doc["trials"]] == [
        (0, study.trials[0].user_attrs["mlflow_run_id"])
    ]
