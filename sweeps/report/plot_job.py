"""The study's plots drawn in a forked process while the winner is confirmed and tested.

Drawing (importing matplotlib and Optuna's plotting, fitting fANOVA for the importances)
takes seconds a user would otherwise wait for at the end of every sweep; with the trials done,
the second core is free. The child receives the finished trials by fork, draws them from an
in-memory copy of the study (it never opens a store) and leaves PNG files and a small JSON
record in the folder; the parent reads them when it writes the report. A child that fails is
replaced by drawing in the parent.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial

from sweeps.infra.forked import ForkedJob
from sweeps.report.study_plots import PlotTarget, StudyPlots, make_study_plots

__all__: list[str] = []  # nothing here for other packages

RECORD = ".plots.json"


class PlotJob:
    """Plots being drawn into ``folder`` by a child process."""

    def __init__(self, study: optuna.Study, target: PlotTarget, folder: Path) -> None:
        self.study, self.target, self.folder = study, target, folder
        trials = study.get_trials(deepcopy=True)
        draw = functools.partial(_draw, trials, list(study.directions), target, folder)
        self._job = ForkedJob(draw, "sweeps-plots")

    def cancel(self) -> None:
        """Stop the child (the sweep's conclusion was interrupted)."""
        self._job.cancel()

    def result(self) -> StudyPlots:
        """What the child drew (drawn here instead if it failed)."""
        record = self.folder / RECORD
        if self._job.succeeded() and record.is_file():
            plots = _loaded(json.loads(record.read_text()))
            record.unlink()
            return plots
        return make_study_plots(self.study, self.target, self.folder)


def _draw(
    trials: list[FrozenTrial], directions: list[Any], target: PlotTarget, folder: Path
) -> None:
    """Body of the child: draw from an in-memory copy of the study, record what was drawn."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(directions=directions)
    study.add_trials(trials)
    plots = make_study_plots(study, target, folder)
    (folder / RECORD).write_text(json.dumps(_plain(plots)))


def _plain(plots: StudyPlots) -> dict[str, Any]:
    return {
        "png": {k: str(v) for k, v in plots.png.items()},
        "html": {k: str(v) for k, v in plots.html.items()},
        "skipped": plots.skipped,
        "failed": plots.failed,
    }


def _loaded(raw: dict[str, Any]) -> StudyPlots:
    return StudyPlots(
        png={k: Path(v) for k, v in raw["png"].items()},
        html={k: Path(v) for k, v in raw["html"].items()},
        skipped=raw["skipped"],
        failed=raw["failed"],
    )
