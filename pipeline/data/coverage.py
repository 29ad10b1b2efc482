"""Notices for feature columns with missing values and for columns that hold one value.

Counted over every row of the table that has a target: training, validation and test rows are
all filled the same way (and so are the rows ``predict`` scores), while the value they are
filled with comes from the training rows of each fit only (see :mod:`pipeline.data.preprocess`:
the median of a numeric column, the most frequent level of a categorical one).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: How each role's missing values are filled (as :mod:`pipeline.data.preprocess` does it).
FILLED_WITH = {
    "numeric": "the training rows' median",
    "categorical": "the training rows' most frequent level",
}


def coverage_notices(
    X: pd.DataFrame, numeric: Sequence[object], categorical: Sequence[object]
) -> list[str]:
    """One notice per feature column that holds a single value (with its missing values, if
    any), else per column with missing values, in the table's column order."""
    roles = {**dict.fromkeys(categorical, "categorical"), **dict.fromkeys(numeric, "numeric")}
    found = [_column_notice(X[name], role) for name, role in _ordered(X, roles)]
    return [notice for notice in found if notice is not None]


def _ordered(X: pd.DataFrame, roles: dict[object, str]) -> list[tuple[object, str]]:
    return [(name, roles[name]) for name in X.columns if name in roles]


def _column_notice(column: pd.Series, role: str) -> str | None:
    missing = int(column.isna().sum())
    single = _single_value(column, role)
    if single is not None:
        return constant_notice(column.name, role, single, missing)
    if missing:
        return missing_notice(column.name, role, missing, len(column))
    return None


def _single_value(column: pd.Series, role: str) -> object | None:
    """The column's one value when it holds exactly one (missing values aside), else None."""
    if role == "numeric":
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isnan(values).all():
            return None
        low, high = np.nanmin(values), np.nanmax(values)
        return float(low) if low == high else None
    present = column.dropna()
    if present.empty or present.nunique() != 1:
        return None
    value = present.iloc[0]
    return value.item() if isinstance(value, np.generic) else value


def missing_notice(name: object, role: str, missing: int, rows: int) -> str:
    """``column 'age': 1,234 of 4,255 values missing (29.0%), filled with the training rows'
    median``."""
    return (
        f"column {name!r}: {missing:,} of {rows:,} values missing ({share(missing, rows)}), "
        f"filled with {FILLED_WITH[role]}"
    )


def constant_notice(name: object, role: str, value: object, missing: int) -> str:
    """``column 'bluecol': one level ('blue') in every row: a constant input that cannot help
    the model; drop it (drop_columns=['bluecol'])``; with its missing values, if any."""
    one = f"one level ({value!r})" if role == "categorical" else f"one value ({value:g})"
    where = f"in every row ({missing:,} missing, filled with it)" if missing else "in every row"
    return (
        f"column {name!r}: {one} {where}: a constant input that cannot help the model; "
        f"drop it (drop_columns=[{name!r}])"
    )


def share(part: int, whole: int) -> str:
    """``29.0%``; ``<0.1%`` for a share that would print as 0.0%."""
    fraction = part / whole if whole else 0.0
    return "<0.1%" if 0 < fraction < 0.0005 else f"{fraction:.1%}"
