"""Rows of a new table as a fitted pipeline (preprocessing + MLP) takes them, and its scores.

The pipeline knows its input columns and their roles (the column transformer's ``numeric*``
and ``categorical`` groups). A new file must hold exactly those columns, besides the ones the
caller says to ignore (the target, dropped identifiers). Its values are typed as the training
table's were: the declared missing-value tokens are missing; in a numeric input, a few short
non-numbers (at most :data:`~pipeline.data.columns.MAX_JUNK_TOKENS` distinct tokens of at most
:data:`~pipeline.data.columns.MAX_TOKEN_LENGTH` characters over the whole file, such as ``?``) are
missing too, with a notice, since the model already knows the column holds numbers; more, or
longer ones, are an error. Numbers must be finite and within float32's range, as in training.
A categorical input fitted on text takes every value as text (a column of codes read as numbers
in this file matches the levels it was trained on).

A file is scored block by block (:func:`block_rows` rows at a time): a :class:`JunkTally`
carries the junk tokens from one block to the next.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pipeline.data.checks import check_finite
from pipeline.data.columns import MAX_JUNK_TOKENS, MAX_TOKEN_LENGTH, mask_tokens
from pipeline.errors import DataError

_SHOWN = 5  # columns or tokens named in a message
#: A block's float64 work arrays (rows x the widest of the inputs and the network's layers) hold
#: about this many bytes; a block has between MIN_BLOCK_ROWS and MAX_BLOCK_ROWS rows.
BLOCK_BYTES = 8 << 20
MIN_BLOCK_ROWS = 256
MAX_BLOCK_ROWS = 65_536


def input_columns(model: Any) -> list[str]:
    """The raw columns the fitted pipeline takes, in order."""
    return [str(name) for name in model.feature_names_in_]


def preprocessor_of(model: Any) -> Any:
    """The fitted preprocessing of a Pipeline, or the first of an ensemble's (every fold's
    treats the same columns the same way)."""
    preprocessors = getattr(model, "preprocessors", None)
    return preprocessors[0] if preprocessors else model[0]


def numeric_inputs(model: Any) -> set[str]:
    """Input columns the preprocessor imputes and scales as numbers."""
    return {
        str(column)
        for name, _, columns in preprocessor_of(model).transformers_
        if name.startswith("numeric")
        for column in columns
    }


def text_inputs(model: Any) -> set[str]:
    """Categorical input columns whose levels were text when the encoder was fitted."""
    for name, steps, columns in preprocessor_of(model).transformers_:
        if name == "categorical":
            encoder = steps[-1]
            return {
                str(column)
                for column, levels in zip(columns, encoder.categories_, strict=True)
                if levels.dtype.kind in "OUT"
            }
    return set()


def check_columns(model: Any, frame: pd.DataFrame, ignored: Iterable[str], source: str) -> None:
    """Raise one line naming the missing and the extra columns unless ``frame`` holds exactly
    the model's input columns (besides ``ignored`` ones)."""
    wanted = input_columns(model)
    have = [str(c) for c in frame.columns]
    missing = [c for c in wanted if c not in have]
    extra = [c for c in have if c not in wanted and c not in set(ignored)]
    if missing or extra:
        parts = [
            f"missing {_names(missing)}" if missing else "",
            f"extra {_names(extra)}" if extra else "",
        ]
        raise DataError(
            f"{source}: the columns do not match the model's {len(wanted)} input columns: "
            + "; ".join(p for p in parts if p)
        )


@dataclass
class JunkTally:
    """Junk tokens met so far in each numeric input, over the blocks of one file, in the order
    they were first met."""

    source: str
    tokens: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, name: str, tokens: pd.Series) -> None:
        """Count ``tokens`` (token -> count) of column ``name``; raise past the caps."""
        counts = self.tokens.setdefault(name, {})
        for token, n in tokens.items():
            counts[str(token)] = counts.get(str(token), 0) + int(n)
        if len(counts) > MAX_JUNK_TOKENS or max(map(len, counts)) > MAX_TOKEN_LENGTH:
            raise DataError(
                f"{self.source}: column {name!r} holds numbers for the model but "
                f"{sum(counts.values())} value(s) are not numbers: {_listed(counts)}"
            )

    def notices(self) -> list[str]:
        """One notice per column with junk tokens read as missing."""
        return [
            f"column {name!r}: {sum(counts.values())} value(s) read as missing: {_listed(counts)}"
            for name, counts in self.tokens.items()
        ]


def model_rows(
    model: Any,
    frame: pd.DataFrame,
    *,
    source: str,
    na_values: Sequence[str] = (),
    tally: JunkTally | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The model's input columns of ``frame`` typed as it takes them, and the notices of the
    ``tally`` so far (a new one if not given; see the module docstring). Call
    :func:`check_columns` first. Raises DataError for a value the model cannot take."""
    tally = JunkTally(source) if tally is None else tally
    numeric, text = numeric_inputs(model), text_inputs(model)
    columns: dict[str, pd.Series] = {}
    for name in input_columns(model):
        column = mask_tokens(frame[name], list(na_values))
        if name in numeric:
            column = as_numbers(column, tally)
            check_finite(column, source, f"column {name!r}")
        elif name in text:
            column = as_text(column)
        columns[name] = column
    return pd.DataFrame(columns, index=frame.index), tally.notices()


def as_numbers(column: pd.Series, tally: JunkTally) -> pd.Series:
    """A numeric input as numbers: junk tokens missing (counted in ``tally``), other text an
    error."""
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column
    numbers = pd.to_numeric(column, errors="coerce")
    bad = column.notna() & numbers.isna()
    if bad.any():
        tally.add(str(column.name), column[bad].astype(str).value_counts(sort=False))
    return numbers.astype("float64")


def block_rows(model: Any, n_columns: int) -> int:
    """Rows per block when scoring a file of ``n_columns`` columns (see :data:`BLOCK_BYTES`):
    the widest of the inputs and of every layer of every network the model holds."""
    widths = [n_columns]
    for network in _networks(model):
        for weights in getattr(network, "coefs_", ()):
            widths.extend(np.shape(weights))
    rows = BLOCK_BYTES // (8 * max(widths))
    return int(min(MAX_BLOCK_ROWS, max(MIN_BLOCK_ROWS, rows)))


def _networks(model: Any) -> list[Any]:
    """The MLPs of an ensemble, or a Pipeline's last step."""
    if hasattr(model, "members"):
        return list(model.members())
    try:
        return [model[-1]]
    except (TypeError, IndexError, KeyError):
        return [model]


def as_text(column: pd.Series) -> pd.Series:
    """Every present value as text, missing ones NaN; whole floats (codes in a column with
    missing values) written as integers: ``7.0`` is the level ``"7"``."""
    values = column
    if pd.api.types.is_float_dtype(values.dtype):
        present = values.dropna()
        if (np.floor(present) == present).all():
            values = values.astype("Int64")
    return values.astype(str).astype(object).where(values.notna(), np.nan)


def predictions(model: Any, X: pd.DataFrame, *, proba: bool = False) -> pd.DataFrame:
    """``prediction`` per row, and with ``proba`` one ``proba_<class>`` column per class."""
    out = pd.DataFrame({"prediction": model.predict(X)}, index=X.index)
    if proba:
        probabilities = np.asarray(model.predict_proba(X))
        for i, label in enumerate(model.classes_):
            out[f"proba_{label}"] = probabilities[:, i]
    return out


def is_classifier(model: Any) -> bool:
    """Whether the model predicts classes (and so has probabilities)."""
    return hasattr(model, "classes_")


def _listed(counts: dict[str, int]) -> str:
    """The most frequent tokens first (ties in the order they were met)."""
    ranked = sorted(counts.items(), key=lambda item: -item[1])[:_SHOWN]
    return ", ".join(f"{t!r} ({n})" for t, n in ranked)


def _names(columns: Sequence[str]) -> str:
    shown = ", ".join(repr(c) for c in columns[:_SHOWN])
    more = f" and {len(columns) - _SHOWN} more" if len(columns) > _SHOWN else ""
    return f"column{'s' if len(columns) > 1 else ''} {shown}{more}"
