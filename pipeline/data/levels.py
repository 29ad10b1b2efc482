"""How many one-hot features a text column may become, and notices for columns that hit the cap.

A categorical column is one-hot encoded by scikit-learn's ``OneHotEncoder`` with
``max_categories=max_levels`` and ``min_frequency=min_level_rows``: a level seen in fewer than
``min_level_rows`` training rows, and every level beyond the ``max_levels - 1`` most frequent,
is grouped into one "infrequent" feature. A column therefore becomes at most ``max_levels``
features, whatever its number of distinct values; an unseen level encodes as the infrequent
feature (or as zeros when training had none).

Defaults, and why:

- ``max_levels = 50``: one text column costs at most 50 input features (200 bytes a row in
  float32), more than the first hidden layer of the default network (32 units) has units; on
  skewed real categories the 49 most frequent levels cover nearly every row, and keeping more
  mostly adds levels too rare to learn from.
- ``min_level_rows = 5``: a level on fewer training rows gives its weights nothing to learn but
  those rows; such one-row features are how an identifier column is memorised. Grouped, an
  identifier column becomes one constant feature.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pipeline.errors import DataError

if TYPE_CHECKING:  # pandas is imported where a column is examined: the defaults stay light
    import pandas as pd

DEFAULT_MAX_LEVELS = 50
DEFAULT_MIN_LEVEL_ROWS = 5
#: A categorical column whose levels get grouped, with at least this share of its non-missing
#: values distinct, looks like an identifier or free text.
IDENTIFIER_SHARE = 0.9


@dataclass(frozen=True)
class LevelLimits:
    """How categorical columns are one-hot encoded (see the module docstring).

    Attributes:
        max_levels: at most this many one-hot features per column (``None``: no cap).
        min_level_rows: levels on fewer training rows are grouped as infrequent (1: none are).
    """

    max_levels: int | None = DEFAULT_MAX_LEVELS
    min_level_rows: int = DEFAULT_MIN_LEVEL_ROWS

    def check(self, source: str) -> None:
        """Raise a DataError naming ``source`` for a cap below 2 or a row minimum below 1."""
        if self.max_levels is not None and not _is_int(self.max_levels, 2):
            raise DataError(
                f"{source}: max_levels must be an integer of at least 2 (or none for no cap), "
                f"got {self.max_levels!r}"
            )
        if not _is_int(self.min_level_rows, 1):
            raise DataError(
                f"{source}: min_level_rows must be an integer of at least 1, "
                f"got {self.min_level_rows!r}"
            )


def level_notice(column: pd.Series, limits: LevelLimits) -> str | None:
    """A notice for a categorical column whose levels one-hot encoding will group, if any.

    Counted on the whole table, before the split: a level on fewer than ``min_level_rows`` rows
    of the table has fewer in the training rows too, so the notice gives the most levels that
    can be kept; :func:`pipeline.data.describe.encoded_columns` gives the exact numbers once the
    encoder is fitted.
    """
    counts = column.value_counts(dropna=True)
    levels, rows = len(counts), int(counts.sum())
    kept = kept_levels(counts.to_numpy(), limits)
    if kept == levels:
        return None
    settings = f"(max_levels={limits.max_levels}, min_level_rows={limits.min_level_rows})"
    grouped = (
        f"one-hot encoding keeps at most {kept} of them as features and groups the rest into "
        f"one infrequent feature {settings}"
        if kept
        else f"one-hot encoding groups all of them into one infrequent feature {settings}"
    )
    name = column.name
    if levels >= IDENTIFIER_SHARE * rows:
        return (
            f"column {name!r}: {levels} distinct values in {rows} rows, nearly one per row: it "
            f"looks like an identifier or free text; {grouped}; if it carries no signal, drop it "
            f"with the drop_columns option (drop_columns=[{name!r}])"
        )
    return f"column {name!r}: {levels} levels; {grouped}"


def kept_levels(counts: np.ndarray, limits: LevelLimits) -> int:
    """How many levels of these row counts the encoder keeps as their own feature.

    scikit-learn's rule: levels below ``min_level_rows`` are infrequent; if the frequent ones and
    the infrequent feature would exceed ``max_levels`` features, only the ``max_levels - 1``
    most frequent stay.
    """
    frequent = int((counts >= limits.min_level_rows).sum())
    if limits.max_levels is not None and frequent + 1 > limits.max_levels:
        return limits.max_levels - 1
    return frequent


def identifier_notice(column: pd.Series) -> str | None:
    """A notice for an integer column with one distinct value per row (a likely row id)."""
    import pandas as pd

    if len(column) < 2 or not pd.api.types.is_integer_dtype(column.dtype):
        return None
    if pd.api.types.is_bool_dtype(column.dtype) or column.nunique(dropna=False) != len(column):
        return None
    return (
        f"column {column.name!r}: one distinct integer per row ({len(column)} rows): it looks "
        f"like a row identifier; if it is, drop it with the drop_columns option "
        f"(drop_columns=[{column.name!r}])"
    )


def _is_int(value: object, low: int) -> bool:
    """True for an ``int`` (not a bool) of at least ``low``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= low
