"""Pure machine learning for sweeps: tables, splits, preprocessing and a numpy MLP.

Imports only numpy, pandas and scikit-learn.
"""

from pipeline.errors import DataError, DivergenceError, IdentifierColumnWarning, PipelineError

# --- estimator exports (issue 2) ---
# --- end estimator exports ---

# --- data exports (issue 3) ---
# --- end data exports ---

__all__ = [
    "DataError",
    "DivergenceError",
    "IdentifierColumnWarning",
    "PipelineError",
]
