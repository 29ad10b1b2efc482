"""Rows of a new table as a fitted pipeline (preprocessing + MLP) takes them, and its scores.

The pipeline knows its input columns and their roles (the column transformer's ``numeric*``
and ``categorical`` groups). A new file must hold exactly those columns, besides the ones the
caller says to ignore (the target, dropped identifiers). Its values are typed as the training
table's were: the declared missing-value tokens are missing; in a numeric input, a few short
non-numbers (at most :data:`~pipeline.columns.MAX_JUNK_TOKENS` distinct tokens of at most
:data:`~pipeline.columns.MAX_TOKEN_LENGTH` characters, such as ``?``) are missing too, with a
notice, since the model already knows the column holds numbers; more, or longer ones, are an
error. A categorical input fitted on text takes every value as text (a column of codes read as
numbers in this file matches the levels it was trained on).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from pipeline.columns import MAX_JUNK_TOKENS, MAX_TOKEN_LENGTH, mask_tokens
from pipeline.errors import DataError

_SHOWN = 5  # columns or tokens named in a message


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


def model_rows(
    model: Any, frame: pd.DataFrame, *, source: str, na_values: Sequence[str] = ()
) -> tuple[pd.DataFrame, list[str]]:
    """The model's input columns of ``frame`` typed as it takes them, and notices (see the
    module docstring). Call :func:`check_columns` first."""
    numeric, text = numeric_inputs(model), text_inputs(model)
    columns: dict[str, pd.Series] = {}
    notices: list[str] = []
    for name in input_columns(model):
        column = mask_tokens(frame[name], list(na_values))
        if name in numeric:
            column, notice = as_numbers(column, source)
            notices += [notice] if notice else []
        elif name in text:
            column = as_text(column)
        columns[name] = column
    return pd.DataFrame(columns, index=frame.index), notices


def as_numbers(column: pd.Series, source: str) -> tuple[pd.Series, str | None]:
    """A numeric input as float64: junk tokens missing with a notice, other text an error."""
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column, None
    numbers = pd.to_numeric(column, errors="coerce")
    bad = column.notna() & numbers.isna()
    if not bad.any():
        return numbers.astype("float64"), None
    tokens = column[bad].astype(str).value_counts()
    listed = ", ".join(f"{t!r} ({n})" for t, n in tokens.iloc[:_SHOWN].items())
    label = f"column {column.name!r}"
    if len(tokens) > MAX_JUNK_TOKENS or max(map(len, tokens.index)) > MAX_TOKEN_LENGTH:
        raise DataError(
            f"{source}: {label} holds numbers for the model but {int(bad.sum())} value(s) are "
            f"not numbers: {listed}"
        )
    return numbers.astype(
        "float64"
    ), f"{label}: {int(bad.sum())} value(s) read as missing: {listed}"


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


def _names(columns: Sequence[str]) -> str:
    shown = ", ".join(repr(c) for c in columns[:_SHOWN])
    more = f" and {len(columns) - _SHOWN} more" if len(columns) > _SHOWN else ""
    return f"column{'s' if len(columns) > 1 else ''} {shown}{more}"
