"""Train / validation / test split: sizes, disjointness, stratification, seeds, hashes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipeline import Split, Table, load_builtin, load_generated, split_table
from pipeline.data.table import build_table


def table_of(y: np.ndarray, task: str | None = None) -> Table:
    """A table with one float feature and target ``y``."""
    frame = pd.DataFrame({"x": np.linspace(0.0, 1.0, len(y)), "y": y})
    return build_table(frame, target="y", task=task, name="mem", fingerprint="")


def test_sizes_are_the_fractions_rounded_half_up() -> None:
    split = split_table(table_of(np.arange(1000) % 2), validation=0.15, test=0.15)
    assert split.sizes() == {"train": 700, "validation": 150, "test": 150}
    split = split_table(table_of(np.arange(1000) % 2), validation=0.2, test=0.1)
    assert split.sizes() == {"train": 700, "validation": 200, "test": 100}


def assert_partition(split: Split, n: int) -> None:
    """The three splits are sorted, disjoint, read-only int64 and together cover every row."""
    parts = [split.train, split.validation, split.test]
    for part in parts:
        assert part.dtype == np.int64 and not part.flags.writeable
        assert np.all(np.diff(part) > 0)
    np.testing.assert_array_equal(np.sort(np.concatenate(parts)), np.arange(n))


@pytest.mark.parametrize("name", ["breast_cancer", "digits", "diabetes"])
def test_splits_are_disjoint_and_cover_the_table(name: str) -> None:
    table = load_builtin(name)
    assert_partition(split_table(table), len(table))


def test_boundaries_cannot_be_moved() -> None:
    split = split_table(load_builtin("iris"))
    with pytest.raises(ValueError, match="read-only"):
        split.train[0] = split.test[0]
    with pytest.raises(AttributeError):
        split.train = split.test  # type: ignore[misc]


def test_classification_is_stratified() -> None:
    y = np.repeat([0, 1, 2], [700, 200, 100])
    split = split_table(table_of(y), validation=0.15, test=0.15, seed=3)
    for part, size in [(split.train, 700), (split.validation, 150), (split.test, 150)]:
        counts = np.bincount(y[part], minlength=3)
        np.testing.assert_allclose(counts, size * np.array([0.7, 0.2, 0.1]), atol=1)


def test_every_class_reaches_every_split_even_when_tiny() -> None:
    y = np.array(["common"] * 97 + ["rare"] * 3)
    split = split_table(table_of(y))
    for part in (split.train, split.validation, split.test):
        assert set(y[part]) == {"common", "rare"}


def test_same_seed_same_hashes_different_seed_different() -> None:
    table = load_builtin("wine")
    first, again, other = (split_table(table, seed=s).hashes() for s in (7, 7, 8))
    assert first == again
    assert set(first) == {"train", "validation", "test"}
    assert all(len(h) == 64 for h in first.values())
    assert all(first[k] != other[k] for k in first)


def test_the_split_records_its_seed() -> None:
    assert split_table(load_builtin("iris"), seed=42).seed == 42


def test_regression_split_is_random_and_sized() -> None:
    table = load_generated("regression", n_samples=500, n_features=2)
    split = split_table(table, validation=0.1, test=0.2, seed=1)
    assert split.sizes() == {"train": 350, "validation": 50, "test": 100}
    assert_partition(split, 500)
    assert not np.array_equal(split.test, np.arange(400, 500))


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(60, 400),
    n_classes=st.integers(2, 5),
    validation=st.floats(0.05, 0.4),
    test=st.floats(0.05, 0.4),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_valid_setting_partitions_with_exact_sizes(
    n: int, n_classes: int, validation: float, test: float, seed: int
) -> None:
    n_val, n_test = (int(np.floor(f * n + 0.5)) for f in (validation, test))
    assume(min(n_val, n_test, n - n_val - n_test) >= n_classes)  # else DataError, tested apart
    y = np.arange(n) % n_classes
    split = split_table(table_of(y), validation=validation, test=test, seed=seed)
    assert_partition(split, n)
    assert len(split.validation) == int(np.floor(validation * n + 0.5))
    assert len(split.test) == int(np.floor(test * n + 0.5))
