"""Pure machine learning for sweeps: tables, splits, preprocessing and a numpy MLP.

Imports only numpy, pandas and scikit-learn.
"""

from pipeline.errors import DataError, DivergenceError, IdentifierColumnWarning, PipelineError

# --- estimator exports (issue 2) ---
from pipeline.estimator import MLPClassifier, MLPRegressor, weights_digest
from pipeline.training import EpochRecord

# --- end estimator exports ---

# --- data exports (issue 3) ---
# --- end data exports ---

__all__ = [
    "DataError",
    "DivergenceError",
    "EpochRecord",
    "IdentifierColumnWarning",
    "MLPClassifier",
    "MLPRegressor",
    "PipelineError",
    "weights_digest",
]
