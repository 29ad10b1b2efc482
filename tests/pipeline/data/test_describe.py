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
from pipeline.data.describe import describe_table
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
        "task: classification (inferred: text or categorical target); target 'label': 2 classes: "
        + ", ".join(f"{label!r}: {n} rows" for label, n in counts.items()),
        "columns: 1 numeric (x1); 1 categorical (colour: 3 levels); dropped: x2, row_id",
    ]


def test_regression_description_gives_mean_and_spread_and_that_the_task_was_given() -> None:
    table = load_generated("regression", n_samples=300, n_features=3, noise=1.0)
    described = describe_table(table)
    assert described.task == "regression" and described.task_rule == "given"
    assert described.classes == ()
    assert described.target_mean == pytest.approx(float(table.y.mean()))
    assert described.target_std == pytest.approx(float(table.y.std(ddof=0)))
    assert described.lines()[1] == (
        f"task: regression (given); target 'target': mean {table.y.mean():.4g}, "
        f"std {table.y.std(ddof=0):.4g}"
    )


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
    assert lines[-2] == (
        f"encoded: column 'colour': {seen} levels in the training rows, 3 kept, "
        f"{seen - 3} grouped into one infrequent feature"
    )
    assert lines[-1] == f"notice: {table.notices[0]}"


def test_description_is_json_ready() -> None:
    table = load_builtin("iris")
    data = prepare(table, split_table(table))
    as_dict = describe_table(table, data.preprocessor).to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict["classes"] == [[0, 50], [1, 50], [2, 50]]
    assert as_dict["input_features"] == 4 and as_dict["max_levels"] == 50


def test_long_column_lists_are_shortened() -> None:
    line = describe_table(load_builtin("digits")).lines()[2]
    assert line.startswith("columns: 64 numeric (pixel_0_0, pixel_0_1, ")
    assert line.endswith(", and 54 more); 0 categorical")


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
