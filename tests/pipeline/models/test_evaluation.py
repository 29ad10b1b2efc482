"""Metrics of a fitted model on held-out rows: the losses follow the training loop's own
conventions, so a final ``val_loss`` equals the loop's kept-epoch validation loss."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_wine
from sklearn.preprocessing import StandardScaler

from pipeline import MLPClassifier, MLPRegressor
from pipeline.models.evaluation import evaluate


def _halves(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    order = np.random.default_rng(0).permutation(len(y))
    train, val = order[: len(y) // 2], order[len(y) // 2 :]
    scaler = StandardScaler().fit(X[train])
    return scaler.transform(X[train]), y[train], scaler.transform(X[val]), y[val]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_regression_loss_is_the_loops_validation_loss_in_scaled_units(dtype: str) -> None:
    X, y, X_val, y_val = _halves(*load_diabetes(return_X_y=True))
    model = MLPRegressor(hidden_layer_sizes=(8,), max_epochs=30, random_state=0, dtype=dtype)
    model.fit(X, y, X_val=X_val, y_val=y_val)
    metrics = evaluate(model, X_val, y_val, "regression", "val_")
    kept = model.validation_curve_[model.best_epoch_ - 1]
    assert metrics["val_loss"] == pytest.approx(kept, rel=1e-4 if dtype == "float32" else 1e-9)
    assert metrics["val_rmse"] == pytest.approx(np.sqrt(metrics["val_mse"]))
    assert metrics["val_rmse"] > 10  # the target's own units (disease progression, ~50-350)


def test_multiclass_float32_probabilities_sum_to_one_without_a_warning() -> None:
    X, y, X_val, y_val = _halves(*load_wine(return_X_y=True))
    model = MLPClassifier(hidden_layer_sizes=(16,), max_epochs=20, random_state=0)
    model.fit(X, y, X_val=X_val, y_val=y_val)
    proba = model.predict_proba(X_val)
    assert proba.dtype == np.float64
    assert np.abs(proba.sum(axis=1) - 1).max() < 1e-12
    metrics = evaluate(model, X_val, y_val, "classification", "val_")  # warnings are errors
    assert metrics["val_loss"] == pytest.approx(model.validation_curve_[model.best_epoch_ - 1])
    assert 0.8 < metrics["val_accuracy"] <= 1.0
