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


def test_spread_mean_std_and_two_sigma_band() -> None:
    result = spread([1, 2, 3], {"loss": 0.5, "size": 10.0}, [
        {"loss": 0.4, "size": 10.0}, {"loss": 0.5, "size": 10.0}, {"loss": 0.6, "size": 10.0},
    ])  # fmt: skip
    assert result.mean("loss") == pytest.approx(0.5)
    assert result.std("loss") == pytest.approx(0.1)  # sample std (ddof=1)
    assert result.within("loss") and result.within("size")
    outlier = spread([1, 2], {"loss": 0.9}, [{"loss": 0.4}, {"loss": 0.5}])
    assert outlier.outside() == ["loss"]


def test_diverged_seeds_are_left_out_of_the_spread() -> None:
    result = spread([7, 8, 9], {"loss": 0.5}, [{"loss": 0.4}, None, {"loss": 0.6}])
    assert result.diverged == [8]
    assert result.mean("loss") == pytest.approx(0.5)
    assert result.std("loss") == pytest.approx(math.sqrt(0.02))
    lonely = spread([7, 8], {"loss": 0.5}, [{"loss": 0.4}, None])
    assert math.isnan(lonely.std("loss")) and not lonely.within("loss")
