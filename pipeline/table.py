"""The user's table as loaded once per process: features, target, task and fingerprint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import checks
from pipeline.errors import DataError
from pipeline.tasks import Task, resolve_task


@dataclass(frozen=True, eq=False)
class Table:
    """A loaded, checked table. Load it once per process and share it: nothing here is copied.

    Attributes:
        X: feature columns under the user's names, with raw values (missing values kept; text
            of the nullable ``string`` dtype becomes pandas' default ``str``, missing = NaN).
        y: the target; rows whose target was missing are already dropped.
        task: ``"classification"`` or ``"regression"``.
        name: ``"breast_cancer"``, ``"make_classification"`` or the file path.
        fingerprint: hex SHA-256 of the whole file's bytes, or of canonical array bytes for
            built-in and generated data (see :mod:`pipeline.fingerprint`).
        path: the file, or ``None`` for built-in and generated data.
        target: the target column's name.
        dropped_rows: rows dropped because their target was missing (also logged).
    """

    X: pd.DataFrame
    y: pd.Series
    task: Task
    name: str
    fingerprint: str
    path: Path | None
    target: str
    dropped_rows: int

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
) -> Table:
    """Check ``frame`` and split it into features and target; see :class:`Table`.

    Raises :class:`~pipeline.errors.DataError` (naming ``name`` and the column) for an empty table,
    an absent target or drop column, a target that is entirely missing or has a single class, a
    feature column that is entirely missing, infinite or of an unsupported dtype. Warns with
    :class:`~pipeline.errors.IdentifierColumnWarning` for columns that look like row identifiers.
    """
    if frame.shape[0] == 0:
        raise DataError(f"{name}: the table has no rows (columns: {', '.join(map(str, frame))})")
    checks.require_unique_names(frame, name)
    checks.require_columns(frame, [target], name, "target column")
    checks.require_columns(frame, list(drop_columns), name, "column to drop")
    if target in drop_columns:
        raise DataError(f"{name}: target column {target!r} is also listed in drop_columns")
    X = _nan_strings(frame.drop(columns=[target, *drop_columns]))
    X, y, dropped = checks.drop_missing_target(X, frame[target], name)
    try:
        resolved = resolve_task(y, task)
    except ValueError as error:
        raise DataError(f"{name}: target column {target!r}: {error}") from None
    checks.check_target(y, resolved, name)
    checks.check_features(X, name)
    checks.warn_identifier_columns(X, name)
    if resolved == "classification":
        y = _whole_floats_as_int(y)
    return Table(X, y, resolved, name, fingerprint, path, target, dropped)


def _nan_strings(X: pd.DataFrame) -> pd.DataFrame:
    """Turn nullable ``string`` columns (missing = ``pd.NA``) into pandas' default ``str`` dtype.

    scikit-learn's imputers recognise NaN, not ``pd.NA``, as missing in text columns.
    """
    nullable = [
        name for name, dtype in X.dtypes.items()
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
