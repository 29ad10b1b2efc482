"""Training one trial: the one function the objective, the winner's retraining and
``sweeps reproduce`` all call, so the three can never drift apart.

A trial's MLP keywords are the fixed ones, the sampled ones (``depth`` x ``width`` mapped onto
``hidden_layer_sizes``) and a seed derived from the sweep seed and the trial number.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from pipeline import (
    EpochRecord,
    MLPClassifier,
    MLPRegressor,
    PreparedData,
    weights_digest,
    zero_weight_share,
)
from pipeline.data.fingerprint import indices_sha256
from pipeline.mlp.fitted import fitted_arrays
from pipeline.models.ensemble import model_output
from sweeps.core.dataset import SweepData
from sweeps.infra import timings
from sweeps.records import curve_names, fold_metric, spread_metric
from sweeps.spec.space import hidden_layers

__all__ = [
    "OOF_ARTIFACT",
    "WEIGHTS_ARTIFACT",
    "TrainedTrial",
    "curve_metrics",
    "epoch_metrics",
    "estimator_kwargs",
    "make_estimator",
    "models_digest",
    "oof_arrays",
    "other_seeds",
    "train_trial",
    "trial_seed",
]

Scope = Literal["trial", "first", "split"]
#: A complete trial's artifacts: every fit's learned state, and its out-of-fold predictions.
WEIGHTS_ARTIFACT = "weights.npz"
OOF_ARTIFACT = "oof.npz"


def trial_seed(sweep_seed: int, trial_number: int) -> int:
    """A reproducible per-trial seed derived from the sweep seed and the trial number."""
    return int(np.random.SeedSequence([sweep_seed, trial_number]).generate_state(1)[0])


def other_seeds(seed: int, k: int) -> list[int]:
    """``k`` seeds derived deterministically from ``seed`` (children of its SeedSequence)."""
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(k)]


def estimator_kwargs(fixed: dict[str, Any], sampled: dict[str, Any], seed: int) -> dict[str, Any]:
    """The MLP's keywords: fixed ones, sampled ones, depth x width mapped, and the seed (a
    ``random_state`` fixed in the sweep file wins: a pinned, exported trial)."""
    return {**hidden_layers({**fixed, **sampled}), "random_state": fixed.get("random_state", seed)}


def make_estimator(task: str, kwargs: dict[str, Any]) -> MLPClassifier | MLPRegressor:
    """An unfitted MLP for ``task``."""
    cls = MLPClassifier if task == "classification" else MLPRegressor
    return cls(**kwargs)


def curve_metrics(record: EpochRecord, folds: int = 0) -> dict[str, float]:
    """One epoch's metrics as MLflow's per-epoch curves (``epoch/val_loss``, ...; with
    ``folds`` > 1 ``fold0/val_loss``: the first fold's)."""
    return curve_names(epoch_metrics(record), folds)


def epoch_metrics(record: EpochRecord) -> dict[str, float]:
    """One epoch's metrics, as reported to Optuna and selected at the kept epoch."""
    values = {"train_loss": record.train_loss, "learning_rate": record.learning_rate}
    if record.val_loss is not None:
        values["val_loss"] = record.val_loss
    values.update({f"val_{k}": v for k, v in record.val_metrics.items()})
    return values


@dataclass
class Fit:
    """One fitted MLP with its per-epoch records."""

    model: Any
    records: list[EpochRecord] = field(default_factory=list)

    def selected(self) -> dict[str, float]:
        """Metrics of the model as kept (the restored best epoch); not its learning rate."""
        kept = epoch_metrics(self.records[self.model.best_epoch_ - 1])
        return {k: v for k, v in kept.items() if k != "learning_rate"}


@dataclass
class TrainedTrial:
    """A trial's fits (one, or one per fold) and its training time.

    With folds, a metric's value is its mean over the folds; the first fold is the one the
    objective reports to Optuna epoch by epoch (pruning decides on it)."""

    fits: list[Fit]
    seconds: float = 0.0

    @property
    def model(self) -> Any:
        """The (first) fitted MLP."""
        return self.fits[0].model

    @property
    def models(self) -> list[Any]:
        """Every fitted MLP, in fold order."""
        return [fit.model for fit in self.fits]

    @property
    def records(self) -> list[EpochRecord]:
        """The (first) fit's per-epoch records."""
        return self.fits[0].records

    def selected(self) -> dict[str, float]:
        """Metrics of the models as kept (the best epoch of each), averaged over the folds,
        plus the size."""
        per_fit = [fit.selected() for fit in self.fits]
        mean = {k: float(np.mean([values[k] for values in per_fit])) for k in per_fit[0]}
        return {**mean, "n_params": float(self.model.n_params_)}

    def final_metrics(self) -> dict[str, float]:
        """What a complete trial logs and ``reproduce`` compares: the kept epochs' metrics
        (``val_loss``, ...), the size, the epochs trained and kept, the share of zero weights;
        with folds also each fold's ``folds/*_fold<i>`` value and the spread ``folds/*_std``."""
        final = self.selected()
        final["n_epochs"] = self._mean(lambda m: m.n_epochs_)
        final["best_epoch"] = self._mean(lambda m: m.best_epoch_)
        final["zero_weight_share"] = self._mean(zero_weight_share)
        if len(self.fits) > 1:
            final.update(self._per_fold())
        return final

    def _mean(self, value: Any) -> float:
        return float(np.mean([value(fit.model) for fit in self.fits]))

    def _per_fold(self) -> dict[str, float]:
        per_fit = [fit.selected() for fit in self.fits]
        out = {fold_metric(k, i): v for i, vals in enumerate(per_fit) for k, v in vals.items()}
        for key in per_fit[0]:
            out[spread_metric(key)] = float(np.std([vals[key] for vals in per_fit], ddof=1))
        return out

    def out_of_fold(self, data: SweepData) -> np.ndarray:
        """Float32 predictions of ``data.scored_rows``, each row by the fit that held it out
        (class probabilities in ``data.classes`` order, or regression predictions), shape
        ``(rows, columns)``. Only for a trial fitted on every fold (or the one split)."""
        sets = data.held_out()
        if len(sets) != len(self.fits):
            raise ValueError(f"{len(self.fits)} fits for {len(sets)} held-out sets")
        out: np.ndarray | None = None
        for fit, (positions, prepared) in zip(self.fits, sets, strict=True):
            predicted = model_output(fit.model, prepared.X_val, data.classes)
            if out is None:
                out = np.zeros((len(data.scored_rows), predicted.shape[1]), dtype=np.float32)
            out[positions] = predicted
        assert out is not None
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        """Every fit's learned state (``fold<i>_coef_<j>``, ...), to restore the models later."""
        arrays: dict[str, np.ndarray] = {}
        for i, fit in enumerate(self.fits):
            arrays.update(fitted_arrays(fit.model, prefix=f"fold{i}_"))
        return arrays

    def digest(self) -> str:
        """SHA-256 of every fit's weights, in fold order (one fit: its own digest)."""
        return models_digest([fit.model for fit in self.fits])


def models_digest(models: Sequence[Any]) -> str:
    """SHA-256 of the weights of ``models`` in order (one model: its own digest): the tag
    ``sweeps.weights_sha256`` of a complete trial."""
    digests = [weights_digest(model) for model in models]
    if len(digests) == 1:
        return digests[0]
    return hashlib.sha256(":".join(digests).encode()).hexdigest()


def oof_arrays(trained: TrainedTrial, data: SweepData) -> dict[str, np.ndarray]:
    """The ``oof.npz`` artifact: ``predictions`` (float32) and ``rows_sha256``, the digest of
    the scored rows they are aligned with."""
    rows = np.asarray(indices_sha256(data.scored_rows))
    return {"predictions": trained.out_of_fold(data), "rows_sha256": rows}


def train_trial(
    data: SweepData,
    kwargs: dict[str, Any],
    callbacks: Sequence[Any] = (),
    *,
    scope: Scope = "trial",
) -> TrainedTrial:
    """Fit the task's MLP with ``kwargs`` as a trial is scored (``scope="trial"``): on every
    fold when ``data`` has folds, else on the train split watching the validation rows.
    ``"first"`` fits the first fold only (what a pruned trial reported), ``"split"`` the
    train/validation split whatever the folds (the winner's refit). The first fit's epochs
    go to ``callbacks``, which may stop or prune the trial."""
    sets = _training_sets(data, scope)
    start = time.perf_counter()
    fits = [
        _fit(data.task, prepared, kwargs, callbacks if i == 0 else ())
        for i, prepared in enumerate(sets)
    ]
    return TrainedTrial(fits, time.perf_counter() - start)


def _training_sets(data: SweepData, scope: Scope) -> tuple[PreparedData, ...]:
    if scope == "split" or not data.folds:
        return (data.prepared,)
    return data.folds[:1] if scope == "first" else data.folds


def _fit(
    task: str, prepared: PreparedData, kwargs: dict[str, Any], callbacks: Sequence[Any]
) -> Fit:
    fit = Fit(make_estimator(task, kwargs))
    try:
        fit.model.fit(
            prepared.X_train,
            prepared.y_train,
            X_val=prepared.X_val,
            y_val=prepared.y_val,
            callbacks=[fit.records.append, *callbacks],
        )
    finally:  # the epochs' own time (training and validation), callbacks left out
        timings.add("training", sum(record.seconds for record in fit.records))
    return fit
