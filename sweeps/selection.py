"""Which trial a sweep selects, and how trials compare."""

from __future__ import annotations

from collections import Counter

import optuna
from optuna.trial import FrozenTrial, TrialState

from sweeps.config import SweepConfig


def selected_trial(study: optuna.Study, cfg: SweepConfig) -> FrozenTrial | None:
    """The winner: the best trial, or for several objectives the Pareto-optimal trial that is
    best on ``objective.select_by`` (default: the first metric). None before any completes."""
    if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        return None
    if len(cfg.objective.metric) == 1:
        return study.best_trial
    index = cfg.objective.metric.index(cfg.objective.selection_metric)
    sign = 1.0 if cfg.objective.directions[index] == "minimize" else -1.0
    return min(study.best_trials, key=lambda t: (sign * t.values[index], t.number))


def states(study: optuna.Study) -> dict[str, int]:
    """Trial counts by state name, retries of stale trials included."""
    counts = Counter(t.state.name for t in study.get_trials(deepcopy=False))
    order = ("COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING")
    return {name: counts.get(name, 0) for name in order}


def pareto_front(study: optuna.Study) -> list[FrozenTrial]:
    """The Pareto-optimal trials of a multi-objective study (empty for one objective)."""
    return list(study.best_trials) if len(study.directions) > 1 else []
