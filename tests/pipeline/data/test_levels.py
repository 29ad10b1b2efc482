"""One-hot encoding capped by max_levels and min_level_rows; notices for grouped columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.preprocessing import OneHotEncoder

from pipeline import Table, prepare, split_table
from pipeline.data.describe import EncodedColumn, encoded_columns
from pipeline.data.levels import LevelLimits, kept_levels
from pipeline.data.preprocess import SKOPS_TRUSTED_TYPES
from pipeline.data.table import build_table
from tests.pipeline.tables import gap_notices, mixed_frame


def with_city(n: int, n_cities: int, seed: int = 0, **options: object) -> Table:
    """``mixed_frame`` plus a ``city`` column of ``n_cities`` Zipf-distributed levels."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_cities + 1)
    cities = rng.choice(n_cities, size=n, p=weights / weights.sum())
    frame = mixed_frame(n=n, seed=seed).assign(city=[f"city{c:04d}" for c in cities])
    return build_table(frame, target="label", task=None, name="m.csv", fingerprint="", **options)  # type: ignore[arg-type]


def test_a_many_level_column_becomes_at_most_max_levels_features() -> None:
    table = with_city(3_000, 400)
    levels = table.X["city"].nunique()
    assert table.notices == (
        *gap_notices(mixed_frame(n=3_000)),
        f"column 'city': {levels} levels; one-hot encoding keeps at most 49 of them as features "
        "and groups the rest into one infrequent feature (max_levels=50, min_level_rows=5)",
    )
    split = split_table(table, seed=0)
    data = prepare(table, split)
    city = [name for name in data.feature_names if name.startswith("categorical__city")]
    assert len(city) == 50 and city[-1] == "categorical__city_infrequent_sklearn"
    assert data.n_features == 2 + 3 + 50
    training_levels = table.X["city"].iloc[split.train].nunique()
    assert encoded_columns(data.preprocessor) == (
        EncodedColumn("colour", 3, 3, 3),
        EncodedColumn("city", training_levels, 49, 50),
    )


def test_kept_levels_are_the_most_frequent_training_levels() -> None:
    table = with_city(3_000, 400, max_levels=5)
    split = split_table(table, seed=0)
    data = prepare(table, split)
    top = table.X["city"].iloc[split.train].value_counts().index[:4]
    kept = [n.removeprefix("categorical__city_") for n in data.feature_names if "city" in n]
    assert kept == [*sorted(top), "infrequent_sklearn"]


def test_unseen_and_rare_levels_encode_as_the_infrequent_feature() -> None:
    table = with_city(3_000, 400)
    data = prepare(table, split_table(table, seed=0))
    rows = table.X.head(2).assign(city=["atlantis", "city0000"])
    out = data.preprocessor.transform(rows)
    infrequent = data.feature_names.index("categorical__city_infrequent_sklearn")
    common = data.feature_names.index("categorical__city_city0000")
    assert out[0, infrequent] == 1.0 and out[0, common] == 0.0
    assert out[1, infrequent] == 0.0 and out[1, common] == 1.0


def test_no_cap_and_no_row_minimum_give_every_level_a_feature() -> None:
    table = with_city(1_000, 120, max_levels=None, min_level_rows=1)
    assert table.notices == gap_notices(mixed_frame(n=1_000))  # none on levels
    split = split_table(table, seed=0)
    data = prepare(table, split)
    city = [n for n in data.feature_names if n.startswith("categorical__city")]
    assert len(city) == table.X["city"].iloc[split.train].nunique()


def test_a_column_unique_on_every_row_becomes_one_constant_feature() -> None:
    frame = mixed_frame(n=2_000).assign(name=[f"person {i}" for i in range(2_000)])
    table = build_table(frame, target="label", task=None, name="people.csv", fingerprint="")
    *gaps, notice = table.notices
    assert tuple(gaps) == gap_notices(frame)
    assert notice == (
        "column 'name': 2000 distinct values in 2000 rows, nearly one per row: it looks like an "
        "identifier or free text; one-hot encoding groups all of them into one infrequent feature "
        "(max_levels=50, min_level_rows=5); if it carries no signal, drop it with the "
        "drop_columns option (drop_columns=['name'])"
    )
    data = prepare(table, split_table(table))
    assert data.feature_names[-1] == "categorical__name_infrequent_sklearn"
    assert data.n_features == 2 + 3 + 1 and (data.X_train[:, -1] == 1.0).all()


def test_a_few_rare_levels_are_named_in_a_notice() -> None:
    frame = mixed_frame(n=200)
    frame.loc[[0, 1], "colour"] = "mauve"
    table = build_table(frame, target="label", task=None, name="m.csv", fingerprint="")
    assert table.notices == (
        *gap_notices(frame),
        "column 'colour': 4 levels; one-hot encoding keeps at most 3 of them as features and "
        "groups the rest into one infrequent feature (max_levels=50, min_level_rows=5)",
    )


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(1, 12), min_size=1, max_size=30),
    max_levels=st.one_of(st.none(), st.integers(2, 12)),
    min_level_rows=st.integers(1, 6),
)
def test_kept_levels_is_scikit_learns_rule(
    counts: list[int], max_levels: int | None, min_level_rows: int
) -> None:
    values = np.repeat([f"v{i:02d}" for i in range(len(counts))], counts).reshape(-1, 1)
    encoder = OneHotEncoder(
        max_categories=max_levels,
        min_frequency=min_level_rows,
        handle_unknown="infrequent_if_exist",
    ).fit(values)
    (infrequent,) = encoder.infrequent_categories_
    expected = len(counts) - (0 if infrequent is None else len(infrequent))
    assert kept_levels(np.array(counts), LevelLimits(max_levels, min_level_rows)) == expected


@pytest.mark.parametrize("max_levels", [2, 3])
def test_the_smallest_caps_still_encode(max_levels: int) -> None:
    table = with_city(600, 30, max_levels=max_levels)
    data = prepare(table, split_table(table))
    assert sum(n.startswith("categorical__city") for n in data.feature_names) == max_levels
    assert isinstance(data.X_train, np.ndarray) and not pd.isna(data.X_train).any()


def test_a_preprocessor_with_grouped_levels_saves_with_the_usual_trusted_types() -> None:
    table = with_city(2_000, 300)
    data = prepare(table, split_table(table))
    blob = sio.dumps(data.preprocessor)
    assert set(sio.get_untrusted_types(data=blob)) <= set(SKOPS_TRUSTED_TYPES)
    loaded = sio.loads(blob, trusted=list(SKOPS_TRUSTED_TYPES))
    np.testing.assert_array_equal(loaded.transform(table.X), data.preprocessor.transform(table.X))
