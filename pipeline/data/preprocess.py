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

from pipeline.data.checks import is_numeric
from pipeline.data.columns import ColumnRoles, column_roles
from pipeline.data.levels import LevelLimits
from pipeline.data.split import Split
from pipeline.data.table import Table
from pipeline.errors import DataError

#: Types a saved, fitted preprocessor holds besides scikit-learn's own classes, for skops's
#: ``trusted`` list: a fitted ``SimpleImputer`` keeps the dtype it was fitted on.
SKOPS_TRUSTED_TYPES: tuple[str, ...] = ("numpy.dtype",)

_CHUNK_BYTES = 32 << 20  # rows are transformed in blocks of about this many output bytes
_GROUP_BYTES = 64 << 20  # numeric columns are imputed and scaled in groups of about this size


def build_preprocessor(
    X: pd.DataFrame, *, roles: ColumnRoles | None = None, limits: LevelLimits | None = None
) -> ColumnTransformer:
    """An unfitted ColumnTransformer for the columns of ``X``; dense float output.

    Columns are routed by ``roles`` (by dtype when not given, see
    :func:`~pipeline.data.columns.column_roles`); ``limits`` default to
    :class:`~pipeline.data.levels.LevelLimits`'s defaults. Numeric columns: median imputation, then
    standardisation. Categorical columns: most-frequent imputation, then one-hot encoding into at
    most ``limits.max_levels`` features per column, levels on fewer than
    ``limits.min_level_rows`` training rows grouped into one infrequent feature; unseen levels
    encode as that feature (or as zeros when training had no infrequent level).

    Numeric columns are handled in groups of about 64 MiB of the table each (one group, named
    ``numeric``, for all but large tables; ``numeric_0``, ``numeric_1``, ... otherwise): the
    median imputer sorts a copy of its whole input, so one group per 100 wide columns of a
    million rows would need several times the table's memory.
    """
    roles = column_roles(X) if roles is None else roles
    numeric, categorical = list(roles.numeric), list(roles.categorical)
    per_group = max(1, _GROUP_BYTES // (8 * max(len(X), 1)))
    groups = [numeric[i : i + per_group] for i in range(0, len(numeric), per_group)]
    transformers: list[tuple[str, Pipeline, list]] = [
        ("numeric" if len(groups) == 1 else f"numeric_{i}", _numeric_steps(), group)
        for i, group in enumerate(groups)
    ]
    if categorical:
        steps = _categorical_steps(limits or LevelLimits())
        transformers.append(("categorical", steps, categorical))
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0)


def _numeric_steps() -> Pipeline:
    """Median imputation then standardisation (in place on the imputer's fresh copy)."""
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler(copy=False)),
        ]
    )


def _categorical_steps(limits: LevelLimits) -> Pipeline:
    """Most-frequent imputation then one-hot encoding capped by ``limits``.

    Its dense output is rows x (at most ``max_levels`` per column), never rows x levels.
    """
    encoder = OneHotEncoder(
        handle_unknown="infrequent_if_exist",
        max_categories=limits.max_levels,
        min_frequency=limits.min_level_rows,
        sparse_output=False,
        dtype=np.float32,
    )
    return Pipeline([("impute", SimpleImputer(strategy="most_frequent")), ("onehot", encoder)])


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

    @property
    def n_features(self) -> int:
        """Number of model input features (columns of ``X_train``)."""
        return int(self.X_train.shape[1])


def prepare(table: Table, split: Split, *, dtype: str = "float32") -> PreparedData:
    """Fit the preprocessor on the training rows only; transform train and validation rows.

    The statistics (medians, means, scales, categories) are estimated from the training rows
    with their numeric columns at ``dtype`` precision, which halves the memory of fitting for
    float32. Every returned array is then made by ``preprocessor.transform`` on raw rows, exactly
    as a saved Pipeline transforms rows at prediction time, and cast to ``dtype``.
    The test rows are not touched: get them with :func:`test_rows` for the one final evaluation.
    """
    _check_split(table, split)
    return prepare_rows(table, split.train, split.validation, dtype=dtype)


def prepare_rows(
    table: Table, train: np.ndarray, validation: np.ndarray, *, dtype: str = "float32"
) -> PreparedData:
    """:func:`prepare` for any disjoint ``train`` and ``validation`` row positions of ``table``.

    The preprocessor is fitted on the ``train`` rows only (a K-fold's training rows, see
    :mod:`pipeline.data.folds`); ``validation`` rows are only transformed.
    """
    out_dtype = np.dtype(dtype)
    if out_dtype.kind != "f":
        raise ValueError(f"dtype must be a float dtype, got {dtype!r}")
    train, validation = _check_rows(table, train, validation)
    preprocessor = build_preprocessor(table.X, roles=table.roles, limits=table.limits)
    preprocessor.fit(_training_rows(table, train, out_dtype))
    return PreparedData(
        X_train=_transform_rows(preprocessor, table.X, train, out_dtype),
        y_train=_target(table, train),
        X_val=_transform_rows(preprocessor, table.X, validation, out_dtype),
        y_val=_target(table, validation),
        preprocessor=preprocessor,
        feature_names=[str(name) for name in preprocessor.get_feature_names_out()],
    )


def fit_rows(
    table: Table, rows: np.ndarray, *, dtype: str = "float32"
) -> tuple[ColumnTransformer, np.ndarray, np.ndarray]:
    """Preprocessing fitted on ``rows`` only, and those rows transformed: for a final model
    refitted on every non-test row once the study has chosen its settings (no validation rows
    are left to transform). Returns ``(preprocessor, X, y)``."""
    out_dtype = np.dtype(dtype)
    rows = _positions(table, "training", rows)
    preprocessor = build_preprocessor(table.X, roles=table.roles, limits=table.limits)
    preprocessor.fit(_training_rows(table, rows, out_dtype))
    return (
        preprocessor,
        _transform_rows(preprocessor, table.X, rows, out_dtype),
        _target(table, rows),
    )


def test_rows(table: Table, split: Split) -> tuple[pd.DataFrame, pd.Series]:
    """The raw test rows and their targets, for the final evaluation through the full Pipeline."""
    _check_split(table, split)
    return table.X.iloc[split.test], table.y.iloc[split.test]


# Not a test for pytest to collect, despite its name.
test_rows.__test__ = False  # type: ignore[attr-defined]


def _training_rows(table: Table, rows: np.ndarray, dtype: np.dtype) -> pd.DataFrame:
    """``table.X.iloc[rows]`` with numeric-role columns as ``dtype`` (missing values as NaN).

    Categorical-role columns keep their values (a ZIP code stays an exact integer).

    Built column by column into a frame that keeps one block per column, so no float64 copy of
    all training rows ever exists. Raises if a column has no value at all in these rows.
    """
    columns: dict[object, np.ndarray] = {}
    numeric = set(table.roles.numeric)
    for name in table.X.columns:
        column = table.X[name]
        if name in numeric:
            values = column.to_numpy(dtype=dtype, na_value=np.nan)[rows]
        elif is_numeric(column.dtype) and isinstance(
            column.dtype, pd.api.extensions.ExtensionDtype
        ):
            values = column.to_numpy(dtype=np.float64, na_value=np.nan)[rows]  # as sklearn reads
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


def _check_rows(
    table: Table, train: np.ndarray, validation: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Both as int64 arrays; raise unless they are non-empty, disjoint rows of ``table``."""
    train, validation = (
        _positions(table, "training", train),
        _positions(table, "validation", validation),
    )
    if np.intersect1d(train, validation).size:
        raise DataError(f"{table.name}: the training and validation rows overlap")
    return train, validation


def _positions(table: Table, label: str, rows: np.ndarray) -> np.ndarray:
    """``rows`` as int64; raise unless a non-empty list of row positions of ``table``."""
    rows, n = np.asarray(rows, dtype=np.int64), len(table)
    if rows.ndim != 1 or rows.size == 0 or rows.min() < 0 or rows.max() >= n:
        raise DataError(
            f"{table.name}: the {label} rows must be a non-empty list of row positions "
            f"below {n}, the table's rows"
        )
    return rows


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
