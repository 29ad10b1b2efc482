"""Pure machine learning for sweeps: tables, splits, preprocessing and a numpy MLP.

- :mod:`pipeline.data`: the table (sources, columns, splits, folds, preprocessing, scoring rows);
- :mod:`pipeline.mlp`: the MLP (the estimators and the network maths under them);
- :mod:`pipeline.models`: fitted models as a whole (evaluation, ensemble selection, ensembles);
- :mod:`pipeline.errors`: the errors all three raise.

``pipeline/estimator.py`` and ``pipeline/ensemble.py`` only name the classes that models saved
before this layout refer to, so that those models still load.

Imports only numpy, pandas and scikit-learn, each module when first needed: ``from pipeline
import X`` imports the one module that defines ``X`` (PEP 562), so a caller that needs only the
hyperparameter table does not pay for scikit-learn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline._lazy import lazy_exports

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
#: Where each public name lives: the errors module and the subpackages' own exports.
_MODULES = {
    "errors": ("DataError", "DivergenceError", "PipelineError"),
    "mlp": ("EpochRecord", "MLPClassifier", "MLPRegressor", "weights_digest",
            "zero_weight_share"),
    "data": ("ColumnRoles", "Fold", "Folds", "LevelLimits", "PreparedData", "Split", "Table",
             "TableDescription", "build_preprocessor", "build_table", "feature_count",
             "infer_task", "kfold", "load_builtin", "load_file", "load_generated", "prepare",
             "prepare_fold", "prepare_rows", "split_table", "test_rows"),
}  # fmt: skip
__getattr__, __dir__ = lazy_exports(__name__, _MODULES)

if TYPE_CHECKING:  # for type checkers and readers: the same names, imported eagerly
    from pipeline.data.columns import ColumnRoles
    from pipeline.data.describe import TableDescription, feature_count
    from pipeline.data.folds import Fold, Folds, kfold, prepare_fold
    from pipeline.data.levels import LevelLimits
    from pipeline.data.preprocess import (
        PreparedData,
        build_preprocessor,
        prepare,
        prepare_rows,
        test_rows,
    )
    from pipeline.data.sources import load_builtin, load_file, load_generated
    from pipeline.data.split import Split, split_table
    from pipeline.data.table import Table, build_table
    from pipeline.data.tasks import infer_task
    from pipeline.errors import DataError, DivergenceError, PipelineError
    from pipeline.mlp.estimator import (
        MLPClassifier,
        MLPRegressor,
        weights_digest,
        zero_weight_share,
    )
    from pipeline.mlp.training import EpochRecord
