"""Every bad input fails with one clear line naming the file and the column."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import load_file, load_generated, split_table
from pipeline.data.table import build_table
from pipeline.errors import DataError
from tests.pipeline.tables import gap_notices, mixed_frame, write


def fails(path: Path, *, target: str = "label", **options: object) -> str:
    """Load ``path`` expecting a DataError; return its message after checking it is one line."""
    with pytest.raises(DataError) as caught:
        load_file(path, target=target, **options)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert "file not found" in fails(tmp_path / "absent.csv")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    assert "not a file" in fails(tmp_path)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_empty_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    assert "empty" in fails(path)


def test_csv_with_a_header_but_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("x1,label\n")
    assert "no rows" in fails(path)


def test_unreadable_parquet(tmp_path: Path) -> None:
    path = tmp_path / "garbage.parquet"
    path.write_bytes(b"this is not parquet at all" * 10)
    assert "cannot be read as Parquet" in fails(path)


def test_unreadable_csv(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"x1,label\n\xff\xfe\xfa,1\n")
    assert "cannot be read as CSV" in fails(path)


def test_unsupported_file_type(tmp_path: Path) -> None:
    path = tmp_path / "table.xlsx"
    path.write_bytes(b"PK")
    assert "unsupported file type '.xlsx'" in fails(path)


def test_target_column_absent_lists_the_columns(tmp_path: Path) -> None:
    message = fails(write(mixed_frame(), tmp_path / "t.csv"), target="outcome")
    assert "'outcome' not found" in message and "x1, x2, colour, label" in message


def test_drop_column_absent(tmp_path: Path) -> None:
    message = fails(write(mixed_frame(), tmp_path / "t.csv"), drop_columns=["id"])
    assert "'id' not found" in message


def test_target_entirely_missing(tmp_path: Path) -> None:
    frame = mixed_frame().assign(label=np.nan)
    message = fails(write(frame, tmp_path / "t.csv"))
    assert "'label' is entirely missing" in message


def test_target_with_a_single_class(tmp_path: Path) -> None:
    frame = mixed_frame().assign(label="yes")
    message = fails(write(frame, tmp_path / "t.csv"))
    assert "'label' has a single class" in message


def test_regression_target_with_a_single_value(tmp_path: Path) -> None:
    frame = mixed_frame().assign(label=2.5)
    message = fails(write(frame, tmp_path / "t.csv"), task="regression")
    assert "'label' has a single value" in message


def test_regression_on_text_target(tmp_path: Path) -> None:
    message = fails(write(mixed_frame(), tmp_path / "t.csv"), task="regression")
    assert "'label' is not numeric" in message


def test_unknown_task(tmp_path: Path) -> None:
    message = fails(write(mixed_frame(), tmp_path / "t.csv"), task="ranking")
    assert "'label'" in message and "ranking" in message


def test_feature_column_entirely_missing(tmp_path: Path) -> None:
    frame = mixed_frame().assign(empty=np.nan)
    message = fails(write(frame, tmp_path / "t.csv"))
    assert "'empty' is entirely missing" in message and "drop_columns" in message


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_feature_values(tmp_path: Path, value: float) -> None:
    frame = mixed_frame()
    frame.loc[17, "x1"] = value
    message = fails(write(frame, tmp_path / "t.csv"))
    assert "'x1' has 1 infinite value(s) (first at row 17)" in message


def test_infinite_regression_target(tmp_path: Path) -> None:
    frame = mixed_frame().assign(label=lambda f: f["x1"] * 2)
    frame.loc[4, "label"] = np.inf
    message = fails(write(frame, tmp_path / "t.csv"), task="regression")
    assert "'label' has 1 infinite value(s)" in message


def test_unsupported_column_dtype(tmp_path: Path) -> None:
    frame = mixed_frame().assign(when=pd.Timestamp("2024-01-01"))
    message = fails(write(frame, tmp_path / "t.parquet"))
    assert "'when' has unsupported dtype" in message and "drop_columns" in message


# Identifier-like columns used to raise IdentifierColumnWarning; they are now notices on the
# table (pipeline returns findings as data; the sweep prints them).


def test_identifier_column_gets_a_notice_saying_how_to_drop_it(tmp_path: Path) -> None:
    frame = mixed_frame().assign(customer=lambda f: [f"c{i:04d}" for i in range(len(f))])
    path = write(frame, tmp_path / "customers.csv")
    table = load_file(path, target="label")
    *gaps, notice = table.notices
    assert tuple(gaps) == gap_notices(frame)
    assert notice.startswith("column 'customer': 120 distinct values in 120 rows, nearly one")
    assert "identifier or free text" in notice and "drop_columns=['customer']" in notice
    assert "groups all of them into one infrequent feature" in notice  # one row per level
    assert load_file(path, target="label", drop_columns=["customer"]).notices == gap_notices(frame)


def test_integer_identifier_column_gets_a_notice(tmp_path: Path) -> None:
    frame = mixed_frame().assign(row_id=lambda f: np.arange(len(f)))
    table = load_file(write(frame, tmp_path / "t.csv"), target="label")
    assert table.notices == (
        *gap_notices(frame),
        "column 'row_id': one distinct integer per row (120 rows): it looks like a row "
        "identifier; if it is, drop it with the drop_columns option (drop_columns=['row_id'])",
    )


def test_unique_float_columns_are_not_identifiers(tmp_path: Path) -> None:
    frame = mixed_frame()
    table = load_file(write(frame, tmp_path / "t.csv"), target="label")  # x1 all distinct
    assert table.notices == gap_notices(frame)  # x2 and colour have gaps; x1 no notice


def test_duplicate_column_names() -> None:
    frame = pd.DataFrame([[1.0, 2.0, "a"], [3.0, 4.0, "b"]], columns=["x", "x", "label"])
    with pytest.raises(DataError, match=r"^dup\.csv: column 'x' appears more than once$"):
        build_table(frame, target="label", task=None, name="dup.csv", fingerprint="")


def test_text_column_mixed_with_numbers() -> None:
    frame = mixed_frame().assign(code=lambda f: ["A7", 7] * (len(f) // 2))
    with pytest.raises(DataError) as caught:
        build_table(frame, target="label", task=None, name="mixed.csv", fingerprint="")
    message = str(caught.value)
    assert message.startswith("mixed.csv: column 'code' mixes text and other values")
    assert "'A7' and 7" in message and "drop_columns=['code']" in message


def test_duplicate_names_in_a_csv_header(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("a,a,label\n1,2,yes\n3,4,no\n")  # pandas would silently read a, a.1
    assert fails(path) == f"{path}: column 'a' appears more than once in the header"


def test_duplicate_names_in_a_parquet_schema(tmp_path: Path) -> None:
    path = tmp_path / "dup.parquet"
    arrays = [pa.array([1.0, 2.0]), pa.array([3.0, 4.0]), pa.array(["yes", "no"])]
    pq.write_table(pa.Table.from_arrays(arrays, names=["a", "a", "label"]), path)
    assert fails(path) == f"{path}: column 'a' appears more than once in the header"


@pytest.mark.parametrize("value", [1e308, -1e308, 3.5e38])
def test_feature_values_beyond_float32(tmp_path: Path, value: float) -> None:
    frame = mixed_frame()
    frame.loc[[17, 40], "x2"] = value
    message = fails(write(frame, tmp_path / "t.csv"))
    assert f"'x2' has 2 value(s) beyond the float32 range (±3.403e+38; first {value:.6g} at " in (
        message
    )
    assert "row 17" in message


def test_regression_target_beyond_float32(tmp_path: Path) -> None:
    frame = mixed_frame().assign(label=lambda f: f["x1"] * 2)
    frame.loc[4, "label"] = -1e300
    message = fails(write(frame, tmp_path / "t.csv"), task="regression")
    assert "target column 'label' has 1 value(s) beyond the float32 range" in message


@pytest.mark.parametrize(
    ("cells", "kind"),
    [([[1, 2], [3], []], "list"), ([{"a": 1}, {"a": 2}, {"a": 3}], "dict")],
)
def test_parquet_column_of_lists_or_dicts(tmp_path: Path, cells: list, kind: str) -> None:
    frame = mixed_frame(n=30)
    frame["tags"] = (cells * 10)[: len(frame)]
    message = fails(write(frame, tmp_path / "nested.parquet"))
    assert f"column 'tags' holds {kind} values, not one number or text per cell" in message
    assert "at row 0" in message and "drop_columns=['tags']" in message


def test_junk_tokens_refused_when_strict(tmp_path: Path) -> None:
    frame = mixed_frame().astype({"x2": object})
    frame.loc[[1, 5, 9], "x2"] = "?"
    frame.loc[11, "x2"] = "-"
    message = fails(write(frame, tmp_path / "t.csv"), on_junk="error")
    assert "column 'x2' holds 4 non-numeric value(s) among " in message
    assert "'?' (3), '-' (1)" in message and "na_values=['?', '-']" in message
    assert "columns={'x2': 'categorical'}" in message


def test_declared_numeric_column_with_text(tmp_path: Path) -> None:
    frame = mixed_frame()
    counts = frame["colour"].value_counts()
    message = fails(write(frame, tmp_path / "t.csv"), columns={"colour": "numeric"})
    assert f"column 'colour' is declared numeric but {counts.sum()} value(s) are not " in message
    listed = ", ".join(f"{level!r} ({n})" for level, n in counts.items())
    assert f"numbers: {listed}; declare them missing with na_values" in message


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        ({"colour": "text"}, "column 'colour' has unknown role 'text'; use one of numeric, cat"),
        ({"zip": "categorical"}, "column 'zip' given a role is not found; the columns are: x1"),
        ({"label": "numeric"}, "column 'label' is the target; set the task instead"),
    ],
)
def test_roles_that_cannot_work(tmp_path: Path, columns: dict, expected: str) -> None:
    assert expected in fails(write(mixed_frame(), tmp_path / "t.csv"), columns=columns)


def test_role_contradicting_drop_columns(tmp_path: Path) -> None:
    path = write(mixed_frame(), tmp_path / "t.csv")
    message = fails(path, drop_columns=["x1"], columns={"x1": "numeric"})
    assert "column 'x1' is in drop_columns but declared numeric" in message


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"on_junk": "ignore"}, "on_junk must be one of coerce, error, got 'ignore'"),
        ({"max_levels": 1}, "max_levels must be an integer of at least 2"),
        ({"max_levels": 2.5}, "max_levels must be an integer of at least 2"),
        ({"min_level_rows": 0}, "min_level_rows must be an integer of at least 1, got 0"),
    ],
)
def test_typing_options_that_cannot_work(tmp_path: Path, options: dict, expected: str) -> None:
    assert expected in fails(write(mixed_frame(), tmp_path / "t.csv"), **options)


def test_generator_arguments_that_cannot_work() -> None:
    with pytest.raises(DataError, match=re.escape("make_classification: ")):
        load_generated("classification", n_samples=50, n_features=3, n_informative=5)


# Split errors name the table and the target column the split stratifies on.


def split_fails(path: Path, **options: object) -> str:
    """Split the table at ``path`` expecting a DataError; return its one-line message."""
    table = load_file(path, target="label")
    with pytest.raises(DataError) as caught:
        split_table(table, **options)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and "'label'" in message
    return message


@pytest.mark.parametrize(
    ("validation", "test"),
    [(0.0, 0.2), (0.2, 0.0), (1.0, 0.1), (-0.1, 0.2), (0.2, 1.5), (0.5, 0.5), (0.7, 0.4)],
)
def test_split_fractions_out_of_range(tmp_path: Path, validation: float, test: float) -> None:
    message = split_fails(
        write(mixed_frame(), tmp_path / "t.csv"), validation=validation, test=test
    )
    assert f"validation={validation} and test={test}" in message and "(0, 1)" in message


def test_too_few_rows_for_the_splits(tmp_path: Path) -> None:
    frame = mixed_frame(n=40).head(6)
    frame["label"] = ["yes", "no"] * 3
    message = split_fails(write(frame, tmp_path / "small.csv"), validation=0.05, test=0.05)
    assert "6 rows are too few" in message and "each needs at least 1" in message


def test_more_classes_than_rows_in_a_split(tmp_path: Path) -> None:
    frame = mixed_frame(n=50).assign(label=[f"k{i % 10}" for i in range(50)])
    message = split_fails(write(frame, tmp_path / "many.csv"), validation=0.1, test=0.1)
    assert "50 rows are too few" in message and "1 row per class (10 classes)" in message


def test_a_class_too_small_to_stratify(tmp_path: Path) -> None:
    frame = mixed_frame()
    frame["label"] = "yes"
    frame.loc[[0, 1, 2, 3], "label"] = "no"
    frame.loc[[50, 60], "label"] = "maybe"
    message = split_fails(write(frame, tmp_path / "rare.csv"))
    assert "class 'maybe' has 2 row(s)" in message and "at least 3" in message


# Files that are not the table they claim to be: each is one DataError line naming the file.

BROKEN_FILES: list[tuple[str, str, bytes, dict[str, object], str]] = [
    ("semicolons", "t.csv", b"x;label\n1;a\n2;b\n", {}, "target column 'label' not found; the "
     "columns are: x;label"),
    ("open-quote", "t.csv", b'x,label\n"1,a\n2,b\n', {}, "cannot be read as CSV: Error tokenizing"),
    ("utf-16", "t.csv", "x,label\n1,a\n".encode("utf-16"), {}, "cannot be read as CSV: 'utf-8'"),
    ("gzipped", "t.csv", gzip.compress(b"x,label\n1,a\n2,b\n"), {}, "cannot be read as CSV"),
    ("only-target", "t.csv", b"label\na\nb\na\n", {}, "no feature columns left besides the target"),
    ("target-dropped", "t.csv", b"x,label\n1,a\n2,b\n", {"drop_columns": ["label"]},
     "target column 'label' is also listed in drop_columns"),
    ("all-dropped", "t.csv", b"x,label\n1,a\n2,b\n", {"drop_columns": ["x"]},
     "no feature columns left besides the target"),
    ("tsv", "t.tsv", b"x\tlabel\n1\ta\n", {}, "unsupported file type '.tsv'; use one of .csv"),
    ("no-suffix", "table", b"x,label\n1,a\n", {}, "unsupported file type ''"),
    ("one-row", "t.csv", b"x,label\n1,a\n", {}, "target column 'label' has a single class ('a')"),
    ("overflow-text", "t.csv", b"x,label\n1e400,a\n2,b\n3,a\n", {},
     "column 'x' has 1 infinite value(s) (first at row 0)"),
    ("header-only-columns", "t.csv", b"x,y,label\n", {}, "has no rows"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "data", "options", "expected"),
    [case[1:] for case in BROKEN_FILES],
    ids=[case[0] for case in BROKEN_FILES],
)
def test_broken_files(
    tmp_path: Path, name: str, data: bytes, options: dict[str, object], expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert expected in fails(path, **options)


def test_a_fifo_is_not_a_file(tmp_path: Path) -> None:
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    assert fails(path) == f"{path}: not a file"  # never opened: reading would block


def test_a_symlink_loop_is_not_found(tmp_path: Path) -> None:
    path = tmp_path / "loop.csv"
    path.symlink_to(path)
    assert fails(path) == f"{path}: file not found"


def test_a_parquet_file_with_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    pd.DataFrame({"x": pd.Series([], dtype=float), "label": pd.Series([], dtype=str)}).to_parquet(
        path
    )
    assert fails(path) == f"{path}: the table has no rows (columns: x, label)"
