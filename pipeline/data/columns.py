"""Column typing at load time: declared roles, declared missing tokens, junk in numeric columns.

A pure function of the frame and the options, run before any split, so the same file and the same
options give the same table (and the file's fingerprint still identifies the data).

Junk-token rule. A text column is read as numeric, its non-numbers as missing, when

- at least :data:`MIN_NUMBER_SHARE` (90%) of its non-missing values parse as numbers,
- and at least one does not, and those that do not are at most :data:`MAX_JUNK_TOKENS` (5)
  distinct tokens of at most :data:`MAX_TOKEN_LENGTH` (12) characters each:

``?``, ``-``, ``unknown``, ``#VALUE!``: markers of missing values, not categories. A notice names
the column, the tokens and their counts. A text column with at least half of its values numbers
that misses the rule stays text, with a notice saying how to declare its tokens (``na_values``).
A text column whose every value parses (a Parquet string column of ZIP codes) stays text: its
writer chose text; unless some of its values were declared missing (``na_values``): then it is
numeric, as ``pd.read_csv`` reads such a column. Declared roles win over the rule (see
:data:`Role`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, get_args

import pandas as pd

from pipeline.data.checks import is_categorical, is_numeric
from pipeline.errors import DataError

Role = Literal["numeric", "categorical", "drop"]
ROLES: tuple[str, ...] = get_args(Role)
OnJunk = Literal["coerce", "error"]
ON_JUNK: tuple[str, ...] = get_args(OnJunk)

MIN_NUMBER_SHARE = Fraction(9, 10)  # exact: 27 numbers of 30 values pass, 26 do not
MAX_JUNK_TOKENS = 5
MAX_TOKEN_LENGTH = 12
_MOSTLY_NUMBERS = 0.5  # a text column this share of numbers gets a notice on how to declare junk
_SHOWN_TOKENS = 5  # tokens listed in a message


@dataclass(frozen=True)
class ColumnRoles:
    """What each column of the table became: a numeric or a categorical feature, or dropped.

    Attributes:
        numeric: numeric feature columns (imputed with the median, then standardised).
        categorical: categorical feature columns (imputed with the most frequent level, then
            one-hot encoded), in table order.
        levels: distinct non-missing values of each categorical column, over the whole table.
        dropped: columns removed by ``drop_columns`` or a ``"drop"`` role.
    """

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    levels: tuple[int, ...]
    dropped: tuple[str, ...] = ()


def column_roles(
    X: pd.DataFrame, declared: Mapping[str, str] | None = None, dropped: Sequence[str] = ()
) -> ColumnRoles:
    """Roles of ``X``'s columns: as ``declared``, else numeric for numeric dtypes (and booleans)
    and categorical for text and ``category`` columns; columns of other dtypes have none."""
    declared = declared or {}
    numeric, categorical = [], []
    for name in X.columns:
        role = declared.get(name)
        if role is None and is_numeric(X[name].dtype):
            role = "numeric"
        elif role is None and is_categorical(X[name].dtype):
            role = "categorical"
        if role == "numeric":
            numeric.append(name)
        elif role == "categorical":
            categorical.append(name)
    levels = tuple(int(X[name].nunique(dropna=True)) for name in categorical)
    return ColumnRoles(tuple(numeric), tuple(categorical), levels, tuple(dropped))


def check_roles(
    columns: Mapping[str, str],
    frame: pd.DataFrame,
    *,
    target: str,
    drop_columns: Sequence[str],
    source: str,
) -> None:
    """Raise if a declared role is unknown, names an absent column or the target, or keeps a
    column that ``drop_columns`` drops."""
    for name, role in columns.items():
        where = f"{source}: column {name!r}"
        if role not in ROLES:
            raise DataError(f"{where} has unknown role {role!r}; use one of {', '.join(ROLES)}")
        if name == target:
            raise DataError(f"{where} is the target; set the task instead of giving it a role")
        if name not in frame.columns:
            existing = ", ".join(map(str, frame.columns))
            raise DataError(f"{where} given a role is not found; the columns are: {existing}")
        if name in drop_columns and role != "drop":
            raise DataError(f"{where} is in drop_columns but declared {role}")


def type_column(
    column: pd.Series,
    *,
    role: str | None,
    na_values: Sequence[str],
    on_junk: str,
    source: str,
    is_target: bool = False,
) -> tuple[pd.Series, list[str]]:
    """``column`` typed by its declared role (or by the junk-token rule), and its notices.

    ``na_values`` are masked first: text equal to a token, numbers equal to a numeric token.
    """
    label = f"{'target column' if is_target else 'column'} {column.name!r}"
    masked = mask_tokens(column, na_values)
    if role == "categorical":
        return masked, []
    if role == "numeric":
        if pd.api.types.is_numeric_dtype(masked.dtype):
            return masked, []
        return _declared_numeric(masked.astype(object), source, label), []
    if not _is_text(masked):
        return masked, []
    return _numbers_or_text(masked, on_junk, source, label, is_target, masked is not column)


def missing_tokens(na_values: Sequence[object] | str) -> tuple[str, ...]:
    """``na_values`` as a tuple of strings; one string is one token, not its characters."""
    if isinstance(na_values, str):
        return (na_values,)
    return tuple(str(token) for token in na_values)


def mask_tokens(column: pd.Series, na_values: Sequence[str]) -> pd.Series:
    """``column`` with the values in ``na_values`` missing (no copy when none matches).

    Text matches a token exactly; a number matches a token that parses as that number (``-999``),
    as in ``pd.read_csv(na_values=...)``. Boolean and other columns are left alone.
    """
    if not na_values:
        return column
    if _is_text(column):
        tokens: list[object] = list(na_values)
    elif pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
        column.dtype
    ):
        tokens = pd.to_numeric(pd.Series(list(na_values)), errors="coerce").dropna().tolist()
    else:
        return column
    hits = column.isin(tokens)
    return column.mask(hits) if tokens and hits.any() else column


def _numbers_or_text(
    column: pd.Series, on_junk: str, source: str, label: str, is_target: bool, masked: bool
) -> tuple[pd.Series, list[str]]:
    """Apply the junk-token rule to a text column of undeclared role.

    ``masked``: some of its values were declared missing (``na_values``); then a column of
    numbers and declared tokens is numeric, as ``pd.read_csv`` would have read it.
    """
    numbers = pd.to_numeric(column, errors="coerce")
    present = column.notna()
    n_values, n_numbers = int(present.sum()), int(numbers.notna().sum())
    if n_numbers == n_values and n_values and masked:
        return numbers.astype("float64"), []
    if n_numbers == 0 or n_numbers == n_values or n_numbers < _MOSTLY_NUMBERS * n_values:
        return column, []
    tokens = _token_counts(column[present & numbers.isna()])
    if _is_junk(tokens, n_numbers, n_values):
        if on_junk == "error":
            raise DataError(_junk_error(tokens, n_numbers, source, label, is_target))
        return numbers.astype("float64"), [f"{label}: {_counted(tokens)} read as missing"]
    notice = (
        f"{label}: kept as text although {n_numbers} of its {n_values} values are numbers; "
        f"the others are {_listed(tokens)}; if they mark missing values, declare them "
        f"with na_values"
    )
    return column, [notice]


def _is_junk(tokens: pd.Series, n_numbers: int, n_values: int) -> bool:
    """The junk-token rule (module docstring) on the non-numeric tokens and their counts."""
    return (
        n_numbers >= MIN_NUMBER_SHARE * n_values
        and len(tokens) <= MAX_JUNK_TOKENS
        and max(len(str(token)) for token in tokens.index) <= MAX_TOKEN_LENGTH
    )


def _declared_numeric(column: pd.Series, source: str, label: str) -> pd.Series:
    """A column declared numeric as float64; raise naming the values that are not numbers."""
    numbers = pd.to_numeric(column, errors="coerce")
    bad = column.notna() & numbers.isna()
    if bad.any():
        tokens = _token_counts(column[bad])
        raise DataError(
            f"{source}: {label} is declared numeric but {int(bad.sum())} value(s) are not "
            f"numbers: {_listed(tokens)}; declare them missing with na_values"
        )
    return numbers.astype("float64")


def _junk_error(tokens: pd.Series, n_numbers: int, source: str, label: str, is_target: bool) -> str:
    """The one-line on_junk="error" message: table, column, tokens, counts and the two fixes."""
    declared = [str(token) for token in tokens.index[:_SHOWN_TOKENS]]
    fixes = f"declare them missing (na_values={declared!r})"
    if not is_target:
        name = label.removeprefix("column ")
        fixes += f" or declare the column's role (columns={{{name}: 'categorical'}})"
    return (
        f"{source}: {label} holds {int(tokens.sum())} non-numeric value(s) among {n_numbers} "
        f"numbers: {_listed(tokens)}; {fixes}"
    )


def _token_counts(values: pd.Series) -> pd.Series:
    """Distinct values and their counts, most frequent first, ties in text order."""
    counts = values.astype(object).value_counts(sort=False).sort_index()
    return counts.sort_values(ascending=False, kind="stable")


def _counted(tokens: pd.Series) -> str:
    """``"6 values '?'"`` or ``"9 values '?' (6), '-' (3)"``."""
    total = int(tokens.sum())
    noun = "value" if total == 1 else "values"
    if len(tokens) == 1:
        return f"{total} {noun} {str(tokens.index[0])!r}"
    return f"{total} {noun} {_listed(tokens)}"


def _listed(tokens: pd.Series) -> str:
    """``"'?' (6), '-' (3)"``, at most :data:`_SHOWN_TOKENS` tokens then how many more."""
    shown = [
        f"{str(token)!r} ({int(count)})" for token, count in tokens.iloc[:_SHOWN_TOKENS].items()
    ]
    more = len(tokens) - _SHOWN_TOKENS
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _is_text(column: pd.Series) -> bool:
    """Text columns: pandas' ``str``/``string`` dtypes, or objects that are all strings."""
    if pd.api.types.is_string_dtype(column.dtype) and not pd.api.types.is_object_dtype(
        column.dtype
    ):
        return True
    if not pd.api.types.is_object_dtype(column.dtype):
        return False
    return pd.api.types.infer_dtype(column, skipna=True) == "string"
