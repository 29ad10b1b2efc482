"""The study's best-so-far line: after each finished trial, the best objective value of the
complete trials up to it (the first objective of a multi-objective study).

The parent run carries it as the metric ``best_so_far/<metric>`` with step = trial number, so
MLflow draws the optimisation history the way W&B and optuna-dashboard lead with it.
"""

from __future__ import annotations

import math

import optuna
from optuna.trial import TrialState

__all__ = ["best_so_far", "missing_points"]


def best_so_far(study: optuna.Study) -> list[tuple[int, float]]:
    """``(trial number, best value so far)`` for each finished trial from the first complete
    one on (a pruned or failed trial repeats the best before it)."""
    sign = 1.0 if study.directions[0] == optuna.study.StudyDirection.MINIMIZE else -1.0
    best: float | None = None
    points: list[tuple[int, float]] = []
    trials = sorted(study.get_trials(deepcopy=False), key=lambda t: t.number)
    for trial in trials:
        if not trial.state.is_finished():
            continue
        if trial.state == TrialState.COMPLETE and trial.values and math.isfinite(trial.values[0]):
            value = trial.values[0]
            best = value if best is None or sign * value < sign * best else best
        if best is not None:
            points.append((trial.number, best))
    return points


def missing_points(
    points: list[tuple[int, float]], logged: list[tuple[int, float]]
) -> list[tuple[int, float]]:
    """The points not logged yet (a resumed or repeated conclusion logs only those)."""
    done = set(logged)
    return [point for point in points if point not in done]
