"""Preprocessing fitted on training rows only, and the arrays every trial trains on.

The preprocessor is a plain scikit-learn ``ColumnTransformer`` built only from stock scikit-learn
classes, so ``Pipeline([("preprocess", preprocessor), ("model", mlp)])`` takes raw rows of the
user's table and can be saved and loaded like any scikit-learn model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from pipeline.checks import is_categorical, is_numeric
from pipeline.errors import DataError
from pipeline.split import Split
from pipeline.table import Table

#: Types a saved, fitted preprocessor holds besides scikit-learn's own classes, for skops's
#: ``trusted`` list: a fitted ``SimpleImputer`` keeps the dtype it was fitted on.
SKOPS_TRUSTED_TYPES: tuple[str, ...] = ("numpy.dtype",)

_CHUNK_BYTES = 32 << 20  # rows are transformed in blocks of about this many output bytes
_GROUP_BYTES = 64 << 20  # numeric columns are imputed and scaled in groups of about this size


def build_preprocessor(X: pd.DataFrame) -> ColumnTransformer:
    """An unfitted ColumnTransformer for the columns of ``X``; dense float output.

    Numeric (and boolean) columns: median imputation, then standardisation. Text and categorical
    columns: most-frequent imputation, then one-hot encoding that ignores unseen categories.

    Numeric columns are handled in groups of about 64 MiB of the table each (one group, named
    ``numeric``, for all but large tables; ``numeric_0``, ``numeric_1``, ... otherwise): the
    median imputer sorts a copy of its whole input, so one group per 100 wide columns of a
    million rows would need several times the table's memory.
    """
    numeric = [c for c in X.columns if is_numeric(X[c].dtype)]
    kinds = set(numeric)
    categorical = [c for c in X.columns if c not in kinds and is_categorical(X[c].dtype)]
    per_group = max(1, _GROUP_BYTES // (8 * max(len(X), 1)))
    groups = [numeric[i : i + per_group] for i in range(0, len(numeric), per_group)]
    transformers: list[tuple[str, Pipeline, list]] = [
        ("numeric" if len(groups) == 1 else f"numeric_{i}", _numeric_steps(), group)
        for i, group in enumerate(groups)
    ]
    if categorical:
        transformers.append(("categorical", _categorical_steps(), categorical))
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0)


def _numeric_steps() -> Pipeline:
    """Median imputation then standardisation (in place on the imputer's fresh copy)."""
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler(copy=False)),
        ]
    )


def _categorical_steps() -> Pipeline:
    """Most-frequent imputation then one-hot encoding; unseen categories encode as all zeros."""
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="most_frequent")),
            (
                "onehot",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False, dtype=np.float32),
            ),
        ]
    )


@dataclass(frozen=True, eq=False)
class PreparedData:
    """What every trial trains on: preprocessed train and validation rows, and NO test rows.

    The arrays are read-only so that trials sharing them cannot change them.
    ``y`` holds raw class labels for classification and float64 values for regression.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    preprocessor: ColumnTransformer
    feature_names: list[str]


def prepare(table: Table, split: Split, *, dtype: str = "float32") -> PreparedData:
    """Fit the preprocessor on the training rows only; transform train and validation rows.

    The statistics (medians, means, scales, categories) are estimated from the training rows
    with their numeric columns at ``dtype`` precision, which halves the memory of fitting for
    float32. Every returned array is then made by ``preprocessor.transform`` on raw rows, exactly
    as a saved Pipeline transforms rows at prediction time, and cast to ``dtype``.
    The test rows are not touched: get them with :func:`test_rows` for the one final evaluation.
    """
    out_dtype = np.dtype(dtype)
    if out_dtype.kind != "f":
        raise ValueError(f"dtype must be a float dtype, got {dtype!r}")
    _check_split(table, split)
    preprocessor = build_preprocessor(table.X)
    preprocessor.fit(_training_rows(table, split.train, out_dtype))
    return PreparedData(
        X_train=_transform_rows(preprocessor, table.X, split.train, out_dtype),
        y_train=_target(table, split.train),
        X_val=_transform_rows(preprocessor, table.X, split.validation, out_dtype),
        y_val=_target(table, split.validation),
        preprocessor=preprocessor,
        feature_names=[str(name) for name in preprocessor.get_feature_names_out()],
    )


def test_rows(table: Table, split: Split) -> tuple[pd.DataFrame, pd.Series]:
    """The raw test rows and their targets, for the final evaluation through the full Pipeline."""
    _check_split(table, split)
    return table.X.iloc[split.test], table.y.iloc[split.test]


# Not a test for pytest to collect, despite its name.
test_rows.__test__ = False  # type: ignore[attr-defined]


def _training_rows(table: Table, rows: np.ndarray, dtype: np.dtype) -> pd.DataFrame:
    """``table.X.iloc[rows]`` with numeric columns as ``dtype`` (missing values as NaN).

    Built column by column into a frame that keeps one block per column, so no float64 copy of
    all training rows ever exists. Raises if a column has no value at all in these rows.
    """
    columns: dict[object, np.ndarray] = {}
    for name in table.X.columns:
        column = table.X[name]
        if is_numeric(column.dtype):
            values = column.to_numpy(dtype=dtype, na_value=np.nan)[rows]
        else:
            values = column.to_numpy()[rows]
        if pd.isna(values).all():
            raise DataError(
                f"{table.name}: column {name!r} has no values in the {len(rows)} training rows; "
                f"drop it with the drop_columns option (drop_columns=[{name!r}])"
            )
        columns[name] = values
    return pd.DataFrame(columns, columns=table.X.columns, copy=False)


def _transform_rows(
    preprocessor: ColumnTransformer, X: pd.DataFrame, rows: np.ndarray, dtype: np.dtype
) -> np.ndarray:
    """Transform ``X.iloc[rows]`` block by block into one preallocated ``dtype`` array."""
    n_out = len(preprocessor.get_feature_names_out())
    out = np.empty((len(rows), n_out), dtype=dtype)
    step = max(1024, _CHUNK_BYTES // (8 * max(n_out, X.shape[1])))
    for start in range(0, len(rows), step):
        block = rows[start : start + step]
        out[start : start + len(block)] = preprocessor.transform(X.iloc[block])
    return _read_only(out)


def _target(table: Table, rows: np.ndarray) -> np.ndarray:
    """Targets of ``rows``: raw labels for classification, float64 for regression."""
    y = table.y.iloc[rows]
    if table.task == "regression":
        return _read_only(y.to_numpy(dtype=np.float64))
    return _read_only(y.to_numpy())


def _check_split(table: Table, split: Split) -> None:
    """Raise if ``split`` was not made for ``table`` (its rows do not add up to the table's)."""
    n, covered = len(table), sum(split.sizes().values())
    highest = max(int(part[-1]) for part in (split.train, split.validation, split.test))
    if covered != n or highest >= n:
        raise DataError(
            f"{table.name}: the split covers {covered} rows up to row {highest}, "
            f"but the table has {n} rows; split this table with split_table"
        )


def _read_only(array: np.ndarray) -> np.ndarray:
    """``array`` with its writeable flag cleared (a copy if it is someone else's view)."""
    if not array.flags.owndata:
        array = array.copy()
    array.flags.writeable = False
    return array
