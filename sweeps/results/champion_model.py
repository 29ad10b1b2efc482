"""The champion as one model that takes raw rows, built from the models the search validated.

A member trial's fold models are restored from its run's ``weights.npz`` (checked against the
weights digest the trial recorded in the store) behind the preprocessing of their folds, which
is fitted again on the same rows (deterministic). A member whose artifact is missing or does not
match is trained again from its logged keywords and seed, and kept only if that gives the very
same weights. ``selection.refit: all`` instead refits the single winner on every non-test row
(a model nothing validated, on request only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from optuna.trial import FrozenTrial
from sklearn.pipeline import Pipeline

from pipeline.data.preprocess import fit_rows
from pipeline.mlp.fitted import restore_fitted
from pipeline.models.ensemble import build_ensemble
from sweeps.core.dataset import SweepData
from sweeps.core.sweep import Sweep
from sweeps.core.trial import WEIGHTS_ARTIFACT, make_estimator, models_digest, train_trial
from sweeps.errors import StoreError
from sweeps.records import ESTIMATOR_ATTR, RUN_ID_ATTR, WEIGHTS_DIGEST_TAG
from sweeps.results.champion import Choice, Member
from sweeps.tracking import TrackingStore

__all__: list[str] = []  # nothing here for other packages


def estimator_of(trial: FrozenTrial) -> dict[str, Any]:
    """The exact MLP keywords a trial trained with (stored on the trial at its start)."""
    kwargs = dict(trial.user_attrs[ESTIMATOR_ATTR])
    if "hidden_layer_sizes" in kwargs:
        kwargs["hidden_layer_sizes"] = tuple(kwargs["hidden_layer_sizes"])
    return kwargs


def build_champion(sweep: Sweep, choice: Choice) -> tuple[Any, list[str]]:
    """The champion model and notes on how it was built."""
    trials = {t.number: t for t in sweep.study.get_trials(deepcopy=False)}
    if choice.kind == "trial" and sweep.cfg.selection.refit == "all":
        return refit_all(sweep, trials[choice.members[0].trial])
    members = member_models(sweep.tracker, sweep.data, choice.members, trials)
    preprocessors = [prepared.preprocessor for _, prepared in sweep.data.held_out()]
    groups = len(preprocessors)
    models = [[members[m.trial][g] for m in choice.members] for g in range(groups)]
    weights = [[m.weight / groups for m in choice.members] for _ in range(groups)]
    return build_ensemble(sweep.data.task, preprocessors, models, weights), []


def member_models(
    tracker: TrackingStore,
    data: SweepData,
    members: Sequence[Member],
    trials: dict[int, FrozenTrial],
) -> dict[int, list[Any]]:
    """Each member's fold models (one per held-out set), identical to the validated ones."""
    found = tracker.read_arrays([m.run_id for m in members], WEIGHTS_ARTIFACT)
    out = {}
    for member in members:
        run = tracker.run(member.run_id)
        logged = run.tags.get(WEIGHTS_DIGEST_TAG) if run is not None else None
        if logged is None:
            raise StoreError(
                f"trial {member.trial}: its run {member.run_id} has no {WEIGHTS_DIGEST_TAG}"
            )
        kwargs = estimator_of(trials[member.trial])
        models = _restored(data, kwargs, found.get(member.run_id))
        if models is None or models_digest(models) != logged:
            models = train_trial(data, kwargs).models
            if models_digest(models) != logged:
                raise StoreError(
                    f"trial {member.trial}: neither its logged weights nor a retraining match "
                    f"the weights it was validated with ({WEIGHTS_DIGEST_TAG})"
                )
        out[member.trial] = models
    return out


def _restored(
    data: SweepData, kwargs: dict[str, Any], arrays: dict[str, np.ndarray] | None
) -> list[Any] | None:
    """The fold models restored from ``weights.npz`` arrays; None when they do not fit."""
    if arrays is None:
        return None
    try:
        return [
            restore_fitted(make_estimator(data.task, kwargs), arrays, prepared.y_train,
                           prepared.n_features, prefix=f"fold{i}_")
            for i, (_, prepared) in enumerate(data.held_out())
        ]  # fmt: skip
    except ValueError:
        return None


def refit_all(sweep: Sweep, trial: FrozenTrial) -> tuple[Pipeline, list[str]]:
    """Preprocessing and the winner's MLP fitted again on every non-test row for its mean
    kept epochs (``selection.refit: all``): nothing validates this model."""
    data = sweep.data
    run = sweep.tracker.run(str(trial.user_attrs.get(RUN_ID_ATTR)))
    kept = run.metrics.get("best_epoch") if run is not None else None
    epochs = max(1, round(kept if kept is not None else sweep.cfg.max_epochs))
    rows = np.union1d(data.split.train, data.split.validation)
    preprocessor, X, y = fit_rows(data.table, rows)
    kwargs = {**estimator_of(trial), "max_epochs": epochs, "early_stopping_patience": None}
    model = make_estimator(data.task, kwargs).fit(X, y)
    note = (
        f"refit: all: trial {trial.number} refitted on all {len(rows)} non-test rows for "
        f"{epochs} epochs; nothing validated this model"
    )
    return Pipeline([("preprocess", preprocessor), ("mlp", model)]), [note]
