"""The study's plots drawn in a forked process while the winner is confirmed and tested.

Drawing (importing matplotlib and Optuna's plotting, the importances, five figures)
takes seconds a user would otherwise wait for at the end of every sweep; with the trials done,
the second core is free. The child receives the finished trials by fork, draws them from an
in-memory copy of the study (it never opens a store) and leaves PNG files and a small JSON
record in the folder; the parent reads them when it writes the report. A child that fails is
replaced by drawing in the parent.

The champion is chosen while the child draws: the plots that mark it are drawn last, once the
parent has told the child the choice (:meth:`PlotJob.tell`) through a pipe.

Importing matplotlib and Optuna's plotting took the child most of a second of the user's wait.
``sweeps run`` therefore forks the child before the trials (:func:`warm_up`): it imports them
on the second core while the trials run, then waits for the study on its pipe.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import multiprocessing
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial

from sweeps.infra.forked import ForkedJob
from sweeps.report.study_plots import ChampionMarks, PlotTarget, StudyPlots, make_study_plots

__all__ = ["cool_down", "warm_up"]

RECORD = ".plots.json"
#: Seconds the child waits for the champion before drawing without it.
CHAMPION_WAIT_S = 600.0


@dataclasses.dataclass(frozen=True)
class _Warm:
    """A plots child forked early, importing the plotting libraries, waiting for its study."""

    job: ForkedJob
    send: Connection


_WARM: list[_Warm] = []  # at most one


def warm_up() -> None:
    """Fork the plots child now, before the trials: it imports what drawing needs while they
    run, and the next :class:`PlotJob` of this process hands it the study."""
    cool_down()
    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
    job = ForkedJob(functools.partial(_warm_child, receive, send), "sweeps-plots")
    receive.close()  # the child's end
    _WARM.append(_Warm(job, send))


def cool_down() -> None:
    """Stop a warm plots child that no :class:`PlotJob` took (no conclusion, or it failed)."""
    while _WARM:
        warm = _WARM.pop()
        warm.send.close()
        warm.job.cancel()


class PlotJob:
    """Plots being drawn into ``folder`` by a child process (the warm one, if there is one)."""

    def __init__(self, study: optuna.Study, target: PlotTarget, folder: Path) -> None:
        self.study, self.target, self.folder = study, target, folder
        job = (study.get_trials(deepcopy=True), list(study.directions), target, folder)
        warm = _WARM.pop() if _WARM else None
        if warm is not None and _handed(warm, job):
            self._job, self._send = warm.job, warm.send
            return
        receive, self._send = multiprocessing.get_context("fork").Pipe(duplex=False)
        self._job = ForkedJob(
            functools.partial(_cold_child, job, receive, self._send), "sweeps-plots"
        )
        receive.close()  # the child's end

    def tell(self, choice: dict[str, Any] | None) -> None:
        """The champion just chosen (see :class:`sweeps.results.champion.Choice`), or None."""
        self.target = dataclasses.replace(self.target, champion=ChampionMarks.from_choice(choice))
        with contextlib.suppress(OSError):  # the child is gone: result() draws here
            self._send.send(self.target.champion)

    def cancel(self) -> None:
        """Stop the child (the sweep's conclusion was interrupted)."""
        self._send.close()
        self._job.cancel()

    def result(self) -> StudyPlots:
        """What the child drew (drawn here instead if it failed)."""
        self._send.close()  # never told: the child draws with the champion it knew
        record = self.folder / RECORD
        if self._job.succeeded() and record.is_file():
            plots = _loaded(json.loads(record.read_text()))
            record.unlink()
            return plots
        return make_study_plots(self.study, self.target, self.folder)


def _handed(warm: _Warm, job: tuple[Any, ...]) -> bool:
    """Give the warm child its study; False (the child stopped) when it is gone."""
    if warm.job.alive():
        try:
            warm.send.send(job)
            return True
        except Exception:  # gone, or the study would not pickle: a fresh fork instead
            pass
    warm.send.close()
    warm.job.cancel()
    return False


def _warm_child(receive: Connection, send: Connection) -> None:
    """Body of the warm child: import the plotting libraries, wait for the study, draw it (an
    end of file instead: nothing to draw)."""
    send.close()  # the parent's end: closed here, the parent's close is seen as the end
    _import_plotting()
    try:
        trials, directions, target, folder = receive.recv()
    except (EOFError, OSError):
        return
    _draw(trials, directions, target, folder, receive)


def _import_plotting() -> None:
    import matplotlib

    matplotlib.use("Agg")  # this child only: no display
    import matplotlib.pyplot
    import optuna.importance
    import optuna.visualization.matplotlib  # noqa: F401

    import sweeps.report.importances  # noqa: F401


def _cold_child(job: tuple[Any, ...], receive: Connection, send: Connection) -> None:
    """Body of a child forked when drawing starts."""
    send.close()  # the parent's end: closed here, the parent's close is seen as the end
    _draw(*job, receive)


def _draw(
    trials: list[FrozenTrial],
    directions: list[Any],
    target: PlotTarget,
    folder: Path,
    receive: Connection,
) -> None:
    """Draw from an in-memory copy of the study (the champion's plots once the parent told it
    the champion), record what was drawn."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(directions=directions)
    study.add_trials(trials)
    champion = functools.partial(_champion, receive, target.champion)
    plots = make_study_plots(study, target, folder, champion=champion)
    (folder / RECORD).write_text(json.dumps(_plain(plots)))


def _champion(receive: Connection, known: ChampionMarks | None) -> ChampionMarks | None:
    """The champion the parent sends (``known`` if it sends none in time or is gone)."""
    try:
        if receive.poll(CHAMPION_WAIT_S):
            marks: ChampionMarks | None = receive.recv()
            return marks
    except (EOFError, OSError):
        pass
    return known


def _plain(plots: StudyPlots) -> dict[str, Any]:
    return {
        "png": {k: str(v) for k, v in plots.png.items()},
        "html": {k: str(v) for k, v in plots.html.items()},
        "skipped": plots.skipped,
        "failed": plots.failed,
        "importances": plots.importances,
    }


def _loaded(raw: dict[str, Any]) -> StudyPlots:
    return StudyPlots(
        png={k: Path(v) for k, v in raw["png"].items()},
        html={k: Path(v) for k, v in raw["html"].items()},
        skipped=raw["skipped"],
        failed=raw["failed"],
        importances=raw["importances"],
    )
