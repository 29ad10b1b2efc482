"""Scores on the held-out rows, shared by every method of the quality benchmark."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn import metrics


@dataclass(frozen=True)
class Score:
    """One method's result on one table's held-out rows.

    ``main`` is accuracy (classification) or R² (regression); ``extra`` is log loss or RMSE.
    A method that failed has ``error`` set and NaN scores. ``members``: how many trials our
    champion blends.
    """

    main: float = float("nan")
    extra: float = float("nan")
    seconds: float = float("nan")
    error: str | None = None
    members: int | None = None  # trials in our champion


def holdout_score(
    task: str, y: pd.Series, predicted: Any, proba: Any = None, classes: Any = None
) -> tuple[float, float]:
    """``(accuracy, log loss)`` or ``(R², RMSE)`` of predictions of the held-out rows."""
    predicted = np.asarray(predicted)
    if task == "regression":
        predicted = predicted.astype(np.float64).ravel()
        rmse = float(np.sqrt(metrics.mean_squared_error(y, predicted)))
        return float(metrics.r2_score(y, predicted)), rmse
    accuracy = float(metrics.accuracy_score(y, predicted.ravel()))
    loss = float("nan") if proba is None else float(metrics.log_loss(y, proba, labels=classes))
    return accuracy, loss


def score_estimator(model: Any, task: str, X: pd.DataFrame, y: pd.Series, seconds: float) -> Score:
    """Score a fitted scikit-learn estimator on the held-out rows."""
    if task == "regression":
        main, extra = holdout_score(task, y, model.predict(X))
    else:
        main, extra = holdout_score(
            task, y, model.predict(X), model.predict_proba(X), model.classes_
        )
    return Score(main, extra, seconds)
