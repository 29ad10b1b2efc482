"""The worker loop: admit trials within the study's budget and run them one at a time.

A store that fails stops the loop: the trial that met the failure ends FAIL with it as its
reason (when the study storage can still record it) and the worker raises one
:class:`~sweeps.errors.StoreError` naming the store, instead of failing every trial left in the
budget. Its MLflow run, which could not be closed, is closed on resume
(:func:`~sweeps.tracking.reaper.close_orphan_runs`).
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.trial import TrialState
from tqdm import tqdm

from sweeps.core.sweep import Sweep
from sweeps.errors import StoreError
from sweeps.infra import signals
from sweeps.infra.locks import StorageLock
from sweeps.infra.urls import redact_text
from sweeps.records import REASON_ATTR
from sweeps.search.objective import Objective
from sweeps.search.progress import Progress
from sweeps.study.budget import budget_state, may_start_trial
from sweeps.study.samplers import experimental_ok
from sweeps.study.storage import storage_errors

__all__: list[str] = []  # nothing here for other packages


@dataclass(frozen=True)
class WorkerOutcome:
    """How a worker's loop ended: trials it ran, and whether the whole study is done."""

    ran: int
    study_done: bool


def run_worker(sweep: Sweep, *, show_progress: bool = True) -> WorkerOutcome:
    """Run trials until the study's budget or the timeout is reached.

    The study is done when its budget is used up and no trial is still running anywhere.
    """
    with storage_errors(sweep.storage_url):
        return _run_trials(sweep, show_progress)


def _run_trials(sweep: Sweep, show_progress: bool) -> WorkerOutcome:
    cfg = sweep.cfg
    watched = StoreWatch(Objective(sweep))
    admission = StorageLock(sweep.storage_url, "admit")
    deadline = time.monotonic() + cfg.study.timeout if cfg.study.timeout else None
    counted, waiting, running = budget_state(sweep.study)
    progress = Progress.of(cfg.objective, sweep.study.get_trials(deepcopy=False))
    ran, done = 0, False
    with tqdm(
        total=cfg.study.n_trials,
        initial=counted - waiting - running,
        disable=not show_progress,
        unit="trial",
    ) as bar:
        while deadline is None or time.monotonic() < deadline:
            signals.check()
            with ExitStack() as held:
                held.enter_context(admission.hold())
                if not may_start_trial(sweep.study, cfg.study.n_trials):
                    done = True
                    break
                watched.ended = None
                with signals.deferred():  # the objective allows signals while it trains
                    _optimize_one(sweep.study, functools.partial(watched, on_start=held.close))
                if watched.failure is not None:
                    raise watched.failure
            if watched.ended is not None:
                progress.count(*watched.ended)
            ran += 1
            bar.set_postfix_str(progress.postfix(), refresh=False)
            bar.update(1)
    signals.check()  # one that came while the last trial was recorded
    return WorkerOutcome(ran, done)


class StoreWatch:
    """The objective, remembering a :class:`StoreError` it raised (the trial fails with it as
    its reason) so that the loop stops after that trial, and how each trial ended.

    ``ended`` is what Optuna records when the objective returns or raises: COMPLETE with the
    values it returned (the objective returns only finite values, one per direction, which
    Optuna takes as they are), PRUNED, or FAIL. The progress bar counts it from there: an
    Optuna callback would read the trial just written back from the storage, once per trial.
    """

    def __init__(self, objective: Objective) -> None:
        self.objective = objective
        self.failure: StoreError | None = None
        self.ended: tuple[int, TrialState, Sequence[float] | None] | None = None

    def __call__(self, trial: optuna.Trial, on_start: Callable[[], None] | None = None) -> Any:
        """Run the objective (``on_start`` first, once the trial exists)."""
        self.ended = (trial.number, TrialState.FAIL, None)
        try:
            values = self.objective(trial, on_start)
        except optuna.TrialPruned:
            self.ended = (trial.number, TrialState.PRUNED, None)
            raise
        except StoreError as exc:
            self.failure = exc
            with contextlib.suppress(Exception):  # the study storage may be the one gone
                trial.set_user_attr(REASON_ATTR, redact_text(str(exc))[:1000])
            raise
        self.ended = (trial.number, TrialState.COMPLETE, _as_values(values))
        return values


def _as_values(values: float | Sequence[float]) -> list[float]:
    """The objective's value or values as a list (Optuna's ``values``)."""
    return [float(v) for v in values] if isinstance(values, tuple | list) else [float(values)]


def _optimize_one(study: optuna.Study, objective: Callable[[optuna.Trial], Any]) -> None:
    with experimental_ok():
        study.optimize(objective, n_trials=1, catch=(Exception,), gc_after_trial=False)
