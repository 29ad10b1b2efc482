"""Preprocessing: fitted on training rows only, dense output, one Pipeline from raw rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

import pipeline
from pipeline import (
    DataError,
    Table,
    build_preprocessor,
    load_builtin,
    load_file,
    prepare,
    split_table,
    test_rows,
)
from pipeline.data import preprocess as preprocess_module
from pipeline.data.preprocess import SKOPS_TRUSTED_TYPES
from pipeline.data.table import build_table
from tests.pipeline.tables import mixed_frame, write


def table_from(frame: pd.DataFrame, name: str = "mem") -> Table:
    """A table from an in-memory frame whose target column is ``label``."""
    return build_table(frame, target="label", task=None, name=name, fingerprint="")


def test_build_preprocessor_routes_columns_by_dtype() -> None:
    frame = mixed_frame().drop(columns="label").assign(flag=True, n=lambda f: np.arange(len(f)) % 4)
    pre = build_preprocessor(frame)
    assert isinstance(pre, ColumnTransformer) and not hasattr(pre, "transformers_")
    columns = {name: cols for name, _, cols in pre.transformers}
    assert columns == {"numeric": ["x1", "x2", "flag", "n"], "categorical": ["colour"]}
    assert pre.sparse_threshold == 0.0
    onehot = pre.transformers[1][1].named_steps["onehot"]
    # Unseen levels: the infrequent feature when training grouped some levels, zeros otherwise
    # (was handle_unknown="ignore", which had no cap on the number of levels).
    assert onehot.handle_unknown == "infrequent_if_exist" and onehot.sparse_output is False
    assert (onehot.max_categories, onehot.min_frequency) == (50, 5)


def test_prepare_returns_read_only_arrays_without_test_rows() -> None:
    table = table_from(mixed_frame(n=200))
    split = split_table(table, seed=0)
    data = prepare(table, split)
    assert data.X_train.shape == (len(split.train), 2 + 3)  # x1, x2 and three colours
    assert data.X_val.shape == (len(split.validation), 5)
    assert data.X_train.dtype == data.X_val.dtype == np.float32
    assert len(data.y_train) + len(data.y_val) == len(table) - len(split.test)
    assert set(data.y_train) == {"yes", "no"}
    for array in (data.X_train, data.y_train, data.X_val, data.y_val):
        assert not array.flags.writeable
    assert not np.isnan(data.X_train).any() and not np.isnan(data.X_val).any()
    assert data.feature_names == [
        "numeric__x1",
        "numeric__x2",
        "categorical__colour_blue",
        "categorical__colour_green",
        "categorical__colour_red",
    ]


def test_train_rows_are_standardised() -> None:
    table = load_builtin("breast_cancer")
    data = prepare(table, split_table(table), dtype="float64")
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(data.X_train.std(axis=0), 1.0, atol=1e-9)
    assert data.X_train.dtype == np.float64


def test_regression_targets_are_float64() -> None:
    table = load_builtin("diabetes")
    data = prepare(table, split_table(table))
    assert data.y_train.dtype == data.y_val.dtype == np.float64


def test_statistics_come_from_training_rows_only() -> None:
    frame = mixed_frame(n=200)
    table = table_from(frame)
    split = split_table(table, seed=5)
    val_row, test_row = split.validation[0], split.test[0]
    poisoned = frame.copy()
    poisoned.loc[[val_row, test_row], ["x1", "x2"]] = [[1e9, -1e9], [-1e9, 1e9]]
    poisoned.loc[[val_row, test_row], "colour"] = ["ultraviolet", "infrared"]
    poisoned_table = table_from(poisoned)
    assert poisoned_table.y.equals(table.y)  # same targets, so the same split
    clean, dirty = prepare(table, split), prepare(poisoned_table, split)

    np.testing.assert_array_equal(clean.X_train, dirty.X_train)
    numeric = dirty.preprocessor.named_transformers_["numeric"]
    train = frame.iloc[split.train]
    np.testing.assert_allclose(numeric["impute"].statistics_, train[["x1", "x2"]].median())
    np.testing.assert_allclose(numeric["scale"].mean_, _imputed(train).mean(), rtol=1e-6)
    categories = dirty.preprocessor.named_transformers_["categorical"]["onehot"].categories_
    assert list(categories[0]) == ["blue", "green", "red"]
    row = np.searchsorted(split.validation, val_row)
    assert dirty.X_val[row, 0] > 1e6 and not dirty.X_val[row, 2:].any()  # unseen colour: zeros


def _imputed(train: pd.DataFrame) -> pd.DataFrame:
    """Numeric training columns with their own medians filled in."""
    numeric = train[["x1", "x2"]]
    return numeric.fillna(numeric.median())


def test_arrays_are_what_the_fitted_preprocessor_makes_of_raw_rows() -> None:
    table = table_from(mixed_frame(n=200))
    split = split_table(table)
    data = prepare(table, split)
    expected = data.preprocessor.transform(table.X.iloc[split.train]).astype(np.float32)
    np.testing.assert_array_equal(data.X_train, expected)


def test_float32_fit_matches_float64_fit_closely() -> None:
    table = load_builtin("diabetes")
    split = split_table(table)
    low, high = prepare(table, split, dtype="float32"), prepare(table, split, dtype="float64")
    np.testing.assert_allclose(low.X_train, high.X_train, rtol=1e-5, atol=1e-5)


def test_wide_tables_use_column_groups_with_identical_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = load_builtin("wine")
    split = split_table(table)
    whole = prepare(table, split)
    monkeypatch.setattr(preprocess_module, "_GROUP_BYTES", 8 * len(table) * 4)  # 4 columns
    grouped = prepare(table, split)
    names = [name for name, _, _ in grouped.preprocessor.transformers]
    assert names == ["numeric_0", "numeric_1", "numeric_2", "numeric_3"]
    np.testing.assert_array_equal(whole.X_train, grouped.X_train)
    np.testing.assert_array_equal(whole.X_val, grouped.X_val)


def test_chunked_transform_matches_one_shot(monkeypatch: pytest.MonkeyPatch) -> None:
    table = load_builtin("digits")
    split = split_table(table)
    whole = prepare(table, split)
    monkeypatch.setattr(preprocess_module, "_CHUNK_BYTES", 1)  # blocks of 1024 rows
    np.testing.assert_array_equal(whole.X_train, prepare(table, split).X_train)


def test_transform_leaves_the_callers_frame_alone() -> None:
    table = table_from(mixed_frame(n=200))
    data = prepare(table, split_table(table))
    rows = table.X.iloc[:50]
    before = rows.copy()
    data.preprocessor.transform(rows)
    pd.testing.assert_frame_equal(rows, before)


def test_column_without_values_in_the_training_rows_is_refused() -> None:
    frame = mixed_frame(n=200).assign(sparse=np.nan)
    table = table_from(frame.assign(sparse=1.0), name="sparse.csv")
    split = split_table(table, seed=0)
    frame.loc[split.test, "sparse"] = 1.0  # values only where training cannot see them
    with pytest.raises(DataError) as caught:
        prepare(table_from(frame, name="sparse.csv"), split)
    message = str(caught.value)
    assert "sparse.csv: column 'sparse' has no values in the 140 training rows" in message
    assert "drop_columns=['sparse']" in message


def test_every_supported_dtype_goes_through_fit_and_raw_transform() -> None:
    n = 90
    frame = pd.DataFrame(
        {
            "flag": np.arange(n) % 3 == 0,
            "count": np.arange(n) % 5,
            "maybe": pd.array([1.5, None, 2.5] * (n // 3), dtype="Float64"),
            "whole": pd.array([1, None, 3] * (n // 3), dtype="Int64"),
            "kind": pd.Categorical(["a", "b", None] * (n // 3)),
            "text": pd.array(["u", "v", None] * (n // 3), dtype="string"),
            "label": np.arange(n) % 2,
        }
    )
    table = table_from(frame)
    split = split_table(table)
    data = prepare(table, split)
    assert data.X_train.shape == (len(split.train), 4 + 2 + 2)
    raw = data.preprocessor.transform(table.X.iloc[split.train]).astype(np.float32)
    np.testing.assert_array_equal(data.X_train, raw)


def test_test_rows_are_the_raw_rows_of_the_test_split() -> None:
    table = table_from(mixed_frame(n=200))
    split = split_table(table)
    X_test, y_test = test_rows(table, split)
    pd.testing.assert_frame_equal(X_test, table.X.iloc[split.test])
    pd.testing.assert_series_equal(y_test, table.y.iloc[split.test])


def test_a_split_of_another_table_is_refused() -> None:
    big, small = load_builtin("digits"), load_builtin("iris")
    with pytest.raises(DataError, match=r"iris: the split covers 1797 rows .* has 150 rows"):
        prepare(small, split_table(big))


def test_saved_preprocessor_needs_only_the_listed_extra_trusted_types() -> None:
    table = table_from(mixed_frame(n=200))
    data = prepare(table, split_table(table))
    blob = sio.dumps(data.preprocessor)
    assert set(sio.get_untrusted_types(data=blob)) <= set(SKOPS_TRUSTED_TYPES)
    loaded = sio.loads(blob, trusted=list(SKOPS_TRUSTED_TYPES))
    np.testing.assert_array_equal(loaded.transform(table.X), data.preprocessor.transform(table.X))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_file_with_gaps_and_text_trains_end_to_end_through_a_pipeline(
    tmp_path: Path, suffix: str
) -> None:
    table = load_file(write(mixed_frame(n=400), tmp_path / f"mixed{suffix}"), target="label")
    split = split_table(table, seed=0)
    data = prepare(table, split)
    model = LogisticRegression().fit(data.X_train, data.y_train)
    full = Pipeline([("preprocess", data.preprocessor), ("model", model)])
    X_test, y_test = test_rows(table, split)
    assert full.score(X_test, y_test) > 0.8
    unseen = X_test.head(3).assign(colour=["violet", None, "red"], x2=[np.nan, 1.0, np.nan])
    assert set(full.predict(unseen)) <= {"yes", "no"}


def test_the_projects_mlp_completes_the_pipeline(tmp_path: Path) -> None:
    table = load_file(write(mixed_frame(n=400), tmp_path / "mixed.csv"), target="label")
    split = split_table(table, seed=0)
    data = prepare(table, split)
    mlp = pipeline.MLPClassifier(hidden_layer_sizes=(8,), max_epochs=30, random_state=0)
    mlp.fit(data.X_train, data.y_train, X_val=data.X_val, y_val=data.y_val)
    full = Pipeline([("preprocess", data.preprocessor), ("model", mlp)])
    X_test, y_test = test_rows(table, split)
    assert full.score(X_test, y_test) > 0.7
    proba = full.predict_proba(X_test)
    assert proba.shape == (len(X_test), 2)
