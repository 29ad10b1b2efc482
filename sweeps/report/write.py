"""The sweep report: ``report.md`` (and ``report.html``) with the study's plots in ``plots/``.

The same folder is logged on the parent run at the end of every sweep (and of every resumed
part of it) and written locally by ``sweeps report``: the markdown links the pictures as
``plots/NAME.png``, so it reads the same in both places.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import optuna

from sweeps.core.sweep import Sweep
from sweeps.records import CHAMPION_ATTR, CURVE, FOLD0_CURVE, PER_EPOCH, RUN_ID_ATTR
from sweeps.report.collect import collect, plot_target
from sweeps.report.html import to_html
from sweeps.report.markdown import render_report
from sweeps.report.plot_job import PlotJob
from sweeps.report.study_plots import ChampionMarks, PlotTarget, StudyPlots, make_study_plots
from sweeps.spec.schema import SweepConfig
from sweeps.tracking import TrackingStore

__all__ = ["publish_report", "start_plots", "write_report"]

REPORT_NAME = "report.md"
MAX_CURVES = 200
PLOTS_DIR = "plots"


def write_report(
    study: optuna.Study,
    cfg: SweepConfig,
    tracker: TrackingStore,
    folder: Path,
    name: str = REPORT_NAME,
    job: PlotJob | _DrawnHere | None = None,
) -> tuple[Path, StudyPlots]:
    """Write ``folder/NAME`` (default ``report.md``), the same as self-contained HTML beside
    it (``report.html``), and ``folder/plots/*.png`` (drawn now, or by ``job`` from
    :func:`start_plots`); return the Markdown's path and what was drawn."""
    folder.mkdir(parents=True, exist_ok=True)
    plots = (job or start_plots(study, cfg, tracker, folder, fork=False)).result()
    path = folder / name
    text = render_report(collect(study, cfg, tracker, plots), PLOTS_DIR)
    path.write_text(text)
    title = f"Sweep report: {cfg.study_name}"
    path.with_suffix(".html").write_text(to_html(text, folder, title))
    return path, plots


def start_plots(
    study: optuna.Study, cfg: SweepConfig, tracker: TrackingStore, folder: Path, fork: bool = True
) -> PlotJob | _DrawnHere:
    """Start drawing the study's plots into ``folder/plots``: in a forked process (``fork``),
    while the caller does other work, or on :meth:`result` in this one. The champion they mark
    is the one the study records, until the caller tells the job another."""
    record = study.user_attrs.get(CHAMPION_ATTR)
    choice = record.get("choice") if isinstance(record, dict) else None
    target = dataclasses.replace(
        plot_target(cfg),
        curves=epoch_curves(study, cfg, tracker),
        champion=ChampionMarks.from_choice(choice),
    )
    plots_dir = folder / PLOTS_DIR
    plots_dir.mkdir(parents=True, exist_ok=True)
    return PlotJob(study, target, plots_dir) if fork else _DrawnHere(study, target, plots_dir)


@dataclasses.dataclass
class _DrawnHere:
    """Plots drawn in this process when asked for."""

    study: optuna.Study
    target: PlotTarget
    folder: Path

    def result(self) -> StudyPlots:
        """The plots, drawn now."""
        return make_study_plots(self.study, self.target, self.folder)

    def tell(self, choice: dict[str, Any] | None) -> None:
        """The champion just chosen, or None."""
        self.target = dataclasses.replace(self.target, champion=ChampionMarks.from_choice(choice))

    def cancel(self) -> None:
        """Nothing runs meanwhile."""


def epoch_curves(
    study: optuna.Study, cfg: SweepConfig, tracker: TrackingStore
) -> dict[int, tuple[str, list[tuple[int, float]]]]:
    """Every epoch of the selection metric, read back from the trials' runs (the latest
    :data:`MAX_CURVES` trials; none for several objectives or a metric with no curve)."""
    metric = cfg.objective.selection_metric
    if len(cfg.objective.metric) > 1 or metric not in PER_EPOCH:
        return {}
    curves = {}
    prefixes = [FOLD0_CURVE, CURVE]  # the first fold's curves, or the one split's
    for trial in study.get_trials(deepcopy=False)[-MAX_CURVES:]:
        run_id = trial.user_attrs.get(RUN_ID_ATTR)
        if run_id is not None and trial.state.is_finished():
            points = tracker.metric_history(run_id, f"{prefixes[0]}{metric}")
            if not points:  # the other prefix; it is then tried first for the next trials
                prefixes.reverse()
                points = tracker.metric_history(run_id, f"{prefixes[0]}{metric}")
            curves[trial.number] = (trial.state.name, points)
    return curves


def publish_report(
    sweep: Sweep, folder: Path, job: PlotJob | _DrawnHere | None = None
) -> list[str]:
    """Write the report into ``folder`` (its plots drawn by ``job`` if given) and log it on
    the parent run (``plots/``, ``report.md``, ``report.html``), replacing earlier versions;
    return notes on plots that failed."""
    _, plots = write_report(sweep.study, sweep.cfg, sweep.tracker, folder, job=job)
    sweep.tracker.log_folder(sweep.parent_run_id, folder)
    return [f"plot {name} failed: {reason}" for name, reason in plots.failed.items()]
