"""Choosing a sweep's champion once the trials are done: a weighted ensemble of the best trials'
models, chosen on their out-of-fold predictions (Caruana et al., 2004), or one trial.

Every complete trial logged its out-of-fold predictions (each non-test row predicted once by the
fold model that held it out; with one split, the validation rows). The best ``ensemble.top``
trials by the study's value are the candidates; greedy forward selection with replacement on the
objective's metric gives their weights. A trial's model is the average of its fold models, each
early-stopped on its own fold: no model is trained after the search, and every part of the
champion was validated on rows it did not train on.

The champion's validation score is honest about the selection: it is the score of predictions
made by weights selected on other rows
(:func:`pipeline.models.ensemble_selection.cross_fitted`, five parts). It does not remove two
smaller optimisms: the candidates were ranked on all the scored rows, and each fold model
stopped at the epoch that scored best on the rows it predicts. The test split, used once,
measures what is left.

A single-trial champion (``ensemble: false``, several objectives, or an objective ensemble
selection cannot optimise) is the study's selected trial, or the best confirmed one
(``selection.confirm``), scored by the value the study recorded (or its confirmed mean).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
from optuna.trial import FrozenTrial

from pipeline.data.fingerprint import indices_sha256
from pipeline.models.ensemble_selection import (
    METRICS,
    Scorer,
    blend,
    cross_fitted,
    greedy_weights,
    make_scorer,
)
from sweeps.core.sweep import Sweep
from sweeps.core.trial import OOF_ARTIFACT
from sweeps.records import CHAMPION_ATTR, RUN_ID_ATTR
from sweeps.results.confirm import confirm_winner
from sweeps.study.selection import ranked_trials, selected_trial

__all__ = ["Choice"]

#: Parts of the scored rows for the cross-fitted score.
CROSS_FIT_PARTS = 5
BOOTSTRAP_DRAWS = 200


@dataclass(frozen=True)
class Member:
    """One trial in the champion, with its weight."""

    trial: int
    run_id: str
    weight: float


@dataclass(frozen=True)
class Choice:
    """The champion: its members, how it was chosen and its validation score.

    ``score`` is the champion's validation value of ``metric`` (see the module's docstring);
    ``fit_score`` the ensemble's value on the rows its weights were chosen on; ``best_trial``
    and ``best_score`` the study's best trial and its value on the same rows; ``spread`` the
    standard deviation of the champion's score over the folds (or bootstrap draws of one
    validation split)."""

    kind: str  # "ensemble" or "trial"
    metric: str
    members: tuple[Member, ...]
    score: float
    how: str
    best_trial: int
    best_score: float
    candidates: tuple[int, ...] = ()
    fit_score: float | None = None
    spread: float | None = None
    confirmation: dict[str, Any] | None = None
    alternatives: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> str:
        """A digest of the choice: members, weights, metric and score."""
        text = json.dumps([self.kind, self.metric, [asdict(m) for m in self.members]])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the study's user attribute and the champion run's artifact."""
        out = asdict(self)
        out.pop("notes")
        out["key"] = self.key
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Choice:
        """The choice :meth:`as_dict` recorded."""
        members = tuple(
            Member(int(m["trial"]), str(m["run_id"]), float(m["weight"])) for m in data["members"]
        )
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields.update(members=members, candidates=tuple(data.get("candidates", ())))
        return cls(**fields)

    def weights_text(self, limit: int = 6) -> str:
        """``trial 12 (0.44), trial 7 (0.32), ...`` (at most ``limit`` members named)."""
        parts = [f"trial {m.trial} ({m.weight:.2f})" for m in self.members[:limit]]
        more = len(self.members) - limit
        return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


def recorded_choice(sweep: Sweep) -> Choice | None:
    """The champion the last conclusion recorded on the study, if any."""
    data = sweep.study.user_attrs.get(CHAMPION_ATTR)
    return Choice.from_dict(data["choice"]) if isinstance(data, dict) else None


def choose_champion(sweep: Sweep) -> Choice | None:
    """The champion of the study as it stands (None before any trial completed)."""
    goal, ensemble = sweep.cfg.objective, sweep.cfg.selection.ensemble
    best = selected_trial(sweep.study, goal)
    if best is None:
        return None
    metric = goal.selection_metric
    if ensemble is None or len(goal.metric) > 1 or metric not in METRICS[sweep.data.task]:
        return _single_trial(sweep, best)
    top = ranked_trials(sweep.study, goal, ensemble.top)
    recorded = recorded_choice(sweep)
    if recorded is not None and recorded.candidates == tuple(t.number for t in top):
        return recorded
    return _ensemble(sweep, top, best, ensemble.size)


def _single_trial(sweep: Sweep, best: FrozenTrial) -> Choice:
    goal = sweep.cfg.objective
    confirmation = confirm_winner(sweep) if sweep.cfg.selection.confirm.top >= 2 else None
    winner = confirmation.trial if confirmation is not None else best
    score = confirmation.score().value if confirmation is not None else _value(best, goal)
    how = "the study's best trial" + (
        f" after seed confirmation of the top {len(confirmation.candidates)}"
        if confirmation is not None and confirmation.candidates
        else ""
    )
    member = Member(winner.number, str(winner.user_attrs.get(RUN_ID_ATTR, "")), 1.0)
    record = confirmation.as_dict() if confirmation is not None else None
    return Choice(
        "trial",
        goal.selection_metric,
        (member,),
        score,
        how,
        best.number,
        _value(best, goal),
        confirmation=record,
    )


def _value(trial: FrozenTrial, goal: Any) -> float:
    return float(trial.values[list(goal.metric).index(goal.selection_metric)])


def _ensemble(sweep: Sweep, top: list[FrozenTrial], best: FrozenTrial, size: int) -> Choice:
    """Ensemble selection, or the best single candidate when that scores better on held-out
    rows: both procedures are cross-fitted, so the comparison is fair."""
    data, metric = sweep.data, sweep.cfg.objective.selection_metric
    usable, preds, notes = _out_of_fold(sweep, top)
    if not usable:
        choice = _single_trial(sweep, best)
        return replace(choice, notes=(*notes, "no out-of-fold predictions: the best trial alone"))
    scorer = make_scorer(metric, data.task, data.scored_targets())
    honest = {
        steps: cross_fitted(preds, scorer, steps, parts=CROSS_FIT_PARTS, seed=sweep.cfg.seed)
        for steps in (1, size)
    }
    steps = size if scorer.loss(honest[size]) <= scorer.loss(honest[1]) else 1
    weights = greedy_weights(preds, scorer, steps)
    ranked = sorted(zip(usable, weights, strict=True), key=lambda pair: -pair[1])  # stable
    members = tuple(
        Member(t.number, str(t.user_attrs[RUN_ID_ATTR]), float(w)) for t, w in ranked if w > 0
    )
    single, ensemble = scorer.value(honest[1]), scorer.value(honest[size])
    blended = blend(preds, weights)
    return Choice(
        kind="ensemble" if len(members) > 1 else "trial",
        metric=metric,
        members=members,
        score=scorer.value(honest[steps]),
        how=_how(len(usable), size, steps, metric, single, ensemble),
        best_trial=best.number,
        best_score=_value(best, sweep.cfg.objective),
        candidates=tuple(t.number for t in top),
        fit_score=scorer.value(blended),
        spread=spread(sweep, scorer, blended),
        alternatives={"single": single, "ensemble": ensemble},
        notes=tuple(notes),
    )


def _how(
    candidates: int, size: int, steps: int, metric: str, single: float, ensemble: float
) -> str:
    """How the champion was chosen, with the two cross-fitted scores it was chosen on."""
    scores = (
        f"cross-fitted {metric}, each fifth of the rows scored by a choice made on the others: "
        f"ensemble {ensemble:.6g}, one best trial {single:.6g}"
    )
    if candidates == 1:
        return f"the only trial with out-of-fold predictions (nothing to blend; {metric})"
    if steps == 1:
        return (
            f"ensemble selection over the out-of-fold predictions of the top {candidates} "
            f"trials; one trial alone scored better ({scores})"
        )
    return (
        f"ensemble selection over the out-of-fold predictions of the top {candidates} "
        f"trials, {size} greedy steps with replacement ({scores})"
    )


def _out_of_fold(
    sweep: Sweep, top: list[FrozenTrial]
) -> tuple[list[FrozenTrial], list[np.ndarray], list[str]]:
    """The candidates whose out-of-fold predictions match this sweep's scored rows."""
    data = sweep.data
    runs = [str(t.user_attrs.get(RUN_ID_ATTR, "")) for t in top]
    found = sweep.tracker.read_arrays([r for r in runs if r], OOF_ARTIFACT)
    rows = indices_sha256(data.scored_rows)
    width = 1 if data.classes is None else len(data.classes)
    usable, preds, notes = [], [], []
    for trial, run_id in zip(top, runs, strict=True):
        arrays = found.get(run_id, {})
        predictions = arrays.get("predictions")
        same_rows = str(arrays.get("rows_sha256", "")) == rows
        expected = (len(data.scored_rows), width)
        if (
            predictions is None
            or not same_rows
            or predictions.shape != expected
            or predictions.dtype != np.float32
            or not np.isfinite(predictions).all()
        ):
            notes.append(f"trial {trial.number}: no usable out-of-fold predictions; left out")
            continue
        usable.append(trial)
        preds.append(predictions)
    return usable, preds, notes


def spread(sweep: Sweep, scorer: Scorer, blended: np.ndarray) -> float | None:
    """Standard deviation of the champion's score over the folds' held-out rows, or over
    bootstrap draws of the one validation split."""
    sets = sweep.data.held_out()
    if len(sets) > 1:
        values = [scorer.subset(p).value(blended[p]) for p, _ in sets]
        return float(np.std(values, ddof=1))
    rng = np.random.default_rng(sweep.cfg.seed)
    n = len(scorer.y)
    draws = [rng.integers(0, n, n) for _ in range(BOOTSTRAP_DRAWS)]
    return float(np.std([scorer.subset(d).value(blended[d]) for d in draws], ddof=1))
