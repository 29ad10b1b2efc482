"""Pure machine learning for sweeps: tables, splits, preprocessing and a numpy MLP.

Imports only numpy, pandas and scikit-learn.
"""

from pipeline.errors import DataError, DivergenceError, IdentifierColumnWarning, PipelineError

# --- estimator exports (issue 2) ---
from pipeline.estimator import MLPClassifier, MLPRegressor, weights_digest, zero_weight_share
from pipeline.training import EpochRecord

# --- end estimator exports ---

# --- data exports (issue 3) ---
# isort: split
from pipeline.preprocess import PreparedData, build_preprocessor, prepare, test_rows
from pipeline.sources import load_builtin, load_file, load_generated
from pipeline.split import Split, split_table
from pipeline.table import Table
from pipeline.tasks import infer_task

# --- end data exports ---

__all__ = [
    "DataError",
    "DivergenceError",
    "EpochRecord",
    "IdentifierColumnWarning",
    "MLPClassifier",
    "MLPRegressor",
    "PipelineError",
    "PreparedData",
    "Split",
    "Table",
    "build_preprocessor",
    "infer_task",
    "load_builtin",
    "load_file",
    "load_generated",
    "prepare",
    "split_table",
    "test_rows",
    "weights_digest",
    "zero_weight_share",
]
