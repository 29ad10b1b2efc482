"""`sweeps list` on a finished sweep's real stores: counts live from the study or as concluded,
the winner's value, the champion, the last run; stores that are missing are never created."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import optuna
import pytest

from sweeps.records import quote
from tests.sweeps.finished import Finished, tiny_sweep
from tests.sweeps.helpers import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Finished:
    return tiny_sweep(tmp_path_factory, migrated_mlflow_db)


def _list_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert run_cli("list", "--format", "json", *args) == 0
    return json.loads(capsys.readouterr().out)


def _expected_counts(sweep: Finished) -> dict[str, int]:
    states = [t.state.name for t in sweep.study().trials]
    return {s: states.count(s) for s in ("COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING")}


def _latest_start_ms(sweep: Finished) -> int:
    experiment = sweep.client().get_experiment_by_name(sweep.name)
    runs = sweep.client().search_runs(
        [experiment.experiment_id],
        f"tags.`sweeps.study` = {quote(sweep.name)}",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    return runs[0].info.start_time


def test_live_counts_winner_and_champion(
    tiny: Finished, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _list_json(capsys, *tiny.stores.flags())
    assert doc["storage"] == tiny.stores.storage_url
    (sweep,) = doc["sweeps"]
    study = tiny.study()
    assert (sweep["experiment"], sweep["study"], sweep["status"]) == ("tiny", "tiny", "FINISHED")
    assert sweep["counts"] == _expected_counts(tiny) == {
        "COMPLETE": 2, "PRUNED": 2, "FAIL": 0, "RUNNING": 0, "WAITING": 0,
    }  # fmt: skip
    assert sweep["counts_from"] == "study"
    assert (sweep["metric"], sweep["direction"]) == ("val_loss", "minimize")
    champion = study.user_attrs["sweeps_champion"]
    assert (sweep["best"], sweep["best_from"]) == (champion["choice"]["score"], "champion")
    assert sweep["champion_run_id"] == champion["run_id"]
    assert sweep["parent_run_id"] == study.user_attrs["mlflow_parent_run_id"]
    version = tiny.client().get_model_version_by_alias("tiny", "champion")
    assert sweep["champion"] == {
        "model": "tiny", "version": str(version.version), "run_id": version.run_id,
    }  # fmt: skip
    latest = dt.datetime.fromtimestamp(_latest_start_ms(tiny) / 1000, tz=dt.UTC)
    assert sweep["last_activity"] == latest.isoformat(timespec="milliseconds")


def test_without_a_storage_counts_are_the_concluded_ones(
    tiny: Finished,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no mlruns/optuna.db here: nothing live to read
    doc = _list_json(capsys, "--tracking-uri", tiny.stores.tracking_uri)
    assert doc["storage"] is None
    (sweep,) = doc["sweeps"]
    assert (sweep["counts"], sweep["counts_from"]) == (_expected_counts(tiny), "parent run")
    assert sweep["best"] == tiny.champion()["score"]
    assert not (tmp_path / "mlruns").exists()


def test_an_unrelated_study_of_the_same_name_lends_no_counts(
    tiny: Finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = f"sqlite:///{tmp_path / 'other.db'}"
    other = optuna.create_study(study_name="tiny", storage=storage)
    other.enqueue_trial({})  # one WAITING trial, which the listing must not show
    doc = _list_json(capsys, "--tracking-uri", tiny.stores.tracking_uri, "--storage", storage)
    (sweep,) = doc["sweeps"]
    assert (sweep["counts"], sweep["counts_from"]) == (_expected_counts(tiny), "parent run")


def test_table(tiny: Finished, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("list", *tiny.stores.flags()) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split() == [
        "sweep", "study", "status", "complete", "pruned", "fail", "running", "counts", "metric",
        "best", "champion", "last", "activity",
    ]  # fmt: skip
    version = tiny.client().get_model_version_by_alias("tiny", "champion").version
    best = f"{tiny.champion()['score']:.6g}"
    assert row.split()[:12] == [
        "tiny", "tiny", "finished", "2", "2", "0", "0", "live", "val_loss", best, "tiny",
        f"v{version}",
    ]  # fmt: skip


@pytest.mark.parametrize("flag", ["--tracking-uri", "--storage"])
def test_a_missing_store_is_one_line_and_not_created(
    flag: str, tiny: Finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none" / "x.db"
    args = {"--tracking-uri": tiny.stores.tracking_uri, flag: f"sqlite:///{missing}"}
    assert run_cli("list", *(part for pair in args.items() for part in pair)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    kind = "tracking store" if flag == "--tracking-uri" else "study storage"
    assert captured.err.startswith(f"sweeps: error: no {kind} at {missing}")
    assert len(captured.err.splitlines()) == 1
    assert not missing.parent.exists()


def test_the_default_storage_is_read_when_it_exists(
    tiny: Finished, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tiny.stores.root.parent)  # holds mlruns/optuna.db
    doc = _list_json(capsys, "--tracking-uri", tiny.stores.tracking_uri)
    assert doc["storage"] == "sqlite:///mlruns/optuna.db"
    (sweep,) = doc["sweeps"]
    assert (sweep["counts"], sweep["counts_from"]) == (_expected_counts(tiny), "study")
