"""Ensemble selection on out-of-fold predictions: greedy steps, ties, honest cross-fitting."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics

from pipeline.models.ensemble_selection import (
    Scorer,
    blend,
    cross_fitted,
    greedy_weights,
    make_scorer,
)


def _column(values: list[float]) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(-1, 1)


def test_two_opposite_errors_average_out_and_beat_the_best_single_candidate() -> None:
    y = np.zeros(4)
    scorer = make_scorer("val_rmse", "regression", y)
    preds = [
        _column([0.5, 0.5, -0.5, -0.5]),  # rmse 0.5
        _column([-0.5, -0.5, 0.5, 0.5]),  # rmse 0.5, the opposite error
        _column([0.4, 0.4, 0.4, 0.4]),  # rmse 0.4: the best single candidate
    ]
    weights = greedy_weights(preds, scorer, size=10)
    assert weights.sum() == pytest.approx(1.0)
    assert weights[0] == weights[1] > 0
    assert scorer.value(blend(preds, weights)) < 0.4 / 2
    # one step is the best single candidate alone
    np.testing.assert_array_equal(greedy_weights(preds, scorer, size=1), [0, 0, 1])


def test_ties_go_to_the_earlier_candidate_and_the_earliest_best_step_is_kept() -> None:
    y = np.array([1.0, 2.0, 3.0])
    same = _column([1.5, 2.0, 2.5])
    scorer = make_scorer("val_mae", "regression", y)
    np.testing.assert_array_equal(greedy_weights([same, same, same], scorer, size=7), [1, 0, 0])


def test_accuracy_ties_are_broken_by_the_log_loss() -> None:
    y = np.array([0, 1, 1, 0])
    confident = np.array([[0.9, 0.1], [0.1, 0.9], [0.2, 0.8], [0.8, 0.2]])
    timid = np.array([[0.6, 0.4], [0.4, 0.6], [0.45, 0.55], [0.55, 0.45]])
    scorer = make_scorer("val_accuracy", "classification", y)
    assert scorer.value(confident) == scorer.value(timid) == 1.0
    np.testing.assert_array_equal(greedy_weights([timid, confident], scorer, size=1), [0, 1])


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_scores_match_scikit_learn(task: str) -> None:
    rng = np.random.default_rng(0)
    if task == "classification":
        y = rng.integers(0, 3, 50)
        proba = rng.dirichlet(np.ones(3), 50)
        assert make_scorer("val_loss", task, y).value(proba) == pytest.approx(
            metrics.log_loss(y, proba, labels=[0, 1, 2])
        )
        accuracy = make_scorer("val_accuracy", task, y).value(proba)
        assert accuracy == pytest.approx(metrics.accuracy_score(y, proba.argmax(1)))
        return
    y, pred = rng.normal(3, 2, 50), rng.normal(3, 2, (50, 1))
    expected = {
        "val_rmse": metrics.root_mean_squared_error(y, pred[:, 0]),
        "val_mae": metrics.mean_absolute_error(y, pred[:, 0]),
        "val_r2": metrics.r2_score(y, pred[:, 0]),
        "val_loss": 0.5 * metrics.mean_squared_error(y, pred[:, 0]) / y.std() ** 2,
    }
    for metric, value in expected.items():
        assert make_scorer(metric, task, y).value(pred) == pytest.approx(value)


def test_cross_fitting_never_chooses_weights_on_the_rows_it_predicts() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(size=40)
    preds = [(y + rng.normal(scale=s, size=40)).reshape(-1, 1) for s in (0.3, 0.5, 1.0)]
    scorer = make_scorer("val_rmse", "regression", y)
    seen: list[np.ndarray] = []

    def select(parts: list[np.ndarray], sub: Scorer, size: int) -> np.ndarray:
        seen.append(sub.y.copy())
        return greedy_weights(parts, sub, size)

    out = cross_fitted(preds, scorer, 5, parts=4, seed=3, select=select)
    assert len(seen) == 4
    order = np.random.default_rng(3).permutation(40)
    for held, chosen_on in zip(np.array_split(order, 4), seen, strict=True):
        assert len(chosen_on) == 40 - len(held)
        assert not set(y[held]) & set(chosen_on)  # the y values are distinct floats
        weights = greedy_weights(
            [p[np.setdiff1d(order, held)] for p in preds],
            scorer.subset(np.setdiff1d(order, held)),
            5,
        )
        np.testing.assert_allclose(out[held], blend([p[held] for p in preds], weights))
    again = cross_fitted(preds, scorer, 5, parts=4, seed=3)
    np.testing.assert_array_equal(out, again)


def test_unknown_metric_for_the_task_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot optimise 'val_r2' for classification"):
        make_scorer("val_r2", "classification", np.array([0, 1]))
