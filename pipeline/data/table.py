"""The user's table as loaded once per process: features, target, task, column roles, notices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pipeline.data import checks
from pipeline.data.columns import (
    ON_JUNK,
    ColumnRoles,
    check_roles,
    column_roles,
    missing_tokens,
    type_column,
)
from pipeline.data.coverage import coverage_notices, share
from pipeline.data.levels import (
    DEFAULT_MAX_LEVELS,
    DEFAULT_MIN_LEVEL_ROWS,
    LevelLimits,
    identifier_notice,
    level_notice,
)
from pipeline.data.tasks import GIVEN, Task, decide_task
from pipeline.errors import DataError

if TYPE_CHECKING:
    pass


@dataclass(frozen=True, eq=False)
class Table:
    """A loaded, checked table. Load it once per process and share it: nothing here is copied.

    Attributes:
        X: feature columns under the user's names, with raw values (missing values kept; text
            of the nullable ``string`` dtype becomes pandas' default ``str``, missing = NaN;
            text columns read as numeric by :mod:`pipeline.data.columns` hold float64).
        y: the target; rows whose target was missing are already dropped.
        task: ``"classification"`` or ``"regression"``.
        name: ``"breast_cancer"``, ``"make_classification"`` or the file path.
        fingerprint: hex SHA-256 of the whole file's bytes, or of canonical array bytes for
            built-in and generated data (see :mod:`pipeline.data.fingerprint`).
        path: the file, or ``None`` for built-in and generated data.
        target: the target column's name.
        dropped_rows: rows dropped because their target was missing (a notice says so).
        task_rule: how the task was decided: ``"given"`` or ``"inferred: "`` and the rule.
        roles: each feature column's role (numeric or categorical) and the dropped columns
            (by dtype when not given).
        limits: how categorical columns are one-hot encoded (see :mod:`pipeline.data.levels`).
        notices: one-line findings about the data a sweep should show its user (junk tokens
            read as missing, missing values filled, constant columns, levels grouped,
            identifier-like columns, rows dropped).
    """

    X: pd.DataFrame
    y: pd.Series
    task: Task
    name: str
    fingerprint: str
    path: Path | None
    target: str
    dropped_rows: int
    task_rule: str = GIVEN
    roles: ColumnRoles = None  # type: ignore[assignment]  # by dtype when not given
    limits: LevelLimits = field(default_factory=LevelLimits)
    notices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Fill in roles by dtype for a Table made without them."""
        if self.roles is None:
            object.__setattr__(self, "roles", column_roles(self.X))

    def __len__(self) -> int:
        """Number of rows (after dropping rows without a target)."""
        return len(self.y)


def build_table(
    frame: pd.DataFrame,
    *,
    target: str,
    task: str | None,
    name: str,
    fingerprint: str,
    path: Path | None = None,
    drop_columns: Sequence[str] = (),
    na_values: Sequence[str] = (),
    on_junk: str = "coerce",
    columns: Mapping[str, str] | None = None,
    max_levels: int | None = DEFAULT_MAX_LEVELS,
    min_level_rows: int = DEFAULT_MIN_LEVEL_ROWS,
) -> Table:
    """Check and type ``frame`` and split it into features and target; see :class:`Table`.

    ``na_values`` are extra values read as missing (one string is one token); ``on_junk`` is
    ``"coerce"`` (a numeric column with a few junk tokens reads them as missing, with a notice)
    or ``"error"`` (it is refused);
    ``columns`` declares roles, ``{"zip": "categorical", "id": "drop", "code": "numeric"}``
    (see :mod:`pipeline.data.columns`); ``max_levels`` and ``min_level_rows`` bound one-hot encoding
    (see :mod:`pipeline.data.levels`).

    Raises :class:`~pipeline.errors.DataError` (naming ``name`` and the column) for an empty table,
    an absent target, drop or role column, a target that is entirely missing or has a single
    class, a feature column that is entirely missing, infinite, beyond float32, of an unsupported
    dtype or holding lists, a column declared numeric with values that are not numbers, and
    (with ``on_junk="error"``) a numeric column with junk tokens.
    """
    declared = dict(columns or {})
    na_values = missing_tokens(na_values)
    limits = LevelLimits(max_levels, min_level_rows)
    _check_options(frame, target, drop_columns, declared, on_junk, limits, name)
    dropped = [*drop_columns, *(c for c, role in declared.items() if role == "drop")]
    frame = frame.drop(columns=dropped)
    checks.require_single_values(frame, name)
    frame, notices = _typed(frame, target, declared, na_values, on_junk, name)
    X = _nan_strings(frame.drop(columns=[target]))
    X, y, n_dropped = checks.drop_missing_target(X, frame[target], name)
    try:
        resolved, rule = decide_task(y, task)
    except ValueError as error:
        raise DataError(f"{name}: target column {target!r}: {error}") from None
    checks.check_target(y, resolved, name)
    checks.check_features(X, name)
    roles = column_roles(X, declared, dropped)
    notices += _feature_notices(X, roles, limits)
    if n_dropped:
        rows = (
            f"{n_dropped:,} of {len(y) + n_dropped:,} rows ({share(n_dropped, len(y) + n_dropped)})"
        )
        notices.append(f"target column {target!r}: {rows} without a value dropped")
    if resolved == "classification":
        y = _whole_floats_as_int(y)
    return Table(
        X=X,
        y=y,
        task=resolved,
        name=name,
        fingerprint=fingerprint,
        path=path,
        target=target,
        dropped_rows=n_dropped,
        task_rule=rule,
        roles=roles,
        limits=limits,
        notices=tuple(notices),
    )


def _check_options(
    frame: pd.DataFrame,
    target: str,
    drop_columns: Sequence[str],
    declared: Mapping[str, str],
    on_junk: str,
    limits: LevelLimits,
    name: str,
) -> None:
    """Raise for an empty table, repeated or absent columns, and options that cannot work."""
    if frame.shape[0] == 0:
        raise DataError(f"{name}: the table has no rows (columns: {', '.join(map(str, frame))})")
    checks.require_unique_names(frame, name)
    checks.require_columns(frame, [target], name, "target column")
    checks.require_columns(frame, list(drop_columns), name, "column to drop")
    if target in drop_columns:
        raise DataError(f"{name}: target column {target!r} is also listed in drop_columns")
    check_roles(declared, frame, target=target, drop_columns=drop_columns, source=name)
    if on_junk not in ON_JUNK:
        raise DataError(f"{name}: on_junk must be one of {', '.join(ON_JUNK)}, got {on_junk!r}")
    limits.check(name)


def _typed(
    frame: pd.DataFrame,
    target: str,
    declared: Mapping[str, str],
    na_values: Sequence[str],
    on_junk: str,
    source: str,
) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with each column typed by :func:`~pipeline.data.columns.type_column`, and notices.

    Only the columns that change are replaced; the others are shared, not copied.
    """
    changed: dict[Any, pd.Series] = {}
    notices: list[str] = []
    for name in frame.columns:
        column = frame[name]
        typed, found = type_column(
            column,
            role=declared.get(name),
            na_values=na_values,
            on_junk=on_junk,
            source=source,
            is_target=name == target,
        )
        notices += found
        if typed is not column:
            changed[name] = typed
    if not changed:
        return frame, notices
    frame = frame.copy(deep=False)
    for name, typed in changed.items():
        frame[name] = typed
    return frame, notices


def _feature_notices(X: pd.DataFrame, roles: ColumnRoles, limits: LevelLimits) -> list[str]:
    """Notices on columns with missing values or a single value, on grouped levels of
    categorical columns and on integer row identifiers."""
    found: list[str | None] = [*coverage_notices(X, roles.numeric, roles.categorical)]
    found += [level_notice(X[name], limits) for name in roles.categorical]
    found += [identifier_notice(X[name]) for name in roles.numeric]
    return [notice for notice in found if notice is not None]


def _nan_strings(X: pd.DataFrame) -> pd.DataFrame:
    """Turn nullable ``string`` columns (missing = ``pd.NA``) into pandas' default ``str`` dtype.

    scikit-learn's imputers recognise NaN, not ``pd.NA``, as missing in text columns.
    """
    nullable = [
        name
        for name, dtype in X.dtypes.items()
        if isinstance(dtype, pd.StringDtype) and dtype.na_value is pd.NA
    ]
    return X.astype(dict.fromkeys(nullable, "str")) if nullable else X


def _whole_floats_as_int(y: pd.Series) -> pd.Series:
    """Class labels read as floats (an int column that had missing values) back to int64."""
    if not pd.api.types.is_float_dtype(y.dtype):
        return y
    values = y.to_numpy(dtype=np.float64)
    if not (np.floor(values) == values).all():
        return y
    return y.astype(np.int64)
