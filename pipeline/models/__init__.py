"""Fitted models as a whole, whatever they are: their metrics on held-out rows, the choice of
ensemble weights from out-of-fold predictions, and the ensemble that takes raw rows.

Public: the names below; the rest of each module is internal.
"""

from __future__ import annotations

from pipeline._lazy import lazy_exports

__all__ = [
    "METRICS", "EnsembleClassifier", "EnsembleRegressor", "Scorer", "blend", "build_ensemble",
    "cross_fitted", "evaluate", "greedy_weights", "make_scorer", "model_output",
]  # fmt: skip
_MODULES = {
    "ensemble": ("EnsembleClassifier", "EnsembleRegressor", "build_ensemble", "model_output"),
    "ensemble_selection": ("METRICS", "Scorer", "blend", "cross_fitted", "greedy_weights",
                           "make_scorer"),
    "evaluation": ("evaluate",),
}  # fmt: skip
__getattr__, __dir__ = lazy_exports(__name__, _MODULES)
