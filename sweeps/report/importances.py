"""Parameter importances for the report: PED-ANOVA, and how much they hinge on single trials.

PED-ANOVA (Watanabe et al., IJCAI 2023) is Optuna 5's default evaluator and the one
optuna-dashboard shows: it compares the distribution of each parameter among the best 10% of
the completed trials with its distribution among all of them. It needs no random forest (fANOVA,
Optuna 4's default, fits 64 trees and moves with its seed) and is deterministic, so the report's
numbers are the dashboard's for the same trials. With a few dozen trials the best 10% are a
handful: the spread says how far the importances move when one of the best trials is left out.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import optuna
from optuna.importance import BaseImportanceEvaluator, PedAnovaImportanceEvaluator
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial, TrialState

__all__: list[str] = []  # nothing here for other packages

#: What the report calls the method.
METHOD = "PED-ANOVA"
#: The share of completed trials PED-ANOVA calls the best (its default).
TOP_SHARE = 0.1
#: The best trials each left out once to measure the spread.
LEAVE_OUT = 10


@dataclass(frozen=True)
class Importance:
    """One parameter's importance (normalised: they sum to 1) and its range when any one of
    the :data:`LEAVE_OUT` best trials is left out."""

    value: float
    low: float
    high: float


Target = Callable[[FrozenTrial], float]


def _loss(study: optuna.Study, target: Target | None, index: int) -> Target:
    """The selected objective as a value to minimise (PED-ANOVA looks for low values)."""
    sign = -1.0 if study.directions[index] == StudyDirection.MAXIMIZE else 1.0
    if target is None:
        return lambda t: sign * float(t.values[index])
    return lambda t: sign * float(target(t))


def _evaluate(
    trials: list[FrozenTrial], loss: Target, directions: list[StudyDirection]
) -> dict[str, float]:
    """Normalised PED-ANOVA importances of ``trials`` (as one study) for ``loss``."""
    study = optuna.create_study(directions=directions)
    study.add_trials(trials)
    with warnings.catch_warnings():  # "computes the importances ... low target values": ours are
        warnings.simplefilter("ignore")
        raw = PedAnovaImportanceEvaluator(target_quantile=TOP_SHARE).evaluate(study, target=loss)
    total = sum(raw.values())
    return {k: (v / total if total > 0 else 0.0) for k, v in raw.items()}


def param_importances(
    study: optuna.Study, target: Target | None = None, index: int = 0
) -> dict[str, Importance]:
    """Each searched parameter's importance for objective ``index`` (through ``target`` when
    given), most important first, with its leave-one-best-trial-out range."""
    done = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    loss = _loss(study, target, index)
    directions = list(study.directions)
    full = _evaluate(done, loss, directions)
    best = sorted(done, key=lambda t: (loss(t), t.number))[:LEAVE_OUT]
    runs = [full]
    if len(done) > 2:
        runs += [_evaluate([t for t in done if t is not left], loss, directions) for left in best]
    out = {
        name: Importance(
            value, min(r.get(name, 0.0) for r in runs), max(r.get(name, 0.0) for r in runs)
        )
        for name, value in full.items()
    }
    return dict(sorted(out.items(), key=lambda item: -item[1].value))


class Recorded(BaseImportanceEvaluator):
    """An evaluator that hands Optuna's plot importances computed beforehand."""

    def __init__(self, importances: dict[str, Importance]) -> None:
        self._values = {k: v.value for k, v in importances.items()}

    def evaluate(
        self, study: optuna.Study, params: list[str] | None = None, *, target: Target | None = None
    ) -> dict[str, float]:
        """The recorded values (``study``, ``params`` and ``target`` were used to compute them)."""
        return dict(self._values)
