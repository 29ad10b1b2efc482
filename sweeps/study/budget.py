"""The exact trial budget of a study, across resumes and workers: each logical trial counts
once (a stale trial retried as a new trial is not counted twice)."""

from __future__ import annotations

import time

import optuna
from optuna.trial import FrozenTrial, TrialState

from sweeps.records import BUDGET_ATTR
from sweeps.study.samplers import experimental_ok

__all__ = [
    "budget_of",
    "budget_state",
    "may_start_trial",
    "record_budget",
    "recorded_budget",
    "trials_left",
]


def retried_numbers(trials: list[FrozenTrial]) -> set[int]:
    """Numbers of trials that went stale and were retried as a new trial."""
    return {n for t in trials for n in t.system_attrs.get("retry_history", [])}


def record_budget(study: optuna.Study, n_trials: int | None) -> None:
    """Remember the budget this run gave the study (``--trials`` included), for readers."""
    if study.user_attrs.get(BUDGET_ATTR, "unset") != n_trials:
        study.set_user_attr(BUDGET_ATTR, n_trials)


def recorded_budget(study: optuna.Study, configured: int | None) -> int | None:
    """The budget the study's latest run set (``sweeps run --trials 80`` on a 30-trial file:
    80), else ``configured``."""
    return study.user_attrs.get(BUDGET_ATTR, configured)


def budget_state(study: optuna.Study) -> tuple[int, int, int]:
    """``(counted, waiting, running)``: each logical trial once, retries not double-counted."""
    return budget_of(study.get_trials(deepcopy=False))


def budget_of(trials: list[FrozenTrial]) -> tuple[int, int, int]:
    """:func:`budget_state` of trials already read."""
    retried = retried_numbers(trials)
    counted = sum(1 for t in trials if t.number not in retried)
    waiting = sum(1 for t in trials if t.state == TrialState.WAITING)
    running = sum(1 for t in trials if t.state == TrialState.RUNNING)
    return counted, waiting, running


def may_start_trial(study: optuna.Study, n_trials: int | None, poll: float = 1.0) -> bool:
    """Whether one more trial fits the budget, waiting while other trials may still go stale.

    A WAITING trial (enqueued, or a retry of a stale one) always may run: it was already
    counted. With the budget used up but trials still RUNNING, this waits and fails stale
    ones, so that a killed worker's last trial is retried rather than lost.
    """
    while True:
        counted, waiting, running = budget_state(study)
        if waiting or n_trials is None or counted < n_trials:
            return True
        if not running:
            return False
        with experimental_ok():
            optuna.storages.fail_stale_trials(study)
        time.sleep(poll)


def trials_left(study: optuna.Study, n_trials: int | None) -> tuple[str, str]:
    """What an interrupted sweep has done and what a rerun does, for its last lines:
    ``("4 of 40 trials done (2 complete, 1 pruned, 1 failed), 36 left",
    "run the same command again to run the 36 left, then choose the champion")``.

    A trial is done once finished (a stale one that will be retried is not); the trial the
    interruption stopped is done, failed (reason ``interrupted``): the budget counts it."""
    trials = study.get_trials(deepcopy=False)
    counted, waiting, running = budget_of(trials)
    done = counted - waiting - running
    retried = retried_numbers(trials)
    states = [t.state for t in trials if t.number not in retried]
    counts = [(states.count(s), s.name.lower()) for s in FINISHED]
    detail = ", ".join(f"{n} {name.replace('fail', 'failed')}" for n, name in counts if n)
    detail = f" ({detail})" if detail else ""
    if n_trials is None:
        return f"{done} trials done{detail}, no trial budget", "run the same command again"
    left = max(n_trials - done, 0)
    progress = f"{done} of {n_trials} trials done{detail}, {left} left"
    if left:
        return progress, f"run the same command again to run the {left} left, then conclude"
    return progress, "run the same command again to conclude (choose, test, register)"


#: Finished trial states, in the order they are listed.
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
