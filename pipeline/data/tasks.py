"""Task inference: is a target column a classification or a regression target?

Rules, in order:

- text, categorical and boolean targets are classes;
- integer targets with at most :data:`MAX_INTEGER_CLASSES` distinct values are classes;
- float targets whose values are all whole numbers, with few distinct values, are classes too:
  that is how pandas reads an integer column that had missing values;
- everything else numeric is a regression target.

A user's explicit ``task`` always wins over inference (see :func:`decide_task`), and
:func:`decide_task` says which rule decided, in words a sweep can print.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import pandas as pd

Task = Literal["classification", "regression"]
TASKS: tuple[str, ...] = get_args(Task)

#: An integer target with more distinct values than this is treated as a regression target.
MAX_INTEGER_CLASSES = 20

#: How the task was decided when the user gave it.
GIVEN = "given"


def infer_task(y: pd.Series) -> Task:
    """Return ``"classification"`` or ``"regression"`` for a target without missing values.

    Strings, booleans and categoricals are classes; integers (or whole-number floats) with at most
    :data:`MAX_INTEGER_CLASSES` distinct values are classes; other numbers are regression targets.
    """
    return _infer(y)[0]


def resolve_task(y: pd.Series, task: str | None) -> Task:
    """Return ``task`` if given (after checking it), else the task inferred from ``y``.

    Raises ``ValueError`` for a name other than ``"classification"`` or ``"regression"``; callers
    wrap it in a :class:`~pipeline.errors.DataError` naming the table.
    """
    return decide_task(y, task)[0]


def decide_task(y: pd.Series, task: str | None) -> tuple[Task, str]:
    """``(task, how it was decided)``: :data:`GIVEN`, or ``"inferred: "`` and the rule applied.

    E.g. ``("classification", "inferred: integer target with 7 distinct values (at most 20 are
    read as classes; set task to override)")``. Raises ``ValueError`` like :func:`resolve_task`.
    """
    if task is None:
        inferred, rule = _infer(y)
        return inferred, f"inferred: {rule}"
    if task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}, got {task!r}")
    return task, GIVEN  # type: ignore[return-value]


def _infer(y: pd.Series) -> tuple[Task, str]:
    """The inferred task and the rule that decided it."""
    dtype = y.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "classification", "boolean target"
    if not pd.api.types.is_numeric_dtype(dtype):
        return "classification", "text or categorical target"
    if pd.api.types.is_integer_dtype(dtype):
        return _by_count(y, "integer target")
    if _whole_numbers(y):
        return _by_count(y, "whole-number target")
    return "regression", "numeric target with fractional values"


def _by_count(y: pd.Series, kind: str) -> tuple[Task, str]:
    """Classes when there are at most :data:`MAX_INTEGER_CLASSES` distinct values."""
    distinct = y.nunique()
    task: Task = "classification" if distinct <= MAX_INTEGER_CLASSES else "regression"
    side = "at most" if task == "classification" else "more than"
    return task, (
        f"{kind} with {distinct} distinct values ({side} {MAX_INTEGER_CLASSES}: "
        f"{'classes' if task == 'classification' else 'regression'}; set task to override)"
    )


def _whole_numbers(y: pd.Series) -> bool:
    """True when every value of a float series is finite and a whole number."""
    values = y.to_numpy(dtype=np.float64, na_value=np.nan)
    return bool(np.isfinite(values).all() and (np.floor(values) == values).all())
