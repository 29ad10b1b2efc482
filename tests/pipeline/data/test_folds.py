"""K folds over the non-test rows: a partition, stratified, seeded; preprocessing per fold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline import DataError, Folds, Table, kfold, load_builtin, load_generated, prepare_fold
from pipeline import split_table as split_of
from pipeline.data.table import build_table
from tests.pipeline.tables import mixed_frame


def assert_fold_partition(folds: Folds, non_test: np.ndarray, test: np.ndarray) -> None:
    """Validation parts partition the non-test rows; each fold trains on all the others."""
    held_out = np.concatenate([fold.validation for fold in folds])
    np.testing.assert_array_equal(np.sort(held_out), non_test)  # each row held out exactly once
    for fold in folds:
        for part in (fold.train, fold.validation):
            assert part.dtype == np.int64 and not part.flags.writeable
            assert np.all(np.diff(part) > 0) and not np.isin(part, test).any()
        np.testing.assert_array_equal(np.union1d(fold.train, fold.validation), non_test)
        assert not np.intersect1d(fold.train, fold.validation).size


@pytest.mark.parametrize("name", ["breast_cancer", "diabetes"])
@pytest.mark.parametrize("k", [2, 5])
def test_folds_partition_the_non_test_rows(name: str, k: int) -> None:
    table = load_builtin(name)
    split = split_of(table, seed=1)
    folds = kfold(table, split, k=k, seed=3)
    assert len(folds) == k and [fold.index for fold in folds] == list(range(k))
    assert_fold_partition(folds, np.union1d(split.train, split.validation), split.test)
    sizes = [len(fold.validation) for fold in folds]
    assert max(sizes) - min(sizes) <= 1 + (table.task == "classification")


def test_classification_folds_are_stratified() -> None:
    y = np.repeat([0, 1, 2], [700, 200, 100])
    frame = pd.DataFrame({"x": np.linspace(0.0, 1.0, len(y)), "y": y})
    table = build_table(frame, target="y", task=None, name="mem", fingerprint="")
    split = split_of(table, seed=0)
    non_test = np.union1d(split.train, split.validation)
    shares = np.bincount(y[non_test]) / len(non_test)
    for fold in kfold(table, split, k=5, seed=0):
        held_out = np.bincount(y[fold.validation], minlength=3)
        np.testing.assert_allclose(held_out, shares * len(fold.validation), atol=1)


def test_same_seed_same_folds_other_seed_other_folds() -> None:
    table = load_builtin("wine")
    split = split_of(table)
    first, again, other = (kfold(table, split, k=4, seed=s) for s in (7, 7, 8))
    assert first.hashes() == again.hashes() != other.hashes()
    assert set(first.hashes()) == {
        f"{i}.{part}" for i in range(4) for part in ("train", "validation")
    }
    assert first[2].hashes()["validation"] == first.hashes()["2.validation"]
    assert first.seed == 7


def test_preprocessing_of_a_fold_sees_only_its_training_rows() -> None:
    frame = mixed_frame(n=300)
    table = build_table(frame, target="label", task=None, name="m", fingerprint="")
    split = split_of(table, seed=0)
    fold = kfold(table, split, k=3, seed=0)[1]
    data = prepare_fold(table, fold, dtype="float64")
    train = frame.iloc[fold.train]
    numeric = data.preprocessor.named_transformers_["numeric"]
    np.testing.assert_allclose(numeric["impute"].statistics_, train[["x1", "x2"]].median())
    filled = train[["x1", "x2"]].fillna(train[["x1", "x2"]].median())
    np.testing.assert_allclose(numeric["scale"].mean_, filled.mean())
    assert data.X_train.shape[0] == len(fold.train) and data.X_val.shape[0] == len(fold.validation)
    np.testing.assert_array_equal(data.y_val, table.y.to_numpy()[fold.validation])


def test_held_out_rows_cannot_change_a_folds_preprocessing() -> None:
    frame = mixed_frame(n=300)
    table = build_table(frame, target="label", task=None, name="m", fingerprint="")
    fold = kfold(table, split_of(table, seed=0), k=3, seed=0)[0]
    poisoned = frame.copy()
    poisoned.loc[fold.validation, ["x1", "x2"]] = 1e9
    poisoned.loc[fold.validation, "colour"] = "ultraviolet"
    dirty = build_table(poisoned, target="label", task=None, name="m", fingerprint="")
    clean_data, dirty_data = prepare_fold(table, fold), prepare_fold(dirty, fold)
    np.testing.assert_array_equal(clean_data.X_train, dirty_data.X_train)
    assert dirty_data.feature_names == clean_data.feature_names  # no 'ultraviolet' level


@pytest.mark.parametrize("k", [1, 0, 2.5, True, 10_000])
def test_a_number_of_folds_that_cannot_work(k: object) -> None:
    table = load_generated("regression", n_samples=100, n_features=2)
    with pytest.raises(DataError, match=r"^make_regression: target column 'target': k=.* folds"):
        kfold(table, split_of(table), k=k)  # type: ignore[arg-type]


def test_a_class_smaller_than_k_is_refused() -> None:
    y = np.array(["common"] * 95 + ["rare"] * 5)
    frame = pd.DataFrame({"x": np.arange(100.0), "y": y})
    table: Table = build_table(frame, target="y", task=None, name="rare.csv", fingerprint="")
    split = split_of(table, seed=0)
    assert np.isin(np.flatnonzero(y == "rare"), split.test).sum() == 1  # 4 rare rows left
    kfold(table, split, k=4)
    with pytest.raises(DataError) as caught:
        kfold(table, split, k=5)
    assert str(caught.value) == (
        "rare.csv: target column 'y': class 'rare' has 4 training and validation row(s); "
        "5 stratified folds need at least 5 per class"
    )
