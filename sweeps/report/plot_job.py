"""The study's plots drawn in a forked process while the winner is confirmed and tested.

Drawing (importing matplotlib and Optuna's plotting, fitting fANOVA for the importances)
takes seconds a user would otherwise wait for at the end of every sweep; with the trials done,
the second core is free. The child receives the finished trials by fork, draws them from an
in-memory copy of the study (it never opens a store) and leaves PNG files and a small JSON
record in the folder; the parent reads them when it writes the report. A child that fails is
replaced by drawing in the parent.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial

from sweeps.report.study_plots import PlotTarget, StudyPlots, make_study_plots

RECORD = ".plots.json"
JOIN_TIMEOUT_S = 600.0


class PlotJob:
    """Plots being drawn into ``folder`` by a child process."""

    def __init__(self, study: optuna.Study, target: PlotTarget, folder: Path) -> None:
        self.study, self.target, self.folder = study, target, folder
        trials = study.get_trials(deepcopy=True)
        args = (trials, list(study.directions), target, folder)
        self._proc = multiprocessing.get_context("fork").Process(
            target=_draw, args=args, name="sweeps-plots", daemon=True
        )
        self._proc.start()

    def result(self) -> StudyPlots:
        """What the child drew (drawn here instead if it failed)."""
        self._proc.join(JOIN_TIMEOUT_S)
        record = self.folder / RECORD
        if self._proc.exitcode == 0 and record.is_file():
            plots = _loaded(json.loads(record.read_text()))
            record.unlink()
            return plots
        if self._proc.is_alive():
            self._proc.kill()
        return make_study_plots(self.study, self.target, self.folder)


def _draw(
    trials: list[FrozenTrial], directions: list[Any], target: PlotTarget, folder: Path
) -> None:
    """Body of the child: the terminal's Ctrl-C is the parent's to handle; a failure is an
    exit code (the parent draws instead), never a traceback on the user's terminal."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        study = optuna.create_study(directions=directions)
        study.add_trials(trials)
        plots = make_study_plots(study, target, folder)
        (folder / RECORD).write_text(json.dumps(_plain(plots)))
    except BaseException:
        os._exit(1)


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
