"""Reading CSV and Parquet files into a DataFrame with as little memory as pandas allows.

Measured on a 1,000,000 x 100 float table (771 MiB in memory), peak memory of the read alone:
one ``pd.read_csv`` call needs about 4.5x the table, reading blocks of rows and concatenating them
about 2x; ``pd.read_parquet`` with its defaults about 2.7x, with the options below about 1.4x.

Missing values: a CSV cell is missing when it is empty or one of pandas' default markers
(``NA``, ``n/a``, ``null``, ``NaN``, ...) or one of the caller's ``na_values``; a Parquet cell is
missing when it is null (the caller's ``na_values`` are applied to its text columns later, by
:mod:`pipeline.data.columns`). Duplicate column names are refused from the raw header, before pandas
renames them (``a, a`` becomes ``a, a.1`` in ``pd.read_csv``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.data.checks import mixed_text_example
from pipeline.errors import DataError

CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet", ".pq")

_CSV_BLOCK_BYTES = 32 << 20  # rows are parsed in blocks of about this many bytes of floats
# No read-ahead of the whole file, and Arrow buffers released column by column as pandas takes
# them over (pandas does not touch the Arrow table after converting it).
_PARQUET_OPTIONS: dict[str, Any] = {
    "pre_buffer": False,
    "to_pandas_kwargs": {"split_blocks": True, "self_destruct": True},
}


def read_frame(path: Path, *, na_values: Sequence[str] = ()) -> pd.DataFrame:
    """Read a CSV or Parquet file (by suffix); any reader failure becomes a one-line DataError.

    ``na_values`` are extra CSV cell values read as missing (pandas' defaults stay on).
    """
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + PARQUET_SUFFIXES:
        known = ", ".join(CSV_SUFFIXES + PARQUET_SUFFIXES)
        raise DataError(f"{path}: unsupported file type {suffix!r}; use one of {known}")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty")
    kind = "CSV" if suffix in CSV_SUFFIXES else "Parquet"
    try:
        return read_csv(path, na_values=na_values) if kind == "CSV" else read_parquet(path)
    except DataError:
        raise
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty") from None
    except (ValueError, OSError, pd.errors.ParserError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DataError(f"{path}: cannot be read as {kind}: {reason}") from None


def read_csv(path: Path, *, na_values: Sequence[str] = ()) -> pd.DataFrame:
    """Read a CSV in blocks of rows and concatenate them (about half the peak of one read).

    Each block infers its own column types; a column read as numbers in one block and as text
    in another is read again, whole, as text. Raises DataError for a repeated header name.
    """
    options: dict[str, Any] = {"na_values": list(na_values)} if na_values else {}
    options["index_col"] = False  # never the first column as an index (see _first_rows)
    header = _first_rows(path)
    rows = max(1_000, _CSV_BLOCK_BYTES // (8 * max(len(header.columns), 1)))
    try:
        with pd.read_csv(path, chunksize=rows, low_memory=False, **options) as reader:
            blocks = list(reader)
    except pd.errors.ParserError as error:
        raise _ragged(path, error) from None
    if not blocks:
        return header
    frame = pd.concat(blocks, ignore_index=True) if len(blocks) > 1 else blocks[0]
    del blocks
    mixed = [name for name in frame.columns if mixed_text_example(frame[name]) is not None]
    if not mixed:
        return frame
    text = pd.read_csv(path, usecols=mixed, dtype="str", **options)
    return frame.assign(**{str(name): text[name] for name in mixed})


def _first_rows(path: Path) -> pd.DataFrame:
    """The header (as an empty frame), once its names are known to be unique and the first
    row no longer than it.

    Given a first row one field longer than the header (``y,x1`` over ``1,2,3``, or rows
    that all end with a comma), pandas silently takes the first column as the index, so every
    column gets its right-hand neighbour's values; a longer row later on is a parser error.
    """
    try:
        raw = pd.read_csv(path, header=None, nrows=2, dtype="str", keep_default_na=False)
    except pd.errors.ParserError as error:
        raise _ragged(path, error) from None
    _require_unique_header(path, list(raw.iloc[0]))
    return pd.read_csv(path, nrows=0)


#: pandas' C parser on a row longer than the header.
_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _ragged(path: Path, error: pd.errors.ParserError) -> DataError:
    """One line naming the first row longer than the header (else pandas' own reason)."""
    found = _FIELDS.search(str(error))
    if found is None:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return DataError(f"{path}: cannot be read as CSV: {reason}")
    header, line, fields = found.groups()
    return DataError(
        f"{path}: line {line} has {fields} fields but the header names {header} columns "
        "(a trailing comma, or an unquoted comma inside a value?)"
    )


def read_parquet(path: Path) -> pd.DataFrame:
    """Read a Parquet file through pandas' pyarrow engine, then give Arrow's spare memory back.

    Raises DataError for a repeated column name (found in the file's schema, before reading).
    """
    import pyarrow.parquet

    _require_unique_header(path, pyarrow.parquet.read_schema(path).names)
    frame = pd.read_parquet(path, engine="pyarrow", **_PARQUET_OPTIONS)
    _release_arrow_memory()
    return frame


def _require_unique_header(path: Path, names: Sequence[object]) -> None:
    """Raise if the file names a column twice (pandas would rename or refuse it obscurely)."""
    seen: set[str] = set()
    for name in map(str, names):
        if name in seen:
            raise DataError(f"{path}: column {name!r} appears more than once in the header")
        seen.add(name)


def _release_arrow_memory() -> None:
    """Return the memory Arrow's allocator kept after reading Parquet to the operating system.

    Arrow's allocator otherwise holds on to the freed read buffers (measured: about 0.4x the
    table's size for a 1,000,000 x 100 float file) for the rest of the process. Besides reading
    the schema, this is the only use of pyarrow itself in :mod:`pipeline`; pandas already
    imported it to read the file.
    """
    import pyarrow

    pyarrow.default_memory_pool().release_unused()
