"""Reading a CSV or Parquet file block by block, for scoring: memory bounded by the block.

Every block is a DataFrame of at most ``rows`` rows with the file's columns (or the ``columns``
asked for) and a row index that runs on across blocks (the second block of 1,000 rows starts at
1000), so a message can name a row of the whole file. CSV cells read as missing as
:func:`pipeline.data.readers.read_frame` reads them (empty, pandas' markers, ``na_values``); each
block infers its own column types, except ``text`` columns, read as their exact text. A row
with more fields than the header is an error (pandas would take the first column as the index).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from pipeline.data.readers import CSV_SUFFIXES, PARQUET_SUFFIXES
from pipeline.errors import DataError


def header(path: Path) -> list[str]:
    """The file's column names, read without its rows; refuses a name given twice."""
    kind = _kind(path)
    try:
        if kind == "CSV":
            names = pd.read_csv(path, header=None, nrows=1, dtype="str", keep_default_na=False)
            columns = [str(name) for name in names.iloc[0]] if len(names) else []
        else:
            import pyarrow.parquet

            columns = [str(name) for name in pyarrow.parquet.read_schema(path).names]
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty") from None
    except (ValueError, OSError, pd.errors.ParserError) as error:
        raise DataError(f"{path}: cannot be read as {kind}: {_first_line(error)}") from None
    repeated = next((c for i, c in enumerate(columns) if c in columns[:i]), None)
    if repeated is not None:
        raise DataError(f"{path}: column {repeated!r} appears more than once in the header")
    return columns


def blocks(
    path: Path,
    rows: int,
    *,
    columns: Sequence[str],
    text: Sequence[str] = (),
    na_values: Sequence[str] = (),
) -> Iterator[pd.DataFrame]:
    """The file's ``columns`` in blocks of at most ``rows`` rows (see the module docstring)."""
    kind = _kind(path)
    try:
        if kind == "CSV":
            yield from _csv_blocks(path, rows, list(columns), list(text), list(na_values))
        else:
            yield from _parquet_blocks(path, rows, list(columns))
    except DataError:
        raise
    except (ValueError, OSError, pd.errors.ParserError) as error:
        raise DataError(f"{path}: cannot be read as {kind}: {_first_line(error)}") from None


def _csv_blocks(
    path: Path, rows: int, columns: list[str], text: list[str], na_values: list[str]
) -> Iterator[pd.DataFrame]:
    width = len(header(path))
    options = {"na_values": na_values} if na_values else {}
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            reader = pd.read_csv(  # all columns: with usecols, pandas ignores extra fields
                path,
                chunksize=rows,
                dtype=dict.fromkeys(text, "str"),
                index_col=False,
                low_memory=False,
                **options,
            )
            with reader:
                for block in reader:
                    yield block[columns]
        except pd.errors.ParserWarning:
            raise DataError(
                f"{path}: a row has more fields than the header's {width} columns"
            ) from None


def _parquet_blocks(path: Path, rows: int, columns: list[str]) -> Iterator[pd.DataFrame]:
    import pyarrow
    import pyarrow.parquet

    start = 0
    with pyarrow.parquet.ParquetFile(path) as parquet:
        for batch in parquet.iter_batches(batch_size=rows, columns=columns):
            frame = pyarrow.Table.from_batches([batch]).to_pandas()
            frame.index = pd.RangeIndex(start, start + len(frame))
            start += len(frame)
            yield frame


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        kind = "CSV"
    elif suffix in PARQUET_SUFFIXES:
        kind = "Parquet"
    else:
        known = ", ".join(CSV_SUFFIXES + PARQUET_SUFFIXES)
        raise DataError(f"{path}: unsupported file type {suffix!r}; use one of {known}")
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty")
    return kind


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
