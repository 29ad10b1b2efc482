"""The table: reading sources, typing columns, splits and folds, preprocessing, and the rows a
fitted model scores.

Public: the names below. The modules readers and checks, and the rest of each module, are
internal.
"""

from __future__ import annotations

from pipeline._lazy import lazy_exports

__all__ = [
    "DEFAULT_MAX_LEVELS", "DEFAULT_MIN_LEVEL_ROWS", "ColumnRoles", "Fold", "Folds", "JunkTally",
    "LevelLimits", "PreparedData", "Split", "Table", "TableDescription", "block_rows", "blocks",
    "build_preprocessor", "build_table", "check_columns", "describe_table", "feature_count",
    "fit_rows", "header", "indices_sha256", "infer_task", "input_columns", "is_classifier",
    "kfold", "load_builtin", "load_file", "load_generated", "missing_tokens", "model_rows",
    "predictions", "prepare", "prepare_fold", "prepare_rows", "split_table", "test_rows",
]  # fmt: skip
_MODULES = {
    "chunks": ("blocks", "header"),
    "columns": ("ColumnRoles", "missing_tokens"),
    "describe": ("TableDescription", "describe_table", "feature_count"),
    "fingerprint": ("indices_sha256",),
    "folds": ("Fold", "Folds", "kfold", "prepare_fold"),
    "levels": ("DEFAULT_MAX_LEVELS", "DEFAULT_MIN_LEVEL_ROWS", "LevelLimits"),
    "preprocess": ("PreparedData", "build_preprocessor", "fit_rows", "prepare", "prepare_rows",
                   "test_rows"),
    "scoring": ("JunkTally", "block_rows", "check_columns", "input_columns", "is_classifier",
                "model_rows", "predictions"),
    "sources": ("load_builtin", "load_file", "load_generated"),
    "split": ("Split", "split_table"),
    "table": ("Table", "build_table"),
    "tasks": ("infer_task",),
}  # fmt: skip
__getattr__, __dir__ = lazy_exports(__name__, _MODULES)
