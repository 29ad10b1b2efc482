"""Pure machine learning for sweeps: tables, splits, preprocessing and a numpy MLP.

Imports only numpy, pandas and scikit-learn, each module when first needed: ``from pipeline
import X`` imports the one module that defines ``X`` (PEP 562), so a caller that needs only the
hyperparameter table does not pay for scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "DataError": "errors",
    "DivergenceError": "errors",
    "PipelineError": "errors",
    "MLPClassifier": "estimator",
    "MLPRegressor": "estimator",
    "weights_digest": "estimator",
    "zero_weight_share": "estimator",
    "EpochRecord": "training",
    "ColumnRoles": "columns",
    "TableDescription": "describe",
    "feature_count": "describe",
    "Fold": "folds",
    "Folds": "folds",
    "kfold": "folds",
    "prepare_fold": "folds",
    "LevelLimits": "levels",
    "PreparedData": "preprocess",
    "build_preprocessor": "preprocess",
    "prepare": "preprocess",
    "prepare_rows": "preprocess",
    "test_rows": "preprocess",
    "load_builtin": "sources",
    "load_file": "sources",
    "load_generated": "sources",
    "Split": "split",
    "split_table": "split",
    "Table": "table",
    "build_table": "table",
    "infer_task": "tasks",
}

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


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"pipeline.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


if TYPE_CHECKING:  # for type checkers and readers: the same names, imported eagerly
    from pipeline.columns import ColumnRoles
    from pipeline.describe import TableDescription, feature_count
    from pipeline.errors import DataError, DivergenceError, PipelineError
    from pipeline.estimator import MLPClassifier, MLPRegressor, weights_digest, zero_weight_share
    from pipeline.folds import Fold, Folds, kfold, prepare_fold
    from pipeline.levels import LevelLimits
    from pipeline.preprocess import (
        PreparedData,
        build_preprocessor,
        prepare,
        prepare_rows,
        test_rows,
    )
    from pipeline.sources import load_builtin, load_file, load_generated
    from pipeline.split import Split, split_table
    from pipeline.table import Table, build_table
    from pipeline.tasks import infer_task
