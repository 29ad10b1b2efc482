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
from sweeps.study.samplers import experimental_ok
from tests.conftest import Stores
from tests.sweeps.helpers import run_cli, write_config

SINGLE = ["optimization_history", "param_importances", "parallel_coordinate", "slice"]
TARGET = PlotTarget(("val_loss",), "val_loss")


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
    assert _headings(report) == [
        "How the champion was chosen",
        "Test score",
        "Top 4 trials by val_loss",
        "Optimization history",
        "Learning curves",
        "Parameters",
        "Search space",
        "Configuration",
    ]
    chosen = _section(report, "How the champion was chosen")
    assert (
        "ensemble selection (Caruana et al., 2004; `selection.ensemble: {top: 10, size: 25}`)"
        in chosen
    )
    ensemble, single = choice["alternatives"]["ensemble"], choice["alternatives"]["single"]
    won = "ensemble" if choice["kind"] == "ensemble" else "one trial alone"
    assert f"| {ensemble:.6g} |" in chosen and f"| {single:.6g} |" in chosen
    assert f"**{won}" in chosen  # the winner of the two is bold
    best = f"{choice['best_score']:.6g} (trial {choice['best_trial']})"
    assert f"| {best} |" in chosen
    for member in choice["members"]:
        assert f"| {member['trial']} | {member['weight']:.2f} |" in chosen
    assert f"Its MLflow run: `{run.info.run_id}`" in chosen
    tested = _section(report, "Test score")
    assert f"| test_accuracy | {run.data.metrics['test_accuracy']:.6g} |" in tested
    assert f"Gap: val_loss {choice['score']:.6g} (validation) → test_loss" in tested
    assert f"Parent run: `{parent}`" in report and "Trials: 4 complete." in report
    for name in expected:
        assert f"]({name})" in report
    assert "## Pareto front" not in report and "pareto_front.png" not in report
    page = (local / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == len(expected)
    assert "<table>" in page
    config = page[page.index("<details><summary>") : page.index("</details>")]
    assert "<pre>name: tiny" in config and page.rindex("<h2") < page.index("<details>")
    ranks = re.findall(r"^\| (\d+) \| (\d+) \| ([^|]*) \|", report, flags=re.MULTILINE)
    assert [int(n) for _, n, _ in ranks] == [t.number for t in _by_value(study)]
    marks = {int(n): mark.strip() for _, n, mark in ranks}
    weights = {m["trial"]: m["weight"] for m in choice["members"]}
    single_mark = {n: "★" for n in weights} if len(weights) == 1 else {}
    assert marks == {
        n: single_mark.get(n, f"★ {weights[n]:.2f}") if n in weights else "" for n in marks
    }


def _headings(report: str) -> list[str]:
    return re.findall(r"^## (.*)$", report, flags=re.MULTILINE)


def _section(report: str, heading: str) -> str:
    """The text of one ``## `` section."""
    start = report.index(f"## {heading}\n")
    end = report.find("\n## ", start + 1)
    return report[start : end if end > 0 else len(report)]


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
    assert "Trials: 2 complete." in first

    assert run_cli("run", str(config), "--quiet", "--trials", "3", *stores.flags()) == 0
    local = Path(client.download_artifacts(parent, "", str(tmp_path / "b")))
    report = (local / "report.md").read_text()
    assert "Trials: 3 complete." in report
    assert "## Pareto front" in report and "](plots/pareto_front.png)" in report
    assert "Pareto-optimal and best on `val_loss` among the Pareto front" in report
    not_drawn = "multi-objective trials report no per-epoch values"
    assert f"Learning curves: not drawn, {not_drawn}." in report
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


CURVES = {
    0: ("COMPLETE", [(1, 0.5), (2, 0.4), (3, 0.3)]),
    1: ("COMPLETE", [(1, 0.6), (2, 0.5)]),
    2: ("PRUNED", [(1, 0.9)]),
    3: ("COMPLETE", [(1, 0.7), (2, 0.2)]),
}


def test_learning_curves_highlight_the_members_and_grey_the_pruned() -> None:
    import matplotlib.pyplot as plt

    from sweeps.report.curves import COMPLETE, PRUNED, draw_curves, member_style

    fig, ax = plt.subplots()
    try:
        draw_curves(ax, CURVES, {3: 0.7, 0: 0.3}, "val_loss", "t")
        lines = {line.get_gid(): line for line in ax.get_lines()}
        assert lines["trial-3"].get_color() == member_style(0).color  # the heaviest first
        assert lines["trial-0"].get_color() == member_style(1).color
        assert lines["trial-3"].get_linewidth() > lines["trial-1"].get_linewidth()
        assert lines["trial-1"].get_color() == COMPLETE.color
        assert lines["trial-2"].get_color() == PRUNED.color
        assert lines["trial-2"].get_linewidth() < lines["trial-1"].get_linewidth()
        assert (
            len({member_style(0).color, member_style(1).color, COMPLETE.color, PRUNED.color}) == 4
        )
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == [
            "champion member: trial 3 (weight 0.70)",
            "champion member: trial 0 (weight 0.30)",
            "other complete trials (1)",
            "pruned trials (1)",
        ]
        assert ax.get_legend().get_bbox_to_anchor().x0 > ax.get_window_extent().x1  # beside it
        assert ax.get_yscale() == "log"
    finally:
        plt.close(fig)


def _log_study(n: int = 6) -> optuna.Study:
    def objective(trial: optuna.Trial) -> float:
        lr = trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True)
        l2 = trial.suggest_float("l2", 1e-8, 1e-3, log=True)
        depth = trial.suggest_int("depth", 1, 4)
        trial.suggest_categorical("batch_size", [16, 32])
        return lr * depth + l2

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    study.optimize(objective, n_trials=n)
    return study


def test_log_searched_parameters_get_log_axes_and_the_slice_plot_rows(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt
    import optuna.visualization.matplotlib as vis

    from sweeps.report import study_plots

    study = _log_study()
    with matplotlib.rc_context(), experimental_ok():
        drawn = study_plots._slice(vis, study, TARGET)
        fig = study_plots._figure_of(drawn)
        panels = {ax.get_xlabel(): ax for ax in fig.axes if ax.get_xlabel()}
        scales = {name: ax.get_xscale() for name, ax in panels.items()}
        assert scales == {
            "learning_rate": "log",
            "l2": "log",
            "depth": "linear",
            "batch_size": "linear",
        }
        rows = sorted({round(ax.get_position().y0, 2) for ax in panels.values()})
        assert len(rows) == 2  # four panels: three in the first row, one in the second
        assert fig.get_size_inches()[1] > 4.5
        plt.close(fig)

        drawn = study_plots._parallel(vis, study, TARGET)
        fig = drawn.get_figure()
        twins = {ax.get_yscale() for ax in fig.axes[2:]}
        assert twins == {"log", "linear"}
        names = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        assert "learning\nrate" in names and all(
            t.get_rotation() == 0 for t in fig.axes[0].get_xticklabels()
        )
        assert fig.get_size_inches()[0] >= 8
        plt.close(fig)


def test_a_saved_plot_keeps_every_label_its_layout_places(tmp_path: Path) -> None:
    """The PNG is cropped to the figure as laid out: the history's axis label and title were
    cut off when the crop was measured before the layout."""
    import matplotlib.pyplot as plt
    import optuna.visualization.matplotlib as vis
    from PIL import Image

    from sweeps.report import study_plots

    study = _log_study()
    target = study_plots._with_importances(study, TARGET, study_plots.StudyPlots())
    drawable = [s for s in study_plots.PLOTS if s.unavailable(study, target) is None]
    assert len(drawable) == 4  # all but the learning curves (none reported) and Pareto front
    for spec in drawable:
        with matplotlib.rc_context(), experimental_ok():
            fig = study_plots._figure_of(spec.draw(vis, study, target))
            study_plots._tidy(fig, spec.name, target)
            path = tmp_path / f"{spec.name}.png"
            study_plots.save_tight(fig, path)
            fig.draw_without_rendering()
            laid_out = fig.get_tightbbox().padded(study_plots.TIGHT_PAD)
            plt.close(fig)
        with Image.open(path) as image:
            width, height = image.size
        # within a few pixels (rounding at each edge); a label cut off is tens of pixels
        assert abs(width - laid_out.width * study_plots.DPI) <= 4, spec.name
        assert abs(height - laid_out.height * study_plots.DPI) <= 4, spec.name


def test_log_axes_are_labelled_in_plain_text_at_readable_steps() -> None:
    import matplotlib.pyplot as plt
    import optuna.visualization.matplotlib as vis

    from sweeps.report import study_plots
    from sweeps.report.study_plots import power_label

    values = (1e-8, 1e-4, 2e-5, 1e-3, 0.05, 1, 200, 1e3, 1e5, 0.0, float("inf"))
    assert [power_label(v) for v in values] == [
        "10\u207b\u2078", "10\u207b\u2074", "2\u00d710\u207b\u2075", "0.001", "0.05", "1",
        "200", "1000", "10\u2075", "0", "inf",
    ]  # fmt: skip
    study = _log_study(12)
    with matplotlib.rc_context(), experimental_ok():
        fig = study_plots._figure_of(study_plots._slice(vis, study, TARGET))
        study_plots._tidy(fig, "slice", TARGET)
        fig.draw_without_rendering()
        panels = {ax.get_xlabel(): ax for ax in fig.axes if ax.get_xlabel()}
        labels = {
            name: [t.get_text() for t in ax.get_xticklabels() if t.get_visible()]
            for name, ax in panels.items()
        }
        minor = {name: len(ax.xaxis.get_minorticklocs()) for name, ax in panels.items()}
        plt.close(fig)
    assert "10\u207b\u2076" in labels["l2"] and "0.01" in labels["learning_rate"]
    assert not any("$" in text for texts in labels.values() for text in texts)  # no TeX
    assert minor["l2"] == minor["learning_rate"] == 0


def test_a_short_log_axis_is_labelled_at_one_two_and_five_times_the_powers() -> None:
    import matplotlib.pyplot as plt
    import optuna.visualization.matplotlib as vis

    from sweeps.report import study_plots

    def objective(trial: optuna.Trial) -> float:
        return trial.suggest_int("width", 16, 256, log=True) / 100

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    study.optimize(objective, n_trials=12)
    with matplotlib.rc_context(), experimental_ok():
        fig = study_plots._figure_of(study_plots._slice(vis, study, TARGET))
        study_plots._tidy(fig, "slice", TARGET)
        fig.draw_without_rendering()
        ax = fig.axes[0]
        low, high = ax.get_xlim()
        shown = [t.get_text() for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high]
        plt.close(fig)
    assert ax.get_xscale() == "log"
    assert len(shown) >= 3 and set(shown) <= {"10", "20", "50", "100", "200", "500"}, shown


def test_importances_name_their_spread_and_match_optunas_default(tmp_path: Path) -> None:
    from optuna.importance import PedAnovaImportanceEvaluator, get_param_importances

    from sweeps.report.importances import param_importances

    study = _log_study(12)
    found = param_importances(study)
    default = get_param_importances(study, evaluator=PedAnovaImportanceEvaluator())
    assert list(found) == list(default)  # the order optuna-dashboard shows
    for name, value in default.items():
        assert found[name].value == pytest.approx(value)
        assert found[name].low <= found[name].value <= found[name].high
    plots = make_study_plots(study, TARGET, tmp_path, html=False)
    assert plots.importances == {k: [v.value, v.low, v.high] for k, v in found.items()}


def test_the_history_rings_the_members_and_draws_the_ensembles_score() -> None:
    import matplotlib.pyplot as plt
    import optuna.visualization.matplotlib as vis

    from sweeps.report import study_plots
    from sweeps.report.study_plots import ChampionMarks

    study = _log_study()
    choice = {"members": [{"trial": 2, "weight": 0.75}, {"trial": 4, "weight": 0.25}], "score": 0.5}
    target = PlotTarget(("val_loss",), "val_loss", champion=ChampionMarks.from_choice(choice))
    with matplotlib.rc_context(), experimental_ok():
        ax = study_plots._history(vis, study, target)
    try:
        rings = [c for c in ax.collections if c.get_label().startswith("champion member")]
        assert len(rings) == 1
        values = {t.number: t.value for t in study.trials}
        assert rings[0].get_offsets().tolist() == [[2, values[2]], [4, values[4]]]
        dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
        assert [line.get_ydata()[0] for line in dashed] == [0.5]
        assert dashed[0].get_label() == "champion (ensemble of 2), cross-fitted: 0.5"
    finally:
        plt.close(ax.get_figure())


def test_the_forked_job_marks_the_champion_it_is_told(tmp_path: Path) -> None:
    from sweeps.report import plot_job

    study = _study(5)
    curves = {t.number: ("COMPLETE", [(1, 1.0), (2, 0.5)]) for t in study.trials}
    target = PlotTarget(("val_loss",), "val_loss", curves=curves)
    told = plot_job.PlotJob(study, target, tmp_path / "told")
    told.tell({"members": [{"trial": 1, "weight": 1.0}], "score": 0.1})
    silent = plot_job.PlotJob(study, target, tmp_path / "silent")
    for job in (told, silent):
        assert "intermediate_values" in job.result().png
    told_png = (tmp_path / "told" / "intermediate_values.png").read_bytes()
    silent_png = (tmp_path / "silent" / "intermediate_values.png").read_bytes()
    assert told_png != silent_png  # the told one draws trial 1 as the champion
    again = plot_job.PlotJob(study, target, tmp_path / "again")
    again.tell({"members": [{"trial": 1, "weight": 1.0}], "score": 0.1})
    again.result()
    assert (tmp_path / "again" / "intermediate_values.png").read_bytes() == told_png


def test_a_warm_child_draws_what_a_cold_one_draws_and_is_told_the_champion(
    tmp_path: Path,
) -> None:
    from sweeps.report import plot_job

    study = _study(5)
    curves = {t.number: ("COMPLETE", [(1, 1.0), (2, 0.5)]) for t in study.trials}
    target = PlotTarget(("val_loss",), "val_loss", curves=curves)
    plot_job.warm_up()
    warm_child = plot_job._WARM[0].job
    warm = plot_job.PlotJob(study, target, tmp_path / "warm")
    assert plot_job._WARM == [] and warm._job is warm_child  # taken, not forked anew
    warm.tell({"members": [{"trial": 1, "weight": 1.0}], "score": 0.1})
    cold = plot_job.PlotJob(study, target, tmp_path / "cold")
    cold.tell({"members": [{"trial": 1, "weight": 1.0}], "score": 0.1})
    assert warm.result().png.keys() == cold.result().png.keys()
    assert not warm_child.alive()
    for name in ("intermediate_values", "optimization_history"):
        warm_png = (tmp_path / "warm" / f"{name}.png").read_bytes()
        assert warm_png == (tmp_path / "cold" / f"{name}.png").read_bytes()


def test_an_unused_warm_child_is_stopped_and_one_that_cannot_draw_is_replaced(
    tmp_path: Path,
) -> None:
    from sweeps.report import plot_job

    plot_job.warm_up()
    unused = plot_job._WARM[0].job
    plot_job.cool_down()
    assert plot_job._WARM == [] and not unused.alive()
    plot_job.warm_up()
    dead = plot_job._WARM[0].job
    dead.cancel()  # killed: the job forks a child of its own
    job = plot_job.PlotJob(_study(5), TARGET, tmp_path / "replaced")
    assert job._job is not dead
    assert sorted(job.result().png) == sorted([*SINGLE, "intermediate_values"])
    plot_job.warm_up()
    refused = plot_job._WARM[0].job
    study = _study(5)
    study.get_trials(deepcopy=False)[0].user_attrs["fn"] = lambda: None  # it cannot be pickled
    job = plot_job.PlotJob(study, TARGET, tmp_path / "unpicklable")
    assert job._job is not refused and not refused.alive()
    assert sorted(job.result().png) == sorted([*SINGLE, "intermediate_values"])


def test_champion_marks_draw_a_score_line_only_where_it_is_not_a_trials_own() -> None:
    from sweeps.report.study_plots import ChampionMarks

    one = {"members": [{"trial": 7, "weight": 1.0}], "score": 0.2}
    assert ChampionMarks.from_choice(one) == ChampionMarks({7: 1.0})
    confirmed = {**one, "confirmation": {"winner": 7, "candidates": [{"trial": 7}]}}
    assert ChampionMarks.from_choice(confirmed) == ChampionMarks(
        {7: 1.0}, 0.2, "champion, mean over confirmation seeds: 0.2"
    )
    assert ChampionMarks.from_choice(None) is None
    assert ChampionMarks.from_choice({"members": []}) is None


def test_html_keeps_tables_apart_and_collapses_the_configuration(tmp_path: Path) -> None:
    from sweeps.report.html import to_html

    text = "\n".join(
        [
            "## Two tables",
            "",
            *table(("a",), [(1,)]),
            "",
            *table(("b",), [(2,)]),
            "",
            "<details><summary>The configuration</summary>",
            "",
            "```yaml",
            "name: x <y>",
            "```",
            "",
            "</details>",
            "<details><summary><script>no</script></summary>",
        ]
    )
    page = to_html(text, tmp_path, "t")
    assert page.count("<table>") == 2
    assert '<h2 id="two-tables">Two tables</h2>' in page
    assert (
        "<details><summary>The configuration</summary>\n<pre>name: x &lt;y&gt;</pre>\n</details>"
        in page
    )
    assert "<script>" not in page  # only the report's own summary line passes through
