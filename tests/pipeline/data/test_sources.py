"""Loading tables: bundled data sets, generated data, CSV and Parquet files; task inference."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets

from pipeline import Table, infer_task, load_builtin, load_file, load_generated
from pipeline.data import readers
from pipeline.data.sources import BUILTIN
from pipeline.errors import DataError
from tests.pipeline.tables import mixed_frame, write

EXPECTED_BUILTIN = {
    "breast_cancer": ((569, 30), "classification", 2),
    "wine": ((178, 13), "classification", 3),
    "iris": ((150, 4), "classification", 3),
    "digits": ((1797, 64), "classification", 10),
    "diabetes": ((442, 10), "regression", None),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_BUILTIN))
def test_builtin_data_sets_load_with_their_task(name: str) -> None:
    shape, task, n_classes = EXPECTED_BUILTIN[name]
    table = load_builtin(name)
    assert isinstance(table, Table)
    assert (table.X.shape, table.task, table.name, table.path) == (shape, task, name, None)
    assert table.target == "target" and table.dropped_rows == 0 and len(table) == shape[0]
    if n_classes is not None:
        assert table.y.nunique() == n_classes
    assert len(table.fingerprint) == 64


def test_builtin_names_are_the_documented_ones() -> None:
    assert set(BUILTIN) == set(EXPECTED_BUILTIN)


def test_unknown_builtin_name_lists_the_known_ones() -> None:
    with pytest.raises(DataError, match="titanic: unknown built-in data set; choose one of brea"):
        load_builtin("titanic")


def test_builtin_fingerprint_is_stable_and_task_can_be_overridden() -> None:
    first, again = load_builtin("iris"), load_builtin("iris", task="regression")
    assert first.fingerprint == again.fingerprint
    assert again.task == "regression"


def test_generated_classification_has_requested_shape_and_classes() -> None:
    table = load_generated("classification", n_samples=300, n_features=6, n_classes=3, seed=1)
    assert table.X.shape == (300, 6) and list(table.X.columns) == [f"x{i}" for i in range(6)]
    assert table.task == "classification" and sorted(table.y.unique()) == [0, 1, 2]
    assert table.name == "make_classification"


def test_generated_data_is_determined_by_its_seed() -> None:
    def make(seed: int) -> Table:
        return load_generated("regression", n_samples=200, n_features=4, noise=0.5, seed=seed)

    a, b, c = make(0), make(0), make(1)
    assert a.task == "regression" and a.name == "make_regression"
    pd.testing.assert_frame_equal(a.X, b.X)
    assert a.fingerprint == b.fingerprint != c.fingerprint


def test_generated_table_is_a_view_of_the_generated_array(monkeypatch: pytest.MonkeyPatch) -> None:
    generated = datasets.make_classification(n_samples=100, n_features=3, n_redundant=0)
    monkeypatch.setattr(datasets, "make_classification", lambda **_: generated)
    table = load_generated("classification", n_samples=100, n_features=3)
    assert all(np.shares_memory(table.X[c].to_numpy(), generated[0]) for c in table.X.columns)


def test_csv_loads_features_target_and_whole_file_fingerprint(tmp_path: Path) -> None:
    path = write(mixed_frame(), tmp_path / "mixed.csv")
    table = load_file(path, target="label")
    assert list(table.X.columns) == ["x1", "x2", "colour"]
    assert table.task == "classification" and set(table.y) == {"yes", "no"}
    assert table.fingerprint == hashlib.sha256(path.read_bytes()).hexdigest()
    assert table.path == path and table.name == str(path) and table.target == "label"
    assert table.X["x2"].isna().sum() > 0 and table.X["colour"].isna().sum() > 0


@pytest.mark.parametrize("suffix", [".parquet", ".pq"])
def test_parquet_gives_the_same_table_as_csv(tmp_path: Path, suffix: str) -> None:
    frame = mixed_frame()
    from_csv = load_file(write(frame, tmp_path / "t.csv"), target="label")
    from_parquet = load_file(write(frame, tmp_path / f"t{suffix}"), target="label")
    pd.testing.assert_frame_equal(from_csv.X, from_parquet.X, check_dtype=False)
    pd.testing.assert_series_equal(from_csv.y, from_parquet.y, check_dtype=False)


def test_drop_columns_removes_them_before_any_check(tmp_path: Path) -> None:
    frame = mixed_frame().assign(row_id=lambda f: np.arange(len(f)))
    table = load_file(write(frame, tmp_path / "ids.csv"), target="label", drop_columns=["row_id"])
    assert "row_id" not in table.X.columns


def test_rows_without_target_are_dropped_and_said_once_as_a_notice(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    frame = mixed_frame()
    frame.loc[[5, 9, 20], "label"] = None
    path = write(frame, tmp_path / "gaps.csv")
    with caplog.at_level(logging.DEBUG):
        table = load_file(path, target="label")
    assert table.dropped_rows == 3 and len(table) == len(frame) - 3
    assert not table.X.index.isin([5, 9, 20]).any()
    assert (
        table.notices[-1] == "target column 'label': 3 of 120 rows (2.5%) without a value dropped"
    )
    assert not [r for r in caplog.records if r.name.startswith("pipeline")]  # no second style


def test_integer_classes_with_missing_targets_stay_integers(tmp_path: Path) -> None:
    frame = mixed_frame().assign(label=lambda f: (f["label"] == "yes").astype(float))
    frame.loc[[1, 2], "label"] = np.nan  # pandas now reads the column as float
    table = load_file(write(frame, tmp_path / "ints.csv"), target="label")
    assert table.task == "classification" and table.y.dtype == np.int64


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (["a", "b", "a"], "classification"),
        ([True, False, True], "classification"),
        ([0, 1, 2, 1], "classification"),
        (list(range(50)), "regression"),
        ([0.5, 1.25, 3.0], "regression"),
        ([1.0, 2.0, 1.0], "classification"),
        (np.linspace(0, 100, 50).round(), "regression"),
    ],
)
def test_infer_task(values: list, task: str) -> None:
    assert infer_task(pd.Series(values)) == task


def test_categorical_dtype_target_is_classification() -> None:
    assert infer_task(pd.Series(["x", "y"], dtype="category")) == "classification"


def test_csv_blocks_that_disagree_on_a_column_type_are_reconciled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "_CSV_BLOCK_BYTES", 1)  # blocks of 1,000 rows
    n = 2_500
    frame = mixed_frame(n=n).assign(
        zip=[f"{i % 50:05d}" for i in range(1_500)] + ["AB12"] * (n - 1_500),
        count=[i % 7 for i in range(1_200)] + [np.nan] * (n - 1_200),
    )
    table = load_file(write(frame, tmp_path / "blocks.csv"), target="label")
    assert table.X["zip"].iloc[1] == "00001" and table.X["zip"].iloc[-1] == "AB12"
    assert table.notices[0] == (
        "column 'zip': kept as text although 1500 of its 2500 values are numbers; the others "
        "are 'AB12' (1000); if they mark missing values, declare them with na_values"
    )
    assert table.X["count"].dtype == np.float64 and table.X["count"].iloc[8] == 1.0
    assert len(table) == n


def test_data_names_are_exported() -> None:
    import pipeline

    data_api = {
        "ColumnRoles", "DataError", "Fold", "Folds", "LevelLimits", "PreparedData", "Split",
        "Table", "TableDescription", "build_preprocessor", "build_table", "feature_count",
        "infer_task", "kfold", "load_builtin", "load_file", "load_generated", "prepare",
        "prepare_fold", "prepare_rows", "split_table", "test_rows",
    }  # fmt: skip
    assert data_api <= set(pipeline.__all__)
    assert all(hasattr(pipeline, name) for name in pipeline.__all__)
