"""The table description a sweep prints and logs: task and its rule, roles, input features."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import (
    TableDescription,
    feature_count,
    load_builtin,
    load_file,
    load_generated,
    prepare,
    split_table,
)
from pipeline.data.describe import WIDTH, describe_table, listed
from pipeline.data.tasks import decide_task
from tests.pipeline.tables import mixed_frame, write


def test_classification_description_counts_classes_and_says_the_task_was_inferred(
    tmp_path: Path,
) -> None:
    frame = mixed_frame().assign(row_id=lambda f: np.arange(len(f)))
    path = write(frame, tmp_path / "t.csv")
    table = load_file(path, target="label", drop_columns=["x2"], columns={"row_id": "drop"})
    described = describe_table(table)
    counts = frame["label"].value_counts()
    assert isinstance(described, TableDescription)
    assert described.task == "classification"
    assert described.task_rule == "inferred: text or categorical target"
    assert described.classes == tuple((label, int(n)) for label, n in counts.items())
    assert described.target_mean is None and described.target_std is None
    assert described.numeric == ("x1",) and described.categorical == (("colour", 3),)
    assert described.dropped_columns == ("x2", "row_id") and described.input_features is None
    assert described.lines() == [
        f"data: {path}: 120 rows",
        "task: classification",
        "  inferred from: text or categorical target",
        "target: 'label': 2 classes: "
        + ", ".join(f"{label!r}: {n} rows" for label, n in counts.items()),
        "columns: 1 numeric, 1 categorical, 2 dropped",
        "  numeric: x1",
        "  categorical: colour (3 levels)",
        "  dropped: x2, row_id",
        # x2 is dropped: only colour's missing values are said
        "notice: column 'colour': 11 of 120 values missing (9.2%), filled with the training "
        "rows' most frequent level",
    ]


def test_regression_description_gives_mean_and_spread_and_that_the_task_was_given() -> None:
    table = load_generated("regression", n_samples=300, n_features=3, noise=1.0)
    described = describe_table(table)
    assert described.task == "regression" and described.task_rule == "given"
    assert described.classes == ()
    assert described.target_mean == pytest.approx(float(table.y.mean()))
    assert described.target_std == pytest.approx(float(table.y.std(ddof=0)))
    assert described.lines()[1:3] == [
        "task: regression (given)",
        f"target: 'target': mean {table.y.mean():.4g}, std {table.y.std(ddof=0):.4g}",
    ]


def test_row_counts_are_written_with_thousands_separators_like_the_notices() -> None:
    table = load_generated("regression", n_samples=12_345, n_features=2, noise=1.0)
    assert describe_table(table).lines()[0].endswith(": 12,345 rows")


def test_fitted_preprocessor_adds_the_input_feature_count() -> None:
    table = load_builtin("wine")
    data = prepare(table, split_table(table))
    described = describe_table(table, data.preprocessor)
    assert described.input_features == feature_count(data.preprocessor) == 13 == data.n_features
    assert "input features: 13 (fitted on the training rows)" in described.lines()
    assert described.task_rule.startswith("inferred: integer target with 3 distinct values")


def test_grouped_levels_and_notices_are_listed_last(tmp_path: Path) -> None:
    frame = mixed_frame(n=200)
    frame.loc[[0, 1], "colour"] = "mauve"
    table = load_file(write(frame, tmp_path / "t.csv"), target="label")
    data = prepare(table, split_table(table, seed=0))
    lines = describe_table(table, data.preprocessor).lines()
    seen = table.X["colour"].iloc[split_table(table, seed=0).train].nunique()
    assert lines[-4] == (
        f"encoded: 'colour': {seen} levels in the training rows, 3 kept, "
        f"{seen - 3} grouped as one feature"
    )
    assert lines[-3:] == [f"notice: {notice}" for notice in table.notices]
    assert table.notices[-1].startswith("column 'colour': 4 levels; ")


def test_description_is_json_ready() -> None:
    table = load_builtin("iris")
    data = prepare(table, split_table(table))
    as_dict = describe_table(table, data.preprocessor).to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict["classes"] == [[0, 50], [1, 50], [2, 50]]
    assert as_dict["input_features"] == 4 and as_dict["max_levels"] == 50


def test_long_lists_are_cut_to_the_line_width() -> None:
    lines = describe_table(load_builtin("digits")).lines()
    assert lines[4] == "columns: 64 numeric, 0 categorical"
    numeric = lines[5]
    assert numeric.startswith("  numeric: pixel_0_0, pixel_0_1, ")
    shown = numeric.removeprefix("  numeric: ").split(", ")
    assert shown[-1] == f"and {64 - len(shown[:-1])} more"
    assert shown[:-1] == [f"pixel_{i // 8}_{i % 8}" for i in range(len(shown) - 1)]
    assert 90 < len(numeric) <= WIDTH  # as many as fit
    assert max(len(line) for line in lines if not line.startswith("notice: ")) <= WIDTH
    constant = [
        f"pixel_{i // 8}_{i % 8}"
        for i in range(64)
        if load_builtin("digits").X.iloc[:, i].nunique() == 1
    ]
    assert constant and [line for line in lines if line.startswith("notice: ")] == [
        f"notice: column {name!r}: one value (0) in every row: a constant input that cannot help "
        f"the model; drop it (drop_columns=[{name!r}])"
        for name in constant
    ]


@pytest.mark.parametrize(
    ("items", "room", "expected"),
    [
        (["a", "b", "c"], 100, "a, b, c"),
        (["aaaa", "bbbb", "cccc"], 20, "aaaa, and 2 more"),  # "aaaa, bbbb, and 1 more" is 22
        (["a" * 30, "b"], 10, "a" * 30 + ", and 1 more"),  # the first one always
        ([], 10, ""),
    ],
)
def test_listed_fits_what_it_can(items: list[str], room: int, expected: str) -> None:
    assert listed(items, room) == expected


@pytest.mark.parametrize(
    ("values", "task", "rule"),
    [
        ([True, False], "classification", "inferred: boolean target"),
        ([0, 1, 2, 1], "classification", "inferred: integer target with 3 distinct values (at "
         "most 20: classes; set task to override)"),
        (list(range(50)), "regression", "inferred: integer target with 50 distinct values (more "
         "than 20: regression; set task to override)"),
        ([1.0, 2.0, 1.0], "classification", "inferred: whole-number target with 2 distinct"),
        ([0.5, 1.25], "regression", "inferred: numeric target with fractional values"),
    ],
)  # fmt: skip
def test_decide_task_says_which_rule_decided(values: list, task: str, rule: str) -> None:
    decided, how = decide_task(pd.Series(values), None)
    assert decided == task and how.startswith(rule)
    assert decide_task(pd.Series(values), "regression") == ("regression", "given")
