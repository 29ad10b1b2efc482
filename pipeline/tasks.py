"""Task inference: is a target column a classification or a regression target?

Rules, in order:

- text, categorical and boolean targets are classes;
- integer targets with at most :data:`MAX_INTEGER_CLASSES` distinct values are classes;
- float targets whose values are all whole numbers, with few distinct values, are classes too:
  that is how pandas reads an integer column that had missing values;
- everything else numeric is a regression target.

A user's explicit ``task`` always wins over inference (see :func:`resolve_task`).
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import pandas as pd

Task = Literal["classification", "regression"]
TASKS: tuple[str, ...] = get_args(Task)

#: An integer target with more distinct values than this is treated as a regression target.
MAX_INTEGER_CLASSES = 20


def infer_task(y: pd.Series) -> Task:
    """Return ``"classification"`` or ``"regression"`` for a target without missing values.

    Strings, booleans and categoricals are classes; integers (or whole-number floats) with at most
    :data:`MAX_INTEGER_CLASSES` distinct values are classes; other numbers are regression targets.
    """
    dtype = y.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return "classification"
    if pd.api.types.is_integer_dtype(dtype):
        return "classification" if y.nunique() <= MAX_INTEGER_CLASSES else "regression"
    if _whole_numbers(y) and y.nunique() <= MAX_INTEGER_CLASSES:
        return "classification"
    return "regression"


def resolve_task(y: pd.Series, task: str | None) -> Task:
    """Return ``task`` if given (after checking it), else the task inferred from ``y``.

    Raises ``ValueError`` for a name other than ``"classification"`` or ``"regression"``; callers
    wrap it in a :class:`~pipeline.errors.DataError` naming the table.
    """
    if task is None:
        return infer_task(y)
    if task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}, got {task!r}")
    return task  # type: ignore[return-value]


def _whole_numbers(y: pd.Series) -> bool:
    """True when every value of a float series is finite and a whole number."""
    values = y.to_numpy(dtype=np.float64, na_value=np.nan)
    return bool(np.isfinite(values).all() and (np.floor(values) == values).all())
