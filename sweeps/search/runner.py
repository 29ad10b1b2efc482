"""The worker loop: admit trials within the study's budget and run them one at a time."""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass

import optuna
from tqdm import tqdm

from sweeps.infra import signals
from sweeps.infra.locks import StorageLock
from sweeps.search.objective import Objective
from sweeps.search.progress import Progress
from sweeps.search.sweep import Sweep
from sweeps.study.budget import budget_state, may_start_trial
from sweeps.study.samplers import experimental_ok


@dataclass(frozen=True)
class WorkerOutcome:
    """How a worker's loop ended: trials it ran, and whether the whole study is done."""

    ran: int
    study_done: bool


def run_worker(sweep: Sweep, *, show_progress: bool = True) -> WorkerOutcome:
    """Run trials until the study's budget or the timeout is reached.

    The study is done when its budget is used up and no trial is still running anywhere.
    """
    cfg = sweep.cfg
    objective = Objective(sweep)
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
                objective.on_start = held.close
                _optimize_one(sweep.study, objective, progress)
            ran += 1
            bar.set_postfix_str(progress.postfix(), refresh=False)
            bar.update(1)
    return WorkerOutcome(ran, done)


def _optimize_one(study: optuna.Study, objective: Objective, progress: Progress) -> None:
    callback = [lambda _study, trial: progress.add(trial)]
    with experimental_ok():
        study.optimize(
            objective, n_trials=1, catch=(Exception,), gc_after_trial=False, callbacks=callback
        )
