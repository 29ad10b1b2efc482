"""Pure machine learning for sweeps: tables, splits, preprocessing and a numpy MLP.

Imports only numpy, pandas and scikit-learn.
"""

from pipeline.errors import DataError, DivergenceError, PipelineError

# --- estimator exports (issue 2) ---
from pipeline.estimator import MLPClassifier, MLPRegressor, weights_digest, zero_weight_share
from pipeline.training import EpochRecord

# --- end estimator exports ---

# --- data exports (issue 3) ---
# isort: split
from pipeline.columns import ColumnRoles
from pipeline.describe import TableDescription, feature_count
from pipeline.folds import Fold, Folds, kfold, prepare_fold
from pipeline.levels import LevelLimits
from pipeline.preprocess import PreparedData, build_preprocessor, prepare, prepare_rows, test_rows
from pipeline.sources import load_builtin, load_file, load_generated
from pipeline.split import Split, split_table
from pipeline.table import Table, build_table
from pipeline.tasks import infer_task

# --- end data exports ---

__all__ = [
    "ColumnRoles",
    "DataError",
    "DivergenceError",
    "EpochRecord",
    "Fold",
    "Folds",
    "LevelLimits",
    "MLPClassifier",
    "MLPRegressor",
    "PipelineError",
    "PreparedData",
    "Split",
    "Table",
    "TableDescription",
    "build_preprocessor",
    "build_table",
    "feature_count",
    "infer_task",
    "kfold",
    "load_builtin",
    "load_file",
    "load_generated",
    "prepare",
    "prepare_fold",
    "prepare_rows",
    "split_table",
    "test_rows",
    "weights_digest",
    "zero_weight_share",
]
