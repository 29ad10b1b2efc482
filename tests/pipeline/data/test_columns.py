"""Column typing at load time: junk tokens, declared missing values, declared roles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import load_file, prepare, split_table
from pipeline.data import readers
from pipeline.data.columns import MAX_JUNK_TOKENS, MAX_TOKEN_LENGTH
from pipeline.data.table import build_table
from tests.pipeline.tables import gap_notices, mixed_frame, write


def horsepower_frame(n: int = 200, junk: dict[int, str] | None = None) -> pd.DataFrame:
    """``mixed_frame`` with an integer ``horsepower`` column, text at the rows of ``junk``."""
    frame = mixed_frame(n=n)
    frame["horsepower"] = (np.arange(n) % 150 + 50).astype(object)
    for row, token in (junk or {}).items():
        frame.loc[row, "horsepower"] = token
    return frame


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_few_junk_tokens_in_a_numeric_column_are_read_as_missing(
    tmp_path: Path, suffix: str
) -> None:
    frame = horsepower_frame(junk=dict.fromkeys([3, 30, 60, 90, 120, 150], "?"))
    if suffix == ".parquet":
        frame["horsepower"] = frame["horsepower"].astype(str)  # a text column, as from a CSV
    table = load_file(write(frame, tmp_path / f"auto{suffix}"), target="label")
    horsepower = table.X["horsepower"]
    assert horsepower.dtype == np.float64
    assert horsepower.isna().sum() == 6 and horsepower[3:30].isna().sum() == 1
    assert horsepower[4] == 54.0
    assert table.notices == (
        "column 'horsepower': 6 values '?' read as missing",
        *gap_notices(frame, horsepower=6),
    )
    assert table.roles.numeric == ("x1", "x2", "horsepower")


def test_the_junked_column_is_one_feature_not_one_per_level(tmp_path: Path) -> None:
    frame = horsepower_frame(junk={3: "?"})
    table = load_file(write(frame, tmp_path / "auto.csv"), target="label")
    data = prepare(table, split_table(table))
    assert data.n_features == 2 + 1 + 3  # x1, x2, horsepower, three colours


def test_several_tokens_are_counted_most_frequent_first(tmp_path: Path) -> None:
    junk = {1: "?", 2: "-", 5: "?", 7: "n.a.", 9: "-", 11: "?"}
    frame = horsepower_frame(junk=junk)
    table = load_file(write(frame, tmp_path / "t.csv"), target="label")
    assert table.notices == (
        "column 'horsepower': 6 values '?' (3), '-' (2), 'n.a.' (1) read as missing",
        *gap_notices(frame, horsepower=6),
    )


def test_junk_in_a_later_csv_block_is_reconciled_and_read_as_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "_CSV_BLOCK_BYTES", 1)  # blocks of 1,000 rows
    frame = horsepower_frame(n=2_500, junk={2_100: "?", 2_400: "?"})
    table = load_file(write(frame, tmp_path / "blocks.csv"), target="label")
    assert table.X["horsepower"].dtype == np.float64
    assert table.X["horsepower"].isna().sum() == 2
    assert table.notices == (
        "column 'horsepower': 2 values '?' read as missing",
        *gap_notices(frame, horsepower=2),
    )


@pytest.mark.parametrize(
    ("junk", "why"),
    [
        ({row: "?" for row in range(0, 200, 9)}, "23 of 200 values are not numbers: over 10%"),
        ({row: f"t{row}" for row in range(MAX_JUNK_TOKENS + 1)}, "too many distinct tokens"),
        ({4: "x" * (MAX_TOKEN_LENGTH + 1)}, "a token too long to be a missing marker"),
    ],
)
def test_columns_missing_the_junk_rule_stay_text_with_a_notice(
    tmp_path: Path, junk: dict[int, str], why: str
) -> None:
    table = load_file(write(horsepower_frame(junk=junk), tmp_path / "t.csv"), target="label")
    assert table.X["horsepower"].dtype == "str", why
    (notice, *_) = table.notices
    n_junk = len(junk)
    assert notice.startswith(
        f"column 'horsepower': kept as text although {200 - n_junk} of its 200 values are "
        f"numbers; the others are "
    )
    assert notice.endswith("if they mark missing values, declare them with na_values")


def test_declared_na_values_make_such_a_column_numeric_without_a_notice(tmp_path: Path) -> None:
    frame = horsepower_frame(junk={row: "?" for row in range(0, 200, 9)})
    path = write(frame, tmp_path / "t.csv")
    table = load_file(path, target="label", na_values=["?"])
    assert table.X["horsepower"].dtype == np.float64
    assert table.X["horsepower"].isna().sum() == 23
    assert table.notices == gap_notices(frame, horsepower=23)  # declared: no junk notice
    load_file(path, target="label", na_values=["?"], on_junk="error")  # nothing left to refuse


def test_na_values_apply_to_parquet_text_and_number_sentinels(tmp_path: Path) -> None:
    frame = mixed_frame(n=60).assign(code=np.arange(60) % 5)
    frame.loc[[2, 4], "colour"] = "?"
    frame.loc[[1, 3, 8], "code"] = -999
    for suffix in (".csv", ".parquet"):
        path = write(frame, tmp_path / f"t{suffix}")
        table = load_file(path, target="label", na_values=["?", "-999"])
        assert table.X["colour"].isna().sum() == frame["colour"].isna().sum() + 2, suffix
        assert set(table.X["colour"].dropna()) == {"red", "green", "blue"}, suffix
        assert table.X["code"].isna().sum() == 3, suffix


def test_a_parquet_text_column_of_numbers_and_declared_tokens_is_numeric(tmp_path: Path) -> None:
    frame = horsepower_frame(junk={row: "?" for row in range(0, 200, 4)})  # 25%: not junk
    frame["horsepower"] = frame["horsepower"].astype(str)
    table = load_file(write(frame, tmp_path / "t.parquet"), target="label", na_values=["?"])
    assert table.X["horsepower"].dtype == np.float64 and table.X["horsepower"].isna().sum() == 50
    assert table.notices == gap_notices(frame, horsepower=50)  # declared: no junk notice


def test_a_parquet_text_column_of_numbers_only_stays_text(tmp_path: Path) -> None:
    frame = mixed_frame(n=60).assign(zip=[f"{i % 7:05d}" for i in range(60)])
    table = load_file(write(frame, tmp_path / "zips.parquet"), target="label")
    assert table.X["zip"].iloc[1] == "00001" and table.roles.categorical == ("colour", "zip")


def test_junk_in_the_target_drops_those_rows_with_notices(tmp_path: Path) -> None:
    frame = mixed_frame(n=200).assign(mpg=lambda f: (f["x1"] * 3 + 20).round(1).astype(object))
    frame.loc[[7, 70], "mpg"] = "?"
    table = load_file(write(frame.drop(columns="label"), tmp_path / "t.csv"), target="mpg")
    assert table.task == "regression" and len(table) == 198 and table.dropped_rows == 2
    kept = frame.drop(index=[7, 70])
    assert table.notices == (
        "target column 'mpg': 2 values '?' read as missing",
        *gap_notices(kept),
        "target column 'mpg': 2 of 200 rows (1.0%) without a value dropped",
    )


def test_declared_categorical_integers_are_one_hot_encoded_exactly(tmp_path: Path) -> None:
    zips = np.array([90210, 10001, 123456789, 123456788])  # the last two differ in float32
    frame = mixed_frame(n=200).assign(zip=zips[np.arange(200) % 4])
    table = load_file(
        write(frame, tmp_path / "t.csv"), target="label", columns={"zip": "categorical"}
    )
    assert table.X["zip"].dtype == np.int64  # raw values kept, for raw-row prediction
    assert table.roles.categorical == ("colour", "zip") and table.roles.levels == (3, 4)
    data = prepare(table, split_table(table))
    assert [n for n in data.feature_names if n.startswith("categorical__zip")] == [
        f"categorical__zip_{z}" for z in sorted(zips)
    ]


def test_declared_numeric_text_column_becomes_float(tmp_path: Path) -> None:
    frame = mixed_frame(n=60).assign(grade=[f"{i % 9}" for i in range(60)])
    frame.loc[5, "grade"] = "K"
    path = write(frame, tmp_path / "t.parquet")
    table = load_file(path, target="label", columns={"grade": "numeric"}, na_values=["K"])
    assert table.X["grade"].dtype == np.float64 and table.X["grade"].isna().sum() == 1


def test_declared_drop_removes_the_column(tmp_path: Path) -> None:
    path = write(mixed_frame(), tmp_path / "t.csv")
    table = load_file(path, target="label", columns={"x2": "drop"}, drop_columns=["colour"])
    assert list(table.X.columns) == ["x1"] and table.roles.dropped == ("colour", "x2")


def test_categorical_role_keeps_junk_as_levels(tmp_path: Path) -> None:
    frame = horsepower_frame(junk={3: "?"})
    path = write(frame, tmp_path / "t.csv")
    table = load_file(path, target="label", columns={"horsepower": "categorical"})
    *gaps, levels = table.notices
    assert tuple(gaps) == gap_notices(frame)  # '?' is a level, not a missing value
    assert table.X["horsepower"].iloc[3] == "?" and levels.startswith(
        "column 'horsepower': 151 levels; one-hot encoding groups all of them into one"
    )


def test_typing_is_a_pure_function_of_the_file_and_options(tmp_path: Path) -> None:
    frame = horsepower_frame(junk={3: "?", 4: "-"})
    path = write(frame, tmp_path / "t.csv")
    first, again = (load_file(path, target="label", na_values=["-"]) for _ in range(2))
    pd.testing.assert_frame_equal(first.X, again.X)
    assert (
        first.notices
        == again.notices
        == (
            "column 'horsepower': 1 value '?' read as missing",
            *gap_notices(frame, horsepower=2),
        )
    )
    assert first.fingerprint == again.fingerprint


@pytest.mark.parametrize(("n_junk", "numeric"), [(3, True), (4, False)])
def test_the_junk_share_boundary_is_exactly_ninety_percent(n_junk: int, numeric: bool) -> None:
    frame = mixed_frame(n=30).assign(v=[str(i) for i in range(30)])
    frame.loc[: n_junk - 1, "v"] = "?"  # 27 numbers of 30 values is 90%; 26 is not
    table = build_table(frame, target="label", task=None, name="m", fingerprint="")
    assert (table.X["v"].dtype == np.float64) is numeric


def test_one_string_is_one_missing_token_and_numbers_count_as_text(tmp_path: Path) -> None:
    frame = horsepower_frame(junk={row: "n.a." for row in range(0, 200, 4)})
    frame.loc[1, "horsepower"] = -1
    path = write(frame, tmp_path / "t.csv")
    table = load_file(path, target="label", na_values="n.a.")
    assert table.X["horsepower"].isna().sum() == 50
    assert table.notices == gap_notices(frame, horsepower=50)
    table = load_file(path, target="label", na_values=["n.a.", -1])  # type: ignore[list-item]
    assert table.X["horsepower"].isna().sum() == 51
