"""`sweeps compare` on two real sweeps in one store: by sweep file and experiment name, by run
ids, as JSON and as a table; unknown names are one line."""

from __future__ import annotations

import json
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

import optuna
import pytest
import yaml
from mlflow import MlflowClient

from tests.conftest import Stores
from tests.sweeps.helpers import run_cli, write_config

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Two:
    """Sweeps alpha (seed 1, 2 trials) and beta (seed 7, 3 trials) in one pair of stores."""

    stores: Stores
    alpha: Path
    beta: Path

    def study(self, name: str) -> optuna.Study:
        return optuna.load_study(study_name=name, storage=self.stores.storage_url)

    def winner_run(self, name: str):  # type: ignore[no-untyped-def]
        """The champion's run of sweep ``name``."""
        run_id = self.study(name).user_attrs["sweeps_champion"]["run_id"]
        return MlflowClient(self.stores.tracking_uri).get_run(run_id)

    def champion_score(self, name: str) -> float:
        """The champion's validation score, as the study records it."""
        return float(self.study(name).user_attrs["sweeps_champion"]["choice"]["score"])


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Two:
    root = tmp_path_factory.mktemp("compare")
    (root / "mlruns").mkdir()
    shutil.copy(migrated_mlflow_db, root / "mlruns" / "mlflow.db")
    db = root / "mlruns"
    stores = Stores(db, f"sqlite:///{db / 'mlflow.db'}", f"sqlite:///{db / 'optuna.db'}")
    configs = []
    for name, seed, trials in (("alpha", 1, 2), ("beta", 7, 3)):
        (root / name).mkdir()
        study = {"n_trials": trials, "pruner": {"type": "none"}}
        configs.append(write_config(root / name, name=name, seed=seed, study=study))
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for config in configs:
            assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    return Two(stores, *configs)


def _compare(two: Two, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert run_cli("compare", *args, "--tracking-uri", two.stores.tracking_uri) == 0
    return capsys.readouterr().out


def test_two_sweeps_by_file_and_by_name(two: Two, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(_compare(two, capsys, str(two.alpha), "beta", "--format", "json"))
    facts = doc["facts"]
    assert facts["kind"] == ["sweep", "sweep"]
    assert facts["experiment"] == ["alpha", "beta"]
    assert facts["trials"] == ["2 complete", "3 complete"]
    assert facts["best"] == [two.champion_score("alpha"), two.champion_score("beta")]
    assert facts["champion"] == ["alpha v1", "beta v1"]
    winners = [two.winner_run(name) for name in ("alpha", "beta")]
    assert facts["run"] == [run.info.run_id for run in winners]
    assert doc["settings"] == {"sampler.seed": ["1", "7"], "seed": ["1", "7"]}
    a, b = (run.data.params for run in winners)
    assert "hidden_layer_sizes" in a and "hidden_layer_sizes" in b
    trained = sorted((set(a) | set(b)) - {"depth", "width"})  # as the sizes they became
    trained = [k for k in trained if not k.startswith("log10_")]  # copies for MLflow's charts
    assert doc["params"] == {k: [a.get(k), b.get(k)] for k in trained if a.get(k) != b.get(k)}
    assert "random_state" in doc["params"]
    a_metrics, b_metrics = (run.data.metrics for run in winners)
    assert doc["final"]["val_loss"] == [
        a_metrics["val_loss"],
        b_metrics["val_loss"],
    ]
    assert set(doc["test"]) == {k for k in a_metrics if k.startswith("test_")}
    assert doc["test"]["test_accuracy"] == [a_metrics["test_accuracy"], b_metrics["test_accuracy"]]


def test_two_runs_as_a_table(two: Two, capsys: pytest.CaptureFixture[str]) -> None:
    trials = two.study("beta").trials
    ids = [t.user_attrs["mlflow_run_id"] for t in trials[:2]]
    lines = _compare(two, capsys, *ids).splitlines()
    assert lines[0].split() == ["A:", ids[0], "B:", ids[1]]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["kind"] == ["run", "run"]
    assert rows["trial"] == ["0", "1"]
    assert "settings" not in rows  # settings are a sweep's
    assert rows["random_state"] == [
        str(t.user_attrs["estimator"]["random_state"]) for t in trials[:2]
    ]
    assert rows["val_loss"] == [f"{t.value:.6g}" for t in trials[:2]]
    assert "test_accuracy" not in rows  # the champion's run holds the test metrics


def test_a_sweep_beside_a_run(two: Two, capsys: pytest.CaptureFixture[str]) -> None:
    run_id = two.study("alpha").trials[0].user_attrs["mlflow_run_id"]
    doc = json.loads(_compare(two, capsys, "alpha", run_id, "--format", "json"))
    assert doc["facts"]["kind"] == ["sweep", "run"]
    assert doc["facts"]["trials"] == ["2 complete", None]
    assert doc["settings"] == {}


def test_an_unknown_name_is_one_line(two: Two, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("compare", "alpha", "nope", "--tracking-uri", two.stores.tracking_uri) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "",
        "sweeps: error: 'nope' is neither a sweep file, an experiment nor a run in tracking "
        f"store {two.stores.tracking_uri}\n",
    )


def test_a_run_beside_its_retrain_with_the_sizes_fixed(
    two: Two, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A trial searched by depth and width, beside the one-trial sweep `export` made of it
    (``hidden_layer_sizes`` fixed, no depth or width): the same network was trained, so no
    param differs, and the table shows no `depth 1 / -`."""
    original = two.study("alpha").trials[0]
    assert {"depth", "width"} <= set(original.params)
    exported = tmp_path / "alpha-0.yaml"
    flags = ["--tracking-uri", two.stores.tracking_uri]
    assert run_cli("export", str(two.alpha), "--trial", "0", "-o", str(exported), *flags) == 0
    assert run_cli("run", str(exported), "--quiet", *two.stores.flags()) == 0
    name = yaml.safe_load(exported.read_text())["name"]
    retrain = two.study(name).trials[0]
    assert retrain.params == {}  # nothing searched: the sizes are in `model:`
    capsys.readouterr()
    ids = [t.user_attrs["mlflow_run_id"] for t in (original, retrain)]
    doc = json.loads(_compare(two, capsys, *ids, "--format", "json"))
    assert doc["params"] == {}
    assert doc["final"]["val_loss"] == [original.value, retrain.value]
    rows = {line.split()[0] for line in _compare(two, capsys, *ids).splitlines()[1:]}
    assert not rows & {"depth", "width", "hidden_layer_sizes", "params"}


@pytest.mark.parametrize("command", ["best", "report", "status"])
def test_without_config_a_store_of_several_sweeps_lists_them_in_one_line(
    two: Two, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    client = MlflowClient(two.stores.tracking_uri)
    sweeps = sorted(  # alpha and beta, and any sweep another test of this module added
        e.name
        for e in client.search_experiments()
        if client.search_runs([e.experiment_id], "tags.`sweeps.role` = 'parent'")
    )
    assert {"alpha", "beta"} <= set(sweeps)
    flags = (
        two.stores.flags() if command == "report" else ["--tracking-uri", two.stores.tracking_uri]
    )
    if command == "status":  # reads the study storage only
        flags = ["--storage", two.stores.storage_url]
        where = f"{len(sweeps)} studies in {two.stores.storage_url}"
        hint = "give CONFIG or --study NAME (sweeps list shows the sweeps)"
    else:
        where = f"{len(sweeps)} sweeps in tracking store {two.stores.tracking_uri}"
        hint = "give CONFIG or --experiment NAME" if command == "best" else "give CONFIG"
        hint += " (sweeps list shows them)"
    assert run_cli(command, *flags) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "",
        f"sweeps: error: {where} ({', '.join(sweeps)}): {hint}\n",
    )


def test_a_long_param_is_cut_in_the_table_and_whole_in_json(
    two: Two, capsys: pytest.CaptureFixture[str]
) -> None:
    """The champion's run carries its choice's ``how`` (a paragraph): the table cuts it so the
    other rows stay short; JSON keeps it whole."""
    champion = two.study("beta").user_attrs["sweeps_champion"]["run_id"]
    trial = two.study("beta").trials[0].user_attrs["mlflow_run_id"]
    how = MlflowClient(two.stores.tracking_uri).get_run(champion).data.params["how"]
    assert len(how) > 60
    lines = _compare(two, capsys, champion, trial).splitlines()
    row = next(line for line in lines if line.split()[0] == "how")
    assert how[:59] + "…" in row and how not in row
    assert max(map(len, lines)) <= 2 * 60 + 40
    doc = json.loads(_compare(two, capsys, champion, trial, "--format", "json"))
    assert doc["params"]["how"] == [how, None]
