"""Training one trial: the one function the objective, the winner's retraining and
``sweeps reproduce`` all call, so the three can never drift apart.

A trial's MLP keywords are the fixed ones, the sampled ones (``depth`` x ``width`` mapped onto
``hidden_layer_sizes``) and a seed derived from the sweep seed and the trial number.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pipeline import EpochRecord, MLPClassifier, MLPRegressor, zero_weight_share
from sweeps.search.dataset import SweepData
from sweeps.space import hidden_layers

#: Final values logged beside the ``final_*`` metrics of a complete trial.
FINAL_EXTRA = ("n_params", "n_epochs", "best_epoch", "zero_weight_share")


def trial_seed(sweep_seed: int, trial_number: int) -> int:
    """A reproducible per-trial seed derived from the sweep seed and the trial number."""
    return int(np.random.SeedSequence([sweep_seed, trial_number]).generate_state(1)[0])


def estimator_kwargs(fixed: dict[str, Any], sampled: dict[str, Any], seed: int) -> dict[str, Any]:
    """The MLP's keywords: fixed ones, sampled ones, depth x width mapped, and the seed."""
    return {**hidden_layers({**fixed, **sampled}), "random_state": seed}


def make_estimator(task: str, kwargs: dict[str, Any]) -> MLPClassifier | MLPRegressor:
    """An unfitted MLP for ``task``."""
    cls = MLPClassifier if task == "classification" else MLPRegressor
    return cls(**kwargs)


def epoch_metrics(record: EpochRecord) -> dict[str, float]:
    """One epoch's metrics as logged to MLflow and reported to Optuna."""
    values = {"train_loss": record.train_loss, "learning_rate": record.learning_rate}
    if record.val_loss is not None:
        values["val_loss"] = record.val_loss
    values.update({f"val_{k}": v for k, v in record.val_metrics.items()})
    return values


@dataclass
class TrainedTrial:
    """A fitted MLP with its per-epoch records and its training time."""

    model: Any
    records: list[EpochRecord] = field(default_factory=list)
    seconds: float = 0.0

    def selected(self) -> dict[str, float]:
        """Metrics of the model as kept (the restored best epoch), plus its size."""
        best = self.records[self.model.best_epoch_ - 1]
        return {**epoch_metrics(best), "n_params": float(self.model.n_params_)}

    def final_metrics(self) -> dict[str, float]:
        """What a complete trial logs and ``reproduce`` compares: ``final_*`` metrics of the
        kept epoch, the size, the epochs trained and the kept epoch."""
        selected = self.selected()
        final = {f"final_{k}": v for k, v in selected.items() if k != "n_params"}
        final["n_params"] = selected["n_params"]
        final["n_epochs"] = float(self.model.n_epochs_)
        final["best_epoch"] = float(self.model.best_epoch_)
        final["zero_weight_share"] = zero_weight_share(self.model)
        return final


def train_trial(
    data: SweepData, kwargs: dict[str, Any], callbacks: Sequence[Any] = ()
) -> TrainedTrial:
    """Fit the task's MLP with ``kwargs`` on the prepared training rows, watching the
    validation rows; every epoch goes to ``callbacks`` (which may stop or prune)."""
    prepared = data.prepared
    trained = TrainedTrial(make_estimator(data.task, kwargs))
    start = time.perf_counter()
    trained.model.fit(
        prepared.X_train,
        prepared.y_train,
        X_val=prepared.X_val,
        y_val=prepared.y_val,
        callbacks=[trained.records.append, *callbacks],
    )
    trained.seconds = time.perf_counter() - start
    return trained
