"""Which trial a sweep selects, how completed trials rank, and trials by state."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Protocol

import optuna
from optuna.trial import FrozenTrial, TrialState

from sweeps.records import WINNER_ATTR

__all__ = ["Goal", "pareto_front", "ranked_trials", "selected_trial", "states"]


class Goal(Protocol):
    """What the study optimises (the sweep file's ``objective`` section satisfies it)."""

    @property
    def metric(self) -> Sequence[str]:
        """The objective metric(s), in the study's order."""

    @property
    def directions(self) -> Sequence[str]:
        """``minimize`` or ``maximize`` per metric."""

    @property
    def selection_metric(self) -> str:
        """The metric that picks the winner."""


def _sort_key(goal: Goal) -> tuple[int, float]:
    index = list(goal.metric).index(goal.selection_metric)
    return index, 1.0 if goal.directions[index] == "minimize" else -1.0


def selected_trial(study: optuna.Study, goal: Goal) -> FrozenTrial | None:
    """The winner: the best trial, or for several objectives the Pareto-optimal trial that is
    best on the selection metric (ties: lower number). None before any trial completes."""
    if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        return None
    if len(goal.metric) == 1:
        return study.best_trial
    index, sign = _sort_key(goal)
    return min(study.best_trials, key=lambda t: (sign * t.values[index], t.number))


def winner_trial(study: optuna.Study, goal: Goal) -> FrozenTrial | None:
    """The winner as the last conclusion confirmed it (see :mod:`sweeps.results.confirm`),
    else the selected trial."""
    record = study.user_attrs.get(WINNER_ATTR)
    if record is not None:
        done = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        match = [t for t in done if t.number == record["winner"]]
        if match:
            return match[0]
    return selected_trial(study, goal)


def ranked_trials(study: optuna.Study, goal: Goal, n: int) -> list[FrozenTrial]:
    """The ``n`` best completed trials on the selection metric (ties: lower number first)."""
    index, sign = _sort_key(goal)
    done = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    return sorted(done, key=lambda t: (sign * t.values[index], t.number))[:n]


def states(study: optuna.Study) -> dict[str, int]:
    """Trial counts by state name, retries of stale trials included."""
    counts = Counter(t.state.name for t in study.get_trials(deepcopy=False))
    order = ("COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING")
    return {name: counts.get(name, 0) for name in order}


def pareto_front(study: optuna.Study) -> list[FrozenTrial]:
    """The Pareto-optimal trials of a multi-objective study (empty for one objective)."""
    return list(study.best_trials) if len(study.directions) > 1 else []
