"""Study plots and the sweep report: drawn from real Optuna studies, logged on real parent runs."""

from __future__ import annotations

import re
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.image
import numpy as np
import optuna
import pytest
from mlflow import MlflowClient

from sweeps.report.markdown import table
from sweeps.report.study_plots import PLOTS, PlotTarget, make_study_plots
from tests.conftest import Stores
from tests.sweeps.helpers import run_cli, write_config

SINGLE = ["optimization_history", "param_importances", "parallel_coordinate", "slice"]
TARGET = PlotTarget(("val_loss",), "val_loss", seed=3)


def assert_picture(path: Path) -> None:
    """The file is a PNG that decodes to a non-blank picture."""
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
    pixels = matplotlib.image.imread(path)[..., :3]
    assert pixels.shape[0] > 100 and pixels.shape[1] > 100, path
    assert pixels.std() > 0.01, f"{path} is blank"
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 10, f"{path} has too few colours"


def _study(n: int, params: bool = True, report: bool = True, high: int = 4) -> optuna.Study:
    """A real in-memory study with ``n`` completed trials."""

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 1e-3, 1.0, log=True) if params else 0.5
        y = trial.suggest_int("y", 1, high) if params else 2
        for epoch in range(1, 4):
            if report:
                trial.report(x * y / epoch, epoch)
        return x * y

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=n)
    return study


def test_every_single_objective_plot_is_a_picture(tmp_path: Path) -> None:
    style = dict(matplotlib.rcParams)
    plots = make_study_plots(_study(5), TARGET, tmp_path, html=False)
    assert sorted(plots.png) == sorted([*SINGLE, "intermediate_values"])
    assert plots.skipped == {"pareto_front": "only for studies with 2 or 3 objectives"}
    assert plots.failed == {}
    for path in plots.png.values():
        assert_picture(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in plots.png.values())
    assert dict(matplotlib.rcParams) == style, "Optuna's ggplot style leaked out"
    assert not matplotlib.pyplot.get_fignums(), "figures left open"


def test_plots_that_cannot_be_drawn_are_skipped_with_a_reason(tmp_path: Path) -> None:
    one = make_study_plots(_study(1), TARGET, tmp_path / "one", html=False)
    assert one.skipped["param_importances"] == "needs at least 2 completed trials"
    assert "optimization_history" in one.png

    fixed = make_study_plots(_study(3, params=False), TARGET, tmp_path / "fixed", html=False)
    for name in ("param_importances", "parallel_coordinate", "slice"):
        assert fixed.skipped[name] == "nothing was searched (no parameters)"

    silent = make_study_plots(_study(3, report=False), TARGET, tmp_path / "silent", html=False)
    assert silent.skipped["intermediate_values"] == "no trial reported per-epoch values"

    empty = make_study_plots(optuna.create_study(), TARGET, tmp_path / "empty", html=False)
    assert empty.png == {} and empty.failed == {}
    assert empty.skipped["optimization_history"] == "no trial completed"
    assert list((tmp_path / "empty").iterdir()) == []


def test_a_parameter_every_trial_shares_is_still_drawn(tmp_path: Path) -> None:
    plots = make_study_plots(_study(3, high=1), TARGET, tmp_path, html=False)
    assert plots.failed == {}
    assert_picture(plots.png["slice"])
    assert_picture(plots.png["parallel_coordinate"])


def test_learning_curves_of_many_trials_keep_a_sane_size(tmp_path: Path) -> None:
    plots = make_study_plots(_study(30), TARGET, tmp_path, html=False)
    height, width = matplotlib.image.imread(plots.png["intermediate_values"]).shape[:2]
    assert height < 600 and width < 900


def test_parameter_importances_are_seeded(tmp_path: Path) -> None:
    study = _study(8)
    first = make_study_plots(study, TARGET, tmp_path / "a", html=False)
    again = make_study_plots(study, TARGET, tmp_path / "b", html=False)
    name = "param_importances"
    assert first.png[name].read_bytes() == again.png[name].read_bytes()


def test_html_versions_when_plotly_is_installed(tmp_path: Path) -> None:
    pytest.importorskip("plotly")
    plots = make_study_plots(_study(3), TARGET, tmp_path)
    assert sorted(plots.html) == sorted(plots.png)
    assert "plotly" in plots.html["slice"].read_text()


def test_markdown_table_escapes_cells() -> None:
    assert table(("a", "b"), [("x|y", 0.123456789)]) == [
        "| a | b |",
        "| --- | --- |",
        "| x\\|y | 0.123457 |",
    ]


@dataclass(frozen=True)
class Swept:
    """A finished tiny sweep (4 complete trials) on its own stores."""

    config: Path
    stores: Stores

    def client(self) -> MlflowClient:
        """A client on the sweep's tracking store."""
        return MlflowClient(tracking_uri=self.stores.tracking_uri)

    def study(self) -> optuna.Study:
        """The sweep's study, loaded afresh."""
        return optuna.load_study(study_name="tiny", storage=self.stores.storage_url)


@contextmanager
def restored_signals() -> Iterator[None]:
    """Give back the SIGINT/SIGTERM handlers a command replaces (outside a test's own scope)."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Swept:
    """One tiny sweep for the tests of this module that only read it."""
    root = tmp_path_factory.mktemp("plots-sweep")
    (root / "mlruns").mkdir()
    shutil.copy(migrated_mlflow_db, root / "mlruns" / "mlflow.db")
    db = root / "mlruns"
    stores = Stores(db, f"sqlite:///{db / 'mlflow.db'}", f"sqlite:///{db / 'optuna.db'}")
    config = write_config(root)
    with restored_signals():
        assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0
    return Swept(config, stores)


def _parent(client: MlflowClient, name: str) -> str:
    experiment = client.get_experiment_by_name(name)
    (parent,) = client.search_runs(
        [experiment.experiment_id], filter_string="tags.`sweeps.role` = 'parent'"
    )
    return parent.info.run_id


def _artifact_paths(client: MlflowClient, run_id: str) -> set[str]:
    top = client.list_artifacts(run_id)
    nested = client.list_artifacts(run_id, "plots")
    return {a.path for a in top} | {a.path for a in nested}


@pytest.mark.slow
def test_parent_run_carries_plots_and_report(swept: Swept, tmp_path: Path) -> None:
    client = swept.client()
    parent = _parent(client, "tiny")
    paths = _artifact_paths(client, parent)
    expected = {f"plots/{n}.png" for n in [*SINGLE, "intermediate_values"]}
    assert expected | {"report.md", "report.html"} <= paths
    assert "plots/pareto_front.png" not in paths
    local = Path(client.download_artifacts(parent, "", str(tmp_path)))
    for name in expected:
        assert_picture(local / name)

    report = (local / "report.md").read_text()
    study = swept.study()
    record = study.user_attrs["sweeps_champion"]
    choice, run = record["choice"], client.get_run(record["run_id"])
    members = choice["members"]
    what = (
        f"Trial **{members[0]['trial']}**"
        if len(members) == 1
        else f"A weighted ensemble of **{len(members)} trials**"
    )
    assert f"{what}, chosen by {choice['how']}. MLflow run `{run.info.run_id}`." in report
    assert f"Validation `val_loss`: **{choice['score']:.6g}**" in report
    assert f"Parent run: `{parent}`" in report
    assert f"| test_accuracy | {run.data.metrics['test_accuracy']:.6g} |" in report
    assert f"| val_loss | {choice['score']:.6g} |" in report
    assert "| COMPLETE | 4 |" in report
    for name in expected:
        assert f"]({name})" in report
    assert "- Pareto front: not drawn, only for studies with 2 or 3 objectives" in report
    page = (local / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == len(expected)
    assert f"<strong>{choice['score']:.6g}</strong>" in page and "<table>" in page
    ranks = re.findall(r"^\| (\d+) \| (\d+) \|", report, flags=re.MULTILINE)
    assert [int(n) for _, n in ranks] == [t.number for t in _by_value(study)]


def _by_value(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    done = [t for t in study.trials if t.state.name == "COMPLETE"]
    return sorted(done, key=lambda t: (t.value, t.number))


@pytest.mark.slow
def test_report_command_writes_the_same_report(
    swept: Swept, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "tiny.md"
    code = run_cli("report", str(swept.config), "-o", str(out), *swept.stores.flags())
    assert code == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f"report  {out.with_suffix('.html')} (open it in a browser; Markdown: tiny.md)"
    client = swept.client()
    logged = Path(client.download_artifacts(_parent(client, "tiny"), "report.md", str(tmp_path)))
    assert out.read_text() == logged.read_text()
    assert out.with_suffix(".html").read_text().startswith("<!DOCTYPE html>")
    for name in [*SINGLE, "intermediate_values"]:
        assert_picture(out.parent / "plots" / f"{name}.png")


@pytest.mark.slow
def test_report_command_writes_under_mlruns_by_default(
    swept: Swept, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli("report", str(swept.config), *swept.stores.flags()) == 0
    folder = tmp_path / "mlruns" / "reports" / "tiny"
    assert sorted(p.name for p in folder.iterdir()) == ["plots", "report.html", "report.md"]


@pytest.mark.slow
def test_report_command_refuses_a_missing_study(
    swept: Swept, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flags = swept.stores.flags()
    code = run_cli("report", str(swept.config), "--study", "nope", "-o", str(tmp_path), *flags)
    assert code == 2
    assert capsys.readouterr().err == (
        f"sweeps: error: no study 'nope' in {swept.stores.storage_url}\n"
    )
    assert not (tmp_path / "report.md").exists()


@pytest.mark.slow
def test_multi_objective_sweep_gets_a_pareto_front_refreshed_on_resume(
    stores: Stores, tmp_path: Path
) -> None:
    objective = {"metric": ["val_loss", "n_params"], "select_by": "val_loss"}
    study = {"n_trials": 2, "pruner": {"type": "none"}, "sampler": {"type": "random"}}
    model = {"activation": "relu", "optimizer": "adam", "max_epochs": 3}
    config = write_config(tmp_path, objective=objective, study=study, model=model)
    assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    parent = _parent(client, "tiny")
    first = Path(client.download_artifacts(parent, "report.md", str(tmp_path / "a"))).read_text()
    assert "| COMPLETE | 2 |" in first

    assert run_cli("run", str(config), "--quiet", "--trials", "3", *stores.flags()) == 0
    local = Path(client.download_artifacts(parent, "", str(tmp_path / "b")))
    report = (local / "report.md").read_text()
    assert "| COMPLETE | 3 |" in report
    assert "## Pareto front" in report and "](plots/pareto_front.png)" in report
    assert "Pareto-optimal, best on `val_loss`" in report
    not_drawn = "multi-objective trials report no per-epoch values"
    assert f"- Learning curves of all trials: not drawn, {not_drawn}" in report
    for name in [*SINGLE, "pareto_front"]:
        assert_picture(local / "plots" / f"{name}.png")
    assert [spec.name for spec in PLOTS][-1] == "pareto_front"


def test_a_forked_job_draws_the_plots_and_a_failed_one_is_redrawn_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from sweeps.report import plot_job

    study = _study(5)
    job = plot_job.PlotJob(study, TARGET, tmp_path / "forked")
    plots = job.result()
    assert sorted(plots.png) == sorted([*SINGLE, "intermediate_values"])
    for path in plots.png.values():
        assert_picture(path)
    assert not (tmp_path / "forked" / plot_job.RECORD).exists()

    parent, real = os.getpid(), plot_job.make_study_plots

    def fails_in_the_child(*args: object, **kwargs: object) -> object:
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(plot_job, "make_study_plots", fails_in_the_child)
    again = plot_job.PlotJob(study, TARGET, tmp_path / "fallback").result()
    assert sorted(again.png) == sorted(plots.png)
