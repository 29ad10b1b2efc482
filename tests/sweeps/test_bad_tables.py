"""The bad-table battery at the command line: `sweeps run` on a sweep whose table cannot be
used exits 2 with one line naming the table's file and the column, prints no traceback and
writes nothing (the data is loaded, split and preprocessed before any store is opened)."""

from __future__ import annotations

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
