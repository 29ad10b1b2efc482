"""The numpy MLP: scikit-learn estimators and the network maths under them.

Public: the estimators, their keyword table, a fit's history and its learned state as plain
arrays. The other modules (network, epoch, optimizers, schedules, losses, activations, metrics,
targets, training, blas_warmup) are the estimators' internals.
"""

from __future__ import annotations

from pipeline._lazy import lazy_exports

__all__ = [
    "DEFAULTS", "REGRESSION_ONLY", "EpochRecord", "MLPClassifier", "MLPRegressor",
    "fitted_arrays", "restore_fitted", "validate", "weights_digest", "zero_weight_share",
]  # fmt: skip
_MODULES = {
    "estimator": ("MLPClassifier", "MLPRegressor", "weights_digest", "zero_weight_share"),
    "fitted": ("fitted_arrays", "restore_fitted"),
    "hyperparams": ("DEFAULTS", "REGRESSION_ONLY", "validate"),
    "training": ("EpochRecord",),
}
__getattr__, __dir__ = lazy_exports(__name__, _MODULES)
