"""The sweep report: ``report.md`` (and ``report.html``) with the study's plots in ``plots/``.

The same folder is logged on the parent run at the end of every sweep (and of every resumed
part of it) and written locally by ``sweeps report``: the markdown links the pictures as
``plots/NAME.png``, so it reads the same in both places.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial

from sweeps.config import SweepConfig
from sweeps.html_report import to_html
from sweeps.markdown import render_report
from sweeps.runner import PARENT_ATTR, Sweep
from sweeps.study.selection import pareto_front, ranked_trials, selected_trial, states
from sweeps.study_plots import PlotTarget, StudyPlots, make_study_plots
from sweeps.tracking import Tracker

REPORT_NAME = "report.md"
PLOTS_DIR = "plots"
TOP_N = 10


@dataclass
class Winner:
    """The selected trial with its validation metrics and its one test evaluation."""

    number: int
    run_id: str | None
    params: dict[str, Any]
    values: dict[str, float]
    validation: dict[str, float] = field(default_factory=dict)
    test: dict[str, float] = field(default_factory=dict)


@dataclass
class ReportData:
    """Everything the report shows, as plain values."""

    study_name: str
    description: str
    parent_run_id: str | None
    config: dict[str, Any]
    metrics: tuple[str, ...]
    directions: tuple[str, ...]
    selection_metric: str
    counts: dict[str, int]
    top: list[FrozenTrial]
    winner: Winner | None
    pareto: list[int]
    plots: StudyPlots


def winner_of(study: optuna.Study, cfg: SweepConfig, tracker: Tracker) -> Winner | None:
    """The selected trial, with metrics read from its MLflow run (if the run still exists)."""
    trial = selected_trial(study, cfg.objective)
    if trial is None:
        return None
    values = dict(zip(cfg.objective.metric, trial.values, strict=True))
    run_id = trial.user_attrs.get("mlflow_run_id")
    winner = Winner(trial.number, run_id, dict(trial.params), values)
    if run_id is not None and tracker.run_exists(run_id):
        logged = tracker.get_run(run_id).data.metrics
        winner.validation = {
            k.removeprefix("final_"): v
            for k, v in sorted(logged.items())
            if k.startswith("final_val_") or k in ("n_params", "best_epoch", "n_epochs")
        }
        winner.test = {k: v for k, v in sorted(logged.items()) if k.startswith("test_")}
    return winner


def plot_target(cfg: SweepConfig) -> PlotTarget:
    """What the study plots show: the objective, or the selection metric of several."""
    return PlotTarget(cfg.objective.metric, cfg.objective.selection_metric, cfg.seed)


def collect(
    study: optuna.Study, cfg: SweepConfig, tracker: Tracker, plots: StudyPlots
) -> ReportData:
    """Gather the report's content from the study and the tracking store."""
    return ReportData(
        study_name=cfg.study_name,
        description=cfg.description,
        parent_run_id=study.user_attrs.get(PARENT_ATTR),
        config=cfg.public_dict(),
        metrics=cfg.objective.metric,
        directions=cfg.objective.directions,
        selection_metric=cfg.objective.selection_metric,
        counts=states(study),
        top=ranked_trials(study, cfg.objective, TOP_N),
        winner=winner_of(study, cfg, tracker),
        pareto=[t.number for t in pareto_front(study)],
        plots=plots,
    )


def write_report(
    study: optuna.Study,
    cfg: SweepConfig,
    tracker: Tracker,
    folder: Path,
    name: str = REPORT_NAME,
) -> tuple[Path, StudyPlots]:
    """Write ``folder/NAME`` (default ``report.md``), the same as self-contained HTML beside
    it (``report.html``), and ``folder/plots/*.png``; return the Markdown's path and what was
    drawn."""
    folder.mkdir(parents=True, exist_ok=True)
    plots = make_study_plots(study, plot_target(cfg), folder / PLOTS_DIR)
    path = folder / name
    text = render_report(collect(study, cfg, tracker, plots), PLOTS_DIR)
    path.write_text(text)
    title = f"Sweep report: {cfg.study_name}"
    path.with_suffix(".html").write_text(to_html(text, folder, title))
    return path, plots


def publish_report(sweep: Sweep) -> list[str]:
    """Draw the study plots and the report and log them on the parent run (``plots/``,
    ``report.md``, ``report.html``), replacing earlier versions; return notes on plots that
    failed."""
    with tempfile.TemporaryDirectory(prefix="sweeps-report-") as tmp:
        _, plots = write_report(sweep.study, sweep.cfg, sweep.tracker, Path(tmp))
        sweep.tracker.client.log_artifacts(sweep.parent_run_id, tmp)
    return [f"plot {name} failed: {reason}" for name, reason in plots.failed.items()]
