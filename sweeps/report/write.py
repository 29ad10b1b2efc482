"""The sweep report: ``report.md`` (and ``report.html``) with the study's plots in ``plots/``.

The same folder is logged on the parent run at the end of every sweep (and of every resumed
part of it) and written locally by ``sweeps report``: the markdown links the pictures as
``plots/NAME.png``, so it reads the same in both places.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import optuna

from sweeps.config import SweepConfig
from sweeps.report.collect import collect, plot_target
from sweeps.report.html import to_html
from sweeps.report.markdown import render_report
from sweeps.report.study_plots import StudyPlots, make_study_plots
from sweeps.search.sweep import Sweep
from sweeps.tracking import TrackingStore

REPORT_NAME = "report.md"
PLOTS_DIR = "plots"


def write_report(
    study: optuna.Study,
    cfg: SweepConfig,
    tracker: TrackingStore,
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
        sweep.tracker.log_folder(sweep.parent_run_id, Path(tmp))
    return [f"plot {name} failed: {reason}" for name, reason in plots.failed.items()]
