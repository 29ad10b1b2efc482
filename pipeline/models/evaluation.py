"""Metrics of a fitted model on a set of rows, named with a prefix (``val_``, ``test_``).

Losses follow the MLP's own conventions, so ``val_loss`` here equals the training loop's:
cross-entropy for classification, half the mean squared error for regression.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import metrics


def classification_metrics(model: Any, X: Any, y: Any) -> dict[str, float]:
    """Cross-entropy, accuracy, macro F1 and ROC AUC (one-vs-rest for several classes)."""
    proba = model.predict_proba(X)
    classes = model.classes_
    predicted = classes[np.argmax(proba, axis=1)]
    out = {
        "loss": metrics.log_loss(y, proba, labels=classes),
        "accuracy": metrics.accuracy_score(y, predicted),
        "f1_macro": metrics.f1_score(y, predicted, average="macro"),
    }
    if len(np.unique(y)) == len(classes):
        scores = proba[:, 1] if len(classes) == 2 else proba
        out["roc_auc"] = metrics.roc_auc_score(y, scores, multi_class="ovr", labels=classes)
    return {k: float(v) for k, v in out.items()}


def regression_metrics(model: Any, X: Any, y: Any) -> dict[str, float]:
    """Half MSE in the units the MLP trains in (the target divided by its learned scale, as
    ``val_loss``), then MSE, RMSE, MAE (the target's units) and R²."""
    predicted = model.predict(X)
    mse = metrics.mean_squared_error(y, predicted)
    scale = float(np.mean(_target_scale(model)))
    out = {
        "loss": 0.5 * mse / scale**2,
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "mae": metrics.mean_absolute_error(y, predicted),
        "r2": metrics.r2_score(y, predicted),
    }
    return {k: float(v) for k, v in out.items()}


def _target_scale(model: Any) -> Any:
    """The regressor's learned target scale (1 without scaling); ``model`` may be a Pipeline."""
    final = model[-1] if hasattr(model, "steps") else model
    return getattr(final, "target_scale_", 1.0)


def evaluate(model: Any, X: Any, y: Any, task: str, prefix: str) -> dict[str, float]:
    """The task's metrics of ``model`` on ``(X, y)``, keys prefixed with ``prefix``."""
    fn = classification_metrics if task == "classification" else regression_metrics
    return {f"{prefix}{k}": v for k, v in fn(model, X, y).items()}
