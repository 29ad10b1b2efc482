"""Checks on a user's table, each failing with one line that names the table and the column.

Every function takes ``source`` (the file path or the data set's name) to put in its message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from pipeline.errors import DataError

# pandas' inferred kinds of object columns that are neither text nor numbers
_OBJECT_KINDS_REFUSED = frozenset(
    {"bytes", "datetime", "date", "time", "timedelta", "period", "interval", "complex",
     "decimal", "mixed"}
)  # fmt: skip

#: Largest magnitude a feature or regression target may have: the network computes in float32.
FLOAT32_MAX = float(np.finfo(np.float32).max)
# pandas' inferred kinds of object columns that hold only single values (no containers)
_SINGLE_VALUE_KINDS = frozenset(
    {
        "empty",
        "string",
        "bytes",
        "integer",
        "floating",
        "mixed-integer-float",
        "decimal",
        "boolean",
        "datetime",
        "date",
        "time",
        "timedelta",
        "period",
        "interval",
        "complex",
    }
)


def require_unique_names(frame: pd.DataFrame, source: str) -> None:
    """Raise if two columns share a name (a row could not be addressed by column name)."""
    duplicated = frame.columns[frame.columns.duplicated()]
    if len(duplicated):
        raise DataError(f"{source}: column {duplicated[0]!r} appears more than once")


def require_single_values(frame: pd.DataFrame, source: str) -> None:
    """Raise if a column holds lists, arrays, dicts or other containers (Parquet list columns).

    A cell must hold one number or one text; a container cannot be imputed, ordered or encoded.
    """
    for name in frame.columns:
        column = frame[name]
        if not pd.api.types.is_object_dtype(column.dtype):
            continue
        if pd.api.types.infer_dtype(column, skipna=True) in _SINGLE_VALUE_KINDS:
            continue
        found = next(((row, v) for row, v in column.items() if not pd.api.types.is_scalar(v)), None)
        if found is not None:
            row, value = found
            example = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
            raise DataError(
                f"{source}: column {name!r} holds {_kind(value)} values, not one number "
                f"or text per cell (e.g. {example} at row {row!r}); drop it with the "
                f"drop_columns option (drop_columns=[{name!r}])"
            )


def require_columns(frame: pd.DataFrame, columns: Sequence[str], source: str, what: str) -> None:
    """Raise if any of ``columns`` is not in ``frame``, listing the columns that exist."""
    existing = [str(c) for c in frame.columns]
    for column in columns:
        if column not in frame.columns:
            raise DataError(
                f"{source}: {what} {column!r} not found; the columns are: {', '.join(existing)}"
            )


def drop_missing_target(
    X: pd.DataFrame, y: pd.Series, source: str
) -> tuple[pd.DataFrame, pd.Series, int]:
    """Drop the rows whose target is missing and return ``(X, y, dropped)`` (the table's
    notices say how many, once: nothing is logged here)."""
    missing = y.isna().to_numpy()
    dropped = int(missing.sum())
    if dropped == len(y):
        raise DataError(f"{source}: target column {y.name!r} is entirely missing ({dropped} rows)")
    if dropped == 0:
        return X, y, 0
    keep = ~missing
    return X[keep], y[keep], dropped


def check_target(y: pd.Series, task: str, source: str) -> None:
    """Raise if ``y`` cannot be learned: one class, a constant, text to regress, infinities."""
    column = f"target column {y.name!r}"
    if task == "regression":
        if not pd.api.types.is_numeric_dtype(y.dtype) or pd.api.types.is_bool_dtype(y.dtype):
            raise DataError(f"{source}: {column} is not numeric ({y.dtype}); cannot regress on it")
        check_finite(y, source, column)
    if task == "classification":
        _check_labels(y, source, column)
    if y.nunique() < 2:
        kind = "a single class" if task == "classification" else "a single value"
        first = y.iloc[0].item() if isinstance(y.iloc[0], np.generic) else y.iloc[0]
        raise DataError(f"{source}: {column} has {kind} ({first!r}); nothing to learn")


def _check_labels(y: pd.Series, source: str, column: str) -> None:
    """Raise unless class labels are text, booleans or whole numbers: ``0.5`` and ``1.5``
    are values of a measurement, which scikit-learn refuses as classes (``continuous``)."""
    if not pd.api.types.is_float_dtype(y.dtype):
        return
    values = y.to_numpy(dtype=np.float64, na_value=np.nan)
    fractional = ~np.isfinite(values) | (np.floor(values) != values)
    if fractional.any():
        example = values[fractional][0]
        raise DataError(
            f"{source}: {column} holds {int(fractional.sum())} value(s) that are not whole "
            f"numbers (e.g. {float(example)!r}), so they cannot be class labels: set task to "
            "regression, or write the classes as text or integers"
        )


def check_features(X: pd.DataFrame, source: str) -> None:
    """Raise for no features, or a column of unsupported dtype, entirely missing or infinite."""
    if X.shape[1] == 0:
        raise DataError(f"{source}: no feature columns left besides the target")
    for name in X.columns:
        column = X[name]
        label = f"column {name!r}"
        if not is_numeric(column.dtype) and not is_categorical(column.dtype):
            raise DataError(
                f"{source}: {label} has unsupported dtype {column.dtype}; "
                f"drop it with the drop_columns option (drop_columns=[{name!r}])"
            )
        _check_uniform_kind(column, source, label)
        _check_object_kind(column, source, label)
        if not column.notna().any():
            raise DataError(
                f"{source}: {label} is entirely missing; "
                f"drop it with the drop_columns option (drop_columns=[{name!r}])"
            )
        if is_numeric(column.dtype):
            check_finite(column, source, label)


def is_numeric(dtype: object) -> bool:
    """Numeric feature dtypes: integers, floats and booleans (numpy or pandas nullable)."""
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)


def is_categorical(dtype: object) -> bool:
    """Categorical feature dtypes: text (``str``, ``string``, ``object``) and ``category``."""
    return (
        pd.api.types.is_string_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    )


def mixed_text_example(column: pd.Series) -> tuple[object, object] | None:
    """``(a text value, another value)`` if an object column mixes text with other values."""
    if not pd.api.types.is_object_dtype(column.dtype):
        return None
    if pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
        return None
    values = column.dropna().to_numpy()
    is_text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
    if is_text.all() or not is_text.any():
        return None
    return values[is_text][0], values[~is_text][0]


def _check_uniform_kind(column: pd.Series, source: str, label: str) -> None:
    """Raise if an object column mixes text with other values (one-hot encoding sorts them)."""
    example = mixed_text_example(column)
    if example is not None:
        raise DataError(
            f"{source}: {label} mixes text and other values (e.g. {example[0]!r} and "
            f"{example[1]!r}); make it one kind or drop it with the drop_columns option "
            f"(drop_columns=[{column.name!r}])"
        )


def _check_object_kind(column: pd.Series, source: str, label: str) -> None:
    """Raise if an object column holds values that are neither text nor numbers (Parquet's
    dates, times, decimals, bytes): one-hot encoding would make each value a level, and the
    fitted model could not be saved without trusting their types."""
    if not pd.api.types.is_object_dtype(column.dtype):
        return
    kind = pd.api.types.infer_dtype(column, skipna=True)
    if kind not in _OBJECT_KINDS_REFUSED:
        return
    value = column.dropna().iloc[0]
    example = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    raise DataError(
        f"{source}: {label} holds {type(value).__name__} values (e.g. {example}), neither text "
        f"nor numbers; convert it in the file or drop it with the drop_columns option "
        f"(drop_columns=[{column.name!r}])"
    )


def _kind(value: object) -> str:
    """``"list"`` for lists, tuples and arrays (Parquet lists), ``"dict"`` for mappings."""
    if isinstance(value, list | tuple | np.ndarray):
        return "list"
    if isinstance(value, Mapping):
        return "dict"
    return type(value).__name__


def check_finite(column: pd.Series, source: str, label: str) -> None:
    """Raise if a float column holds +-inf or values beyond float32 (missing values are allowed);
    the message names ``source``, ``label`` and the first such row.

    The network computes in float32, where 1e308 is infinite: scikit-learn would refuse it with
    a traceback, and clipping would silently change the data.
    """
    if not pd.api.types.is_float_dtype(column.dtype):
        return
    values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    infinite = np.isinf(values)
    if infinite.any():
        first = column.index[int(np.argmax(infinite))]
        raise DataError(
            f"{source}: {label} has {int(infinite.sum())} infinite value(s) "
            f"(first at row {first!r}); replace them or mark them missing"
        )
    huge = np.abs(values) > FLOAT32_MAX
    if huge.any():
        at = int(np.argmax(huge))
        raise DataError(
            f"{source}: {label} has {int(huge.sum())} value(s) beyond the float32 range "
            f"(±{FLOAT32_MAX:.4g}; first {values[at]:.6g} at row {column.index[at]!r}); "
            f"rescale them or mark them missing"
        )
