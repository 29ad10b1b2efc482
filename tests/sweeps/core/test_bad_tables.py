"""The bad-table battery at the command line: `sweeps run` on a sweep whose table cannot be
used exits 2 with one line naming the table's file and the column, prints no traceback and
writes nothing (the data is loaded, split and preprocessed before any store is opened)."""

from __future__ import annotations

import datetime
import decimal
import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.pipeline.tables import mixed_frame
from tests.sweeps.battery import assert_one_line, edited, run_bad, tiny_mapping


def _frame(**columns: Any) -> Callable[[Path], None]:
    """A writer of :func:`mixed_frame` with ``columns`` replaced, as CSV or Parquet."""

    def write(path: Path) -> None:
        frame = mixed_frame().assign(**columns)
        if path.suffix == ".csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)

    return write


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data) and None


def _infinite(path: Path) -> None:
    frame = mixed_frame()
    frame.loc[17, "x1"] = np.inf
    frame.to_csv(path, index=False)


def _junk(path: Path) -> None:
    frame = mixed_frame().astype({"x2": object})
    frame.loc[[1, 5, 9], "x2"] = "?"
    frame.to_csv(path, index=False)


def _rare_class(path: Path) -> None:
    frame = mixed_frame()
    frame["label"] = "yes"
    frame.loc[[0, 1, 2, 3], "label"] = "no"
    frame.loc[[50, 60], "label"] = "maybe"
    frame.to_csv(path, index=False)


def _csv_text(edit: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    """A writer of :func:`mixed_frame` as CSV text, its lines (header first) edited."""

    def write(path: Path) -> None:
        lines = mixed_frame().to_csv(index=False).splitlines()
        path.write_text("\n".join(edit(lines)) + "\n")

    return write


def _longer(*rows: int, extra: str = ",7") -> Callable[[list[str]], list[str]]:
    """Lines ``rows`` (1 is the first data row; none: every one) get one more field."""

    def edit(lines: list[str]) -> list[str]:
        chosen = rows or range(1, len(lines))
        return [line + extra if i in chosen else line for i, line in enumerate(lines)]

    return edit


def _shorter_then_longer(lines: list[str]) -> list[str]:
    lines[3] = lines[3].rsplit(",", 1)[0]
    lines[9] += ",1,2"
    return lines


def _labels(*values: Any) -> Callable[[Path], None]:
    """:func:`mixed_frame` with its labels cycling through ``values``."""
    return _frame(label=[values[i % len(values)] for i in range(len(mixed_frame()))])


def _one_label(value: Any) -> Callable[[Path], None]:
    """Labels 0 and 1 (or numbers, for a regression), one of them (row 30) ``value``."""
    labels: list[Any] = [float(i % 2) for i in range(len(mixed_frame()))]
    labels[30] = value
    return _frame(label=labels)


def _value(column: str, row: int, value: Any) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        frame = mixed_frame()
        frame.loc[row, column] = value
        frame.to_csv(path, index=False)

    return write


def _numeric_target(values: Any) -> Callable[[Path], None]:
    return _frame(label=values)


def _parquet_column(**columns: Any) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        frame = mixed_frame()
        table = pa.Table.from_pandas(frame, preserve_index=False)
        for name, array in columns.items():
            table = table.append_column(name, array(len(frame)))
        pq.write_table(table, path)

    return write


def _rows(n: int) -> Callable[[Path], None]:
    return lambda path: mixed_frame().head(n).to_csv(path, index=False)


def _encoded(encoding: str) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(mixed_frame().to_csv(index=False).encode(encoding))


LONGER = "fields but the header names 4 columns (a trailing comma, or an unquoted comma inside"
FRACTIONS = "that are not whole numbers (e.g. {}), so they cannot be class labels: set task to"
CLASSES = {"task": "classification"}
REGRESS = {"task": "regression"}
#: (id, file name, how it is written, data options, what the line says after "FILE: ").
TABLES: list[tuple[str, str, Callable[[Path], None] | None, dict[str, Any], str]] = [
    ("missing", "absent.csv", None, {}, "file not found"),
    ("empty", "t.csv", _bytes(b""), {}, "the file is empty"),
    ("header-only", "t.csv", _bytes(b"x1,label\n"), {}, "the table has no rows"),
    ("garbage-parquet", "t.parquet", _bytes(b"not parquet" * 10), {}, "cannot be read as Parq"),
    ("binary-csv", "t.csv", _bytes(b"x1,label\n\xff\xfe,1\n"), {}, "cannot be read as CSV"),
    ("gzipped", "t.csv", _bytes(gzip.compress(b"x,label\n1,a\n")), {}, "cannot be read as CSV"),
    ("xlsx", "t.xlsx", _bytes(b"PK"), {}, "unsupported file type '.xlsx'"),
    ("semicolons", "t.csv", _bytes(b"x;label\n1;a\n2;b\n"), {}, "target column 'label' not fou"),
    ("no-target", "t.csv", _frame(), {"target": "outcome"}, "target column 'outcome' not found"),
    ("drop-absent", "t.csv", _frame(), {"drop_columns": ["id"]}, "column to drop 'id' not found"),
    ("target-missing", "t.csv", _frame(label=np.nan), {}, "target column 'label' is entirely"),
    ("one-class", "t.csv", _frame(label="yes"), {}, "target column 'label' has a single class"),
    ("empty-column", "t.csv", _frame(empty=np.nan), {}, "column 'empty' is entirely missing"),
    ("infinite", "t.csv", _infinite, {}, "column 'x1' has 1 infinite value(s) (first at row 17)"),
    ("dup-header", "t.csv", _bytes(b"a,a,label\n1,2,y\n3,4,n\n"), {}, "column 'a' appears more"),
    ("junk-strict", "t.csv", _junk, {"on_junk": "error"}, "column 'x2' holds 3 non-numeric val"),
    ("declared-numeric", "t.csv", _frame(), {"columns": {"colour": "numeric"}}, "column 'colour'"),
    ("role-absent", "t.csv", _frame(), {"columns": {"zip": "numeric"}}, "column 'zip' given a r"),
    ("role-target", "t.csv", _frame(), {"columns": {"label": "drop"}}, "column 'label' is the ta"),
    ("text-regression", "t.csv", _frame(), {"task": "regression"}, "target column 'label' is n"),
    ("when", "t.parquet", _frame(when=pd.Timestamp("2024-01-01")), {}, "column 'when' has unsupp"),
    ("rare-class", "t.csv", _rare_class, {}, "target column 'label': class 'maybe' has 2 row(s)"),
    # rows longer than the header: pandas would shift every column onto its neighbour's values
    ("comma-every-row", "t.csv", _csv_text(_longer(extra=",")), {}, f"line 2 has 5 {LONGER}"),
    ("field-every-row", "t.csv", _csv_text(_longer()), {}, f"line 2 has 5 {LONGER}"),
    ("extra-first-row", "t.csv", _csv_text(_longer(1)), {}, f"line 2 has 5 {LONGER}"),
    ("extra-later-row", "t.csv", _csv_text(_longer(50)), {}, f"line 51 has 5 {LONGER}"),
    ("two-extra", "t.csv", _csv_text(_longer(7, extra=",1,2")), {}, f"line 8 has 6 {LONGER}"),
    ("ragged", "t.csv", _csv_text(_shorter_then_longer), {}, f"line 10 has 6 {LONGER}"),
    (
        "unquoted-comma",
        "t.csv",
        _bytes(b"x1,label\n1.5,yes\n2.5,no, really\n"),
        {},
        "line 3 has 3 fields but the header names 2 columns",
    ),
    (
        "unclosed-quote",
        "t.csv",
        _bytes(b'x1,label\n1.5,"yes\n2.5,no\n'),
        {},
        "cannot be read as CSV: Error tokenizing data. C error: EOF inside string",
    ),
    # class labels that are measurements
    (
        "float-labels",
        "t.csv",
        _labels(0.5, 1.5),
        CLASSES,
        f"target column 'label' holds 120 value(s) {FRACTIONS.format(0.5)}",
    ),
    (
        "one-float-label",
        "t.csv",
        _one_label(0.25),
        CLASSES,
        f"target column 'label' holds 1 value(s) {FRACTIONS.format(0.25)}",
    ),
    (
        "infinite-label",
        "t.csv",
        _one_label(np.inf),
        CLASSES,
        f"target column 'label' holds 1 value(s) {FRACTIONS.format('inf')}",
    ),
    (
        "float-labels-parquet",
        "t.parquet",
        _labels(0.1, 0.2, 0.3),
        CLASSES,
        "target column 'label' holds 120 value(s) that are not whole",
    ),
    # targets that cannot be learned
    (
        "constant-regression",
        "t.csv",
        _numeric_target(3.5),
        REGRESS,
        "target column 'label' has a single value (3.5)",
    ),
    (
        "bool-regression",
        "t.parquet",
        _labels(True, False),
        REGRESS,
        "target column 'label' is not numeric (bool)",
    ),
    (
        "infinite-target",
        "t.csv",
        _one_label(-np.inf),
        REGRESS,
        "target column 'label' has 1 infinite value(s) (first at row 30)",
    ),
    (
        "huge-target",
        "t.csv",
        _one_label(1e300),
        REGRESS,
        "target column 'label' has 1 value(s) beyond the float32 range",
    ),
    (
        "target-dropped",
        "t.csv",
        _frame(),
        {"drop_columns": ["label"]},
        "target column 'label' is also listed in drop_columns",
    ),
    (
        "target-all-na",
        "t.csv",
        _frame(),
        {"na_values": ["yes", "no"]},
        "target column 'label' is entirely missing (120 rows)",
    ),
    (
        "one-class-left",
        "t.csv",
        _frame(),
        {"na_values": ["no"]},
        "target column 'label' has a single class ('yes')",
    ),
    (
        "junk-target",
        "t.csv",
        _one_label("oops"),
        {**REGRESS, "on_junk": "error"},
        "target column 'label' holds",
    ),
    (
        "text-target-regression",
        "t.csv",
        _labels("1.5", "2.5", "n/a?"),
        REGRESS,
        "target column 'label' is n",
    ),
    # features that cannot be used
    (
        "huge-feature",
        "t.csv",
        _value("x2", 4, 1e300),
        {},
        "column 'x2' has 1 value(s) beyond the float32 range",
    ),
    (
        "minus-infinite",
        "t.csv",
        _value("x1", 9, -np.inf),
        {},
        "column 'x1' has 1 infinite value(s) (first at row 9)",
    ),
    (
        "feature-all-na",
        "t.csv",
        _frame(),
        {"na_values": ["red", "green", "blue"]},
        "column 'colour' is entirely missing",
    ),
    (
        "no-features",
        "t.csv",
        _frame(),
        {"drop_columns": ["x1", "x2", "colour"]},
        "no feature columns left besides the target",
    ),
    (
        "all-roles-drop",
        "t.csv",
        _frame(),
        {"columns": {"x1": "drop", "x2": "drop", "colour": "drop"}},
        "no feature columns left besides the target",
    ),
    (
        "role-and-drop",
        "t.csv",
        _frame(),
        {"drop_columns": ["x1"], "columns": {"x1": "numeric"}},
        "column 'x1' is in drop_columns but declared numeric",
    ),
    (
        "list-column",
        "t.parquet",
        _parquet_column(tags=lambda n: __import__("pyarrow").array([[1, 2]] * n)),
        {},
        "column 'tags' holds list values",
    ),
    (
        "struct-column",
        "t.parquet",
        _parquet_column(meta=lambda n: __import__("pyarrow").array([{"a": 1}] * n)),
        {},
        "column 'meta' holds dict values",
    ),
    (
        "duration",
        "t.parquet",
        _frame(wait=pd.Timedelta(seconds=3)),
        {},
        "column 'wait' has unsupported dtype",
    ),
    ("time-of-day", "t.parquet", _frame(at=datetime.time(12, 30)), {}, "column 'at' holds time v"),
    (
        "decimals",
        "t.parquet",
        _frame(price=decimal.Decimal("9.99")),
        {},
        "column 'price' holds Dec",
    ),
    ("bytes", "t.parquet", _frame(blob=b"\x00\x01"), {}, "column 'blob' holds bytes values"),
    ("dates", "t.parquet", _frame(day=datetime.date(2024, 1, 2)), {}, "column 'day' holds date v"),
    # files that are not tables
    ("folder", "t.csv", lambda path: path.mkdir(), {}, "not a file"),
    ("utf16", "t.csv", _encoded("utf-16"), {}, "cannot be read as CSV"),
    ("json-suffix", "t.json", _bytes(b"[]"), {}, "unsupported file type '.json'"),
    ("tsv-suffix", "t.tsv", _bytes(b"x\tlabel\n"), {}, "unsupported file type '.tsv'"),
    ("blank-lines", "t.csv", _bytes(b"\n\n\n"), {}, "the file is empty"),
    ("too-few-rows", "t.csv", _rows(4), {}, "target column 'label': 4 rows are too few"),
]


@pytest.mark.parametrize(
    ("name", "write", "options", "expected"),
    [case[1:] for case in TABLES],
    ids=[case[0] for case in TABLES],
)
def test_a_bad_table_is_one_line_and_writes_nothing(
    name: str,
    write: Callable[[Path], None] | None,
    options: dict[str, Any],
    expected: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    table = tmp_path / name
    if write is not None:
        write(table)
    data = {"source": "file", "path": str(table), "target": "label", **options}
    config = tmp_path / "bad.yaml"
    config.write_text(yaml.safe_dump(edited(tiny_mapping(tmp_path), {"data": data})))
    assert_one_line(run_bad(tmp_path, capsys, str(config)), f"{table}: {expected}")
