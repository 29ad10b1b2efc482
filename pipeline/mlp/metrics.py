"""Per-epoch validation metrics, computed with a handful of numpy calls (no input checks: they
run every epoch on arrays the estimator has already validated).

Regression metrics follow scikit-learn's ``multioutput="uniform_average"``: each is computed per
output column and averaged, and agrees with ``r2_score``, ``root_mean_squared_error`` and
``mean_absolute_error``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]


def r2(y_true: F64, y_pred: F64) -> float:
    """Coefficient of determination averaged over output columns (scikit-learn's convention for
    constant targets: 1 for a perfect fit, else 0)."""
    residual = ((y_true - y_pred) ** 2).sum(axis=0, dtype=np.float64)
    total = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0, dtype=np.float64)
    safe = np.where(total > 0, total, 1.0)
    scores = np.where(total > 0, 1.0 - residual / safe, np.where(residual == 0, 1.0, 0.0))
    return float(scores.mean())


def regression_scores(y_true: F64, y_pred: F64) -> dict[str, float]:
    """``r2``, ``rmse`` and ``mae`` of predictions ``(rows, outputs)``, in the targets' units."""
    error = y_pred - y_true
    mse = np.einsum("ij,ij->j", error, error) / error.shape[0]
    return {
        "r2": r2(y_true, y_pred),
        "rmse": float(np.sqrt(mse).mean()),
        "mae": float(np.abs(error).mean()),
    }
