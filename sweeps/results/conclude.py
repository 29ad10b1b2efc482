"""End of a sweep: choose the champion, test it once, package and register it, report, close.

Each step is recorded only after it completed (a tag ``sweeps.conclusion.<step>`` on the
champion's run, the choice itself on the study), so a conclusion interrupted anywhere (Ctrl-C,
``kill -9``) is finished by running the same command again: it does exactly what is missing.
An interrupted conclusion closes the parent and champion runs KILLED; the rerun reopens them.
Every step prints one line as it starts.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sweeps.core.sweep import Sweep
from sweeps.errors import Interrupted
from sweeps.infra import signals
from sweeps.infra.forked import ForkedJob
from sweeps.infra.locks import StorageLock
from sweeps.infra.timings import phase
from sweeps.records import CONCLUSION_PREFIX
from sweeps.report.write import publish_report, start_plots
from sweeps.results.champion import Choice, choose_champion, recorded_choice
from sweeps.results.champion_model import build_champion
from sweeps.results.champion_run import describe, open_champion_run, tag_members
from sweeps.results.descriptions import scores_text, write_notes
from sweeps.results.registry import Score, model_name, promote_if_better, register
from sweeps.results.summary import SweepResult, dataset_records, nothing_completed, summarise
from sweeps.results.testing import Tested, draw_plots, test_champion

#: Test hook: ``<step>:kill`` or ``<step>:int`` kills or interrupts this process right after
#: the step's work and before it is recorded (the conclusion's crash tests).
FAULT_ENV = "SWEEPS_TEST_FAULT"

__all__ = ["SweepResult", "conclude", "dataset_records"]

Announce = Callable[[str], None]


def conclude(sweep: Sweep, announce: Announce | None = None) -> SweepResult:
    """Choose, test, package and register the champion, publish the report and close the
    parent run. Holds the storage's init lock: workers finishing together conclude one at a
    time (the second finds every step recorded)."""
    say = announce or (lambda _line: None)
    champion_run: list[str] = []
    try:
        with StorageLock(sweep.storage_url, "init").hold():
            return _conclude(sweep, say, champion_run)
    except BaseException as exc:  # closed with a status; the same command finishes the work
        status = "KILLED" if isinstance(exc, Interrupted | KeyboardInterrupt) else "FAILED"
        for run_id in (*champion_run, sweep.parent_run_id):
            with contextlib.suppress(Exception):  # a store that is down stays as it is
                sweep.tracker.end_run(run_id, status)
        raise


def _conclude(sweep: Sweep, say: Announce, champion_run: list[str]) -> SweepResult:
    _fault("start")
    with tempfile.TemporaryDirectory(prefix="sweeps-report-", ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        with phase("plots"):  # the study's plots, drawn by a child meanwhile
            plots = start_plots(sweep.study, sweep.cfg, sweep.tracker, folder / "report")
        try:
            result = _choose_and_finish(sweep, say, champion_run, folder, plots)
        except BaseException:
            plots.cancel()
            raise
        _fault("close")
        for run_id in champion_run:
            sweep.tracker.end_run(run_id, "FINISHED")
        sweep.close("FAILED" if result.failure else "FINISHED")
    return result


def _choose_and_finish(
    sweep: Sweep, say: Announce, champion_run: list[str], folder: Path, plots: Any
) -> SweepResult:
    """Choose the champion, record it, and run the steps after it (the report among them)."""
    say("conclusion: choosing the champion")
    with phase("select"):
        choice = choose_champion(sweep)
    plots.tell(choice.as_dict() if choice is not None else None)  # the plots mark it
    with phase("summary"):
        result = summarise(sweep, choice)
    report = functools.partial(_publish, sweep, say, folder / "report", plots, result)
    if choice is None:
        report()
        result.failure = nothing_completed(sweep)
        return result
    with phase("champion run"):
        previous = recorded_choice(sweep)
        champion_run.append(open_champion_run(sweep, choice))
        _fault("select")
        tag_members(sweep, champion_run[0], choice, previous)
    Finisher(sweep, choice, champion_run[0], say, folder, report).run(result)
    return result


def _publish(sweep: Sweep, say: Announce, folder: Path, plots: Any, result: SweepResult) -> None:
    """The report on the parent run (written again on every conclusion)."""
    say("conclusion: writing the report")
    with phase("report"):
        result.notes += publish_report(sweep, folder, plots)


@dataclass
class Finisher:
    """The steps after the choice, each skipped when the champion run records it done."""

    sweep: Sweep
    choice: Choice
    run_id: str
    say: Announce
    folder: Path
    report: Callable[[], None]  # publishes the report: while the model is saved
    done: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    jobs: list[ForkedJob] = field(default_factory=list)  # forked children of this conclusion
    tested: Tested | None = None  # the test step's scores, for the model version's description
    _model: Any = None

    def run(self, result: SweepResult) -> None:
        """Test, package and register the champion; fill ``result``. Children still working
        when a step fails or is interrupted are stopped: the rerun does their work again."""
        try:
            self._run(result)
        except BaseException:
            for job in self.jobs:
                job.cancel()
            raise

    def _run(self, result: SweepResult) -> None:
        run = self.sweep.tracker.run(self.run_id)
        tags = run.tags if run is not None else {}
        self.done = {
            k.removeprefix(CONCLUSION_PREFIX): v
            for k, v in tags.items()
            if k.startswith(CONCLUSION_PREFIX)
        }
        result.champion, result.champion_run_id = self.choice, self.run_id
        saving = self._fork_save() if "model" not in self.done else None
        job = self._plots_job() if "plots" not in self.done else None
        tested = self._step("test", "testing the champion once on the test split", self._test)
        result.tested = Tested.from_run(self.sweep.tracker, self.run_id, self.sweep, self.choice)
        result.notes += tested.notes if isinstance(tested, Tested) else []
        write_notes(self.sweep, self.run_id, self.choice, result.tested)
        self.tested = result.tested
        self.report()  # the report names the tested champion; the model's child goes on
        self._step("model", "logging the champion model", functools.partial(self._log, saving))
        self._step("plots", "logging the champion's plots", functools.partial(self._plots, job))
        if self.sweep.cfg.tracking.register_model:
            name = model_name(self.sweep.cfg)
            version = self._step("register", f"registering model {name}", self._register)
            result.version = self.done.get("register", version)
            note = self._step("alias", "moving the champion alias if it improved", self._promote)
            result.notes.append(self.done.get("alias", note))
        result.notes += [*self.choice.notes, *self.notes]

    def _step(self, name: str, line: str, work: Callable[[], Any]) -> Any:
        if name in self.done:
            return self.done[name]
        self.say(f"conclusion: {line}")
        with phase(f"conclusion.{name}"):
            outcome = work()
        _fault(name)
        mark = outcome if isinstance(outcome, str) else "done"
        self.sweep.tracker.log_values(self.run_id, tags={f"{CONCLUSION_PREFIX}{name}": mark[:5000]})
        self.done[name] = mark
        return outcome

    @property
    def model(self) -> Any:
        """The champion model, built once (from the validated models)."""
        if self._model is None:
            self._model, notes = build_champion(self.sweep, self.choice)
            self.notes += notes
        return self._model

    def _test(self) -> Tested:
        return test_champion(self.sweep, self.choice, self.run_id, self.model)

    def _plots_job(self) -> ForkedJob | None:
        assert self.model is not None  # built here first: the child inherits it
        plots = self.folder / "champion-plots"
        plots.mkdir(exist_ok=True)
        self._plot_folder = plots
        draw = functools.partial(draw_plots, self.sweep, self.model, plots, self.choice)
        self.jobs.append(ForkedJob(draw, "sweeps-model-plots"))
        return self.jobs[-1]

    def _fork_save(self) -> ForkedJob:
        """Save the model folder in a forked child (skops, signature, MLflow's checks: seconds)
        while this process tests the champion."""
        assert self.model is not None  # built here first: the child inherits it
        self.jobs.append(ForkedJob(self._save, "sweeps-save-model"))
        return self.jobs[-1]

    def _save(self) -> None:
        example = self.sweep.data.table.X.iloc[self.sweep.data.split.train[:5]]
        output = self.model.predict(example)
        shutil.rmtree(self._model_folder, ignore_errors=True)
        self.sweep.tracker.save_model(self.model, example, output, self._model_folder)

    @property
    def _model_folder(self) -> Path:
        return self.folder / "model"

    def _log(self, saving: ForkedJob | None) -> None:
        if saving is None or not saving.succeeded():
            self._save()  # the child failed: here, the same way
        self.sweep.tracker.log_saved_model(self.run_id, self._model_folder, self.model)

    def _plots(self, job: ForkedJob | None) -> None:
        if job is None or not job.succeeded():
            draw_plots(self.sweep, self.model, self._plot_folder, self.choice)
        self.sweep.tracker.log_folder(self.run_id, self._plot_folder, "plots")

    def _register(self) -> str:
        score = Score(self.choice.metric, self.choice.score)
        text = describe(self.sweep, self.choice) + scores_text(self.tested)
        return register(self.sweep, self.run_id, score, text)

    def _promote(self) -> str:
        version = self.done["register"]
        return promote_if_better(self.sweep, version, Score(self.choice.metric, self.choice.score))


def _fault(step: str) -> None:
    """The crash tests' hook (see :data:`FAULT_ENV`); nothing without it."""
    fault = os.environ.get(FAULT_ENV, "")
    if fault == f"{step}:kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if fault == f"{step}:int":
        os.kill(os.getpid(), signal.SIGINT)
        signals.check()
