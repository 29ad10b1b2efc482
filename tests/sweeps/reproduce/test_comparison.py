"""How reproductions are compared: bit-for-bit equality, differences, provenance, seed spread."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sweeps.core.trial import other_seeds
from sweeps.reproduce.comparison import MetricDiff, compare, provenance_changes, spread


def test_metric_diff_is_exact_and_nan_aware() -> None:
    assert MetricDiff("a", 0.1, 0.1).same and MetricDiff("a", 0.1, 0.1).diff == 0.0
    assert MetricDiff("a", math.nan, math.nan).same
    next_up = float(np.nextafter(0.1, 1.0))  # one bit away
    tiny = MetricDiff("a", 0.1, next_up)
    assert not tiny.same and tiny.diff == next_up - 0.1 > 0
    assert MetricDiff("a", 0.1, None).diff == math.inf
    assert MetricDiff("a", 0.1, math.nan).diff == math.inf


def test_compare_orders_differences_largest_first_and_checks_weights() -> None:
    logged = {"final_val_loss": 0.5, "final_train_loss": 0.4, "n_params": 10.0}
    now = {"final_val_loss": 0.5 + 1e-6, "final_train_loss": 0.4 + 1e-3, "n_params": 10.0}
    result = compare(logged, now, ("abc", "abc"), ({}, {}))
    assert not result.identical and result.weights_same is True
    assert [m.name for m in result.differing()] == ["final_train_loss", "final_val_loss"]
    same = compare(logged, dict(logged), (None, "abc"), ({}, {}))
    assert same.identical and same.weights_same is None  # not logged: metrics decide
    assert not compare(logged, dict(logged), ("abc", "abd"), ({}, {})).identical


def test_provenance_changes_list_only_provenance_tags() -> None:
    logged = {"sweeps.blas_threads": "1", "sweeps.version.numpy": "2.0", "sweeps.seed": "1"}
    now = {"sweeps.blas_threads": "2", "sweeps.version.numpy": "2.0", "sweeps.seed": "2"}
    now["sweeps.git_commit"] = "abc"
    assert provenance_changes(logged, now) == {
        "sweeps.blas_threads": ("1", "2"),
        "sweeps.git_commit": (None, "abc"),
    }


def test_other_seeds_are_deterministic_and_distinct() -> None:
    seeds = other_seeds(12345, 3)
    assert seeds == other_seeds(12345, 3)
    assert len(set(seeds)) == 3 and 12345 not in seeds
    assert other_seeds(12345, 2) == seeds[:2]


def test_spread_mean_std_and_the_original_against_the_range() -> None:
    result = spread([1, 2, 3], {"loss": 0.5, "size": 10.0}, [
        {"loss": 0.4, "size": 10.0}, {"loss": 0.5, "size": 10.0}, {"loss": 0.6, "size": 10.0},
    ])  # fmt: skip
    assert result.mean("loss") == pytest.approx(0.5)
    assert result.std("loss") == pytest.approx(0.1)  # sample std (ddof=1)
    assert (result.low("loss"), result.high("loss")) == (0.4, 0.6)
    assert (result.position("loss"), result.position("size")) == ("within", "same")
    assert result.outside() == []
    assert result.chance_outside() == pytest.approx(0.5)  # 2 / (3 + 1)
    outlier = spread([1, 2], {"loss": 0.9, "acc": 0.1}, [
        {"loss": 0.4, "acc": 0.5}, {"loss": 0.5, "acc": 0.5},
    ])  # fmt: skip
    assert outlier.outside() == ["loss", "acc"]
    assert (outlier.position("loss"), outlier.position("acc")) == ("above", "below")


def test_a_spread_of_zero_is_a_range_not_an_alarm() -> None:
    """Seeds that agree to the last bit: the original equal to them is the same, not
    outside a band of width 0."""
    result = spread([1, 2, 3], {"n_params": 417.0}, [{"n_params": 417.0}] * 3)
    assert result.std("n_params") == 0
    assert result.position("n_params") == "same" and result.outside() == []


def test_diverged_seeds_are_left_out_of_the_spread() -> None:
    result = spread([7, 8, 9], {"loss": 0.5}, [{"loss": 0.4}, None, {"loss": 0.6}])
    assert result.diverged == [8]
    assert result.mean("loss") == pytest.approx(0.5)
    assert result.std("loss") == pytest.approx(math.sqrt(0.02))
    lonely = spread([7, 8], {"loss": 0.5}, [{"loss": 0.4}, None])
    assert math.isnan(lonely.std("loss")) and lonely.position("loss") == "above"
    assert lonely.chance_outside() == pytest.approx(1.0)  # 2 / (1 + 1): one seed says nothing
    nothing = spread([7], {"loss": 0.5}, [None])
    assert nothing.position("loss") == "unknown" and nothing.outside() == []
    assert nothing.chance_outside() == 1.0
