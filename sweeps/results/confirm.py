"""Confirm the winner before it is tested: the study's best trial won a contest of many noisy
scores, so its own score flatters it (the winner's curse). The top few trials are trained
again with fresh seeds, scored the way trials are (folds or the validation split), and the
best mean wins. Seeds derive from each trial's seed, so the outcome is a function of the
sweep seed. The result is recorded on the study, so a worker that concludes later, or a
resumed sweep whose top trials did not change, reuses it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from optuna.trial import FrozenTrial

from pipeline import DivergenceError
from sweeps.core.sweep import Sweep
from sweeps.core.trial import other_seeds, train_trial
from sweeps.records import ESTIMATOR_ATTR, MAXIMIZED, WINNER_ATTR
from sweeps.results.registry import Score
from sweeps.study.selection import ranked_trials, selected_trial

__all__: list[str] = []  # nothing here for other packages


@dataclass(frozen=True)
class Candidate:
    """One of the top trials: its own value and its values with fresh seeds."""

    number: int
    value: float
    seeds: list[int]
    values: list[float]

    @property
    def mean(self) -> float:
        """Mean over the fresh seeds (a diverged seed counts as NaN and makes it NaN)."""
        return float(np.mean(self.values))

    @property
    def std(self) -> float:
        """Sample standard deviation over the fresh seeds."""
        return float(np.std(self.values, ddof=1)) if len(self.values) > 1 else math.nan


@dataclass(frozen=True)
class Confirmation:
    """The winner, and the candidates it was chosen from (empty: not confirmed)."""

    trial: FrozenTrial
    metric: str
    value: float
    candidates: list[Candidate] = field(default_factory=list)

    def score(self) -> Score:
        """The winner's validation score: its mean over fresh seeds when confirmed (an honest
        estimate), else the value the study recorded."""
        for candidate in self.candidates:
            if candidate.number == self.trial.number and not math.isnan(candidate.mean):
                return Score(self.metric, candidate.mean)
        return Score(self.metric, self.value)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the study's record and the ``confirmation.json`` artifact."""
        return {
            "winner": self.trial.number,
            "metric": self.metric,
            "candidates": [
                {"trial": c.number, "value": c.value, "seeds": c.seeds, "values": c.values}
                for c in self.candidates
            ],
        }


def confirm_winner(sweep: Sweep) -> Confirmation | None:
    """The winner: with one objective and ``selection.confirm.top`` of at least 2, the best
    mean over fresh seeds among the top trials; otherwise the study's selected trial."""
    goal, confirm = sweep.cfg.objective, sweep.cfg.selection.confirm
    best = selected_trial(sweep.study, goal)
    if best is None:
        return None
    top = ranked_trials(sweep.study, goal, confirm.top) if len(goal.metric) == 1 else []
    if len(top) < 2:
        index = list(goal.metric).index(goal.selection_metric)
        return Confirmation(best, goal.selection_metric, float(best.values[index]))
    recorded = sweep.study.user_attrs.get(WINNER_ATTR)
    if recorded and [c["trial"] for c in recorded["candidates"]] == [t.number for t in top]:
        return _from_record(sweep, recorded, top)
    confirmation = _confirm(sweep, top, confirm.seeds)
    sweep.study.set_user_attr(WINNER_ATTR, confirmation.as_dict())
    return confirmation


def _confirm(sweep: Sweep, top: list[FrozenTrial], n_seeds: int) -> Confirmation:
    metric = sweep.cfg.objective.selection_metric
    candidates = [_retrain(sweep, trial, metric, n_seeds) for trial in top]
    sign = -1.0 if metric in MAXIMIZED else 1.0
    ranked = sorted(
        zip(candidates, top, strict=True),
        key=lambda pair: (_nan_last(sign * pair[0].mean), pair[1].number),
    )
    winner = ranked[0][1]
    return Confirmation(winner, metric, float(winner.values[0]), candidates)


def _retrain(sweep: Sweep, trial: FrozenTrial, metric: str, n_seeds: int) -> Candidate:
    kwargs = {**trial.user_attrs[ESTIMATOR_ATTR]}
    if "hidden_layer_sizes" in kwargs:
        kwargs["hidden_layer_sizes"] = tuple(kwargs["hidden_layer_sizes"])
    seeds = other_seeds(int(kwargs["random_state"]), n_seeds)
    values = []
    for seed in seeds:
        try:
            trained = train_trial(sweep.data, {**kwargs, "random_state": seed})
            values.append(trained.selected()[metric])
        except DivergenceError:
            values.append(math.nan)
    return Candidate(trial.number, float(trial.values[0]), seeds, values)


def _nan_last(value: float) -> float:
    return math.inf if math.isnan(value) else value


def _from_record(sweep: Sweep, record: dict[str, Any], top: list[FrozenTrial]) -> Confirmation:
    by_number = {t.number: t for t in top}
    candidates = [
        Candidate(c["trial"], c["value"], list(c["seeds"]), list(c["values"]))
        for c in record["candidates"]
    ]
    winner = by_number[record["winner"]]
    return Confirmation(winner, record["metric"], float(winner.values[0]), candidates)
