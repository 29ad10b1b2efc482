"""The epoch loop on scripted losses: early stopping, restore, callbacks, divergence."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from pipeline import DivergenceError, EpochRecord
from pipeline.mlp.training import StoppingRule, train


def _scripted(losses: Sequence[float], params: np.ndarray) -> Callable[[], float]:
    """An epoch that writes its 1-based number into the params and returns the next loss."""
    it = iter(enumerate(losses, start=1))

    def run_epoch() -> float:
        epoch, loss = next(it)
        params[:] = epoch
        return loss

    return run_epoch


def test_early_stopping_restores_the_best_epoch() -> None:
    params = np.zeros(3)
    losses = [5.0, 4.0, 3.0, 3.5, 2.99995, 3.1, 1.0]
    history = train(_scripted(losses, params), params, StoppingRule(10, patience=3, tol=1e-3))
    # epoch 5 improves by less than tol: epochs 4, 5, 6 count as stale, but 5 is the best
    assert history.n_epochs == 6 and history.best_epoch == 5
    assert history.loss_curve == losses[:6] and history.validation_curve == []
    np.testing.assert_array_equal(params, 5.0)


def test_without_patience_all_epochs_run_and_last_weights_stay() -> None:
    params = np.zeros(2)
    history = train(_scripted([1.0, 2.0, 3.0], params), params, StoppingRule(3, None, 0.0))
    assert history.n_epochs == 3 and history.best_epoch == 3
    np.testing.assert_array_equal(params, 3.0)


def test_validation_loss_is_watched_when_given() -> None:
    params = np.zeros(1)
    val = iter([2.0, 1.0, 1.5, 1.6])
    history = train(
        _scripted([4.0, 3.0, 2.0, 1.0], params),
        params,
        StoppingRule(4, 2, 0.0),
        evaluate=lambda: (next(val), {"accuracy": 0.5}),
    )
    assert history.best_epoch == 2 and history.n_epochs == 4
    assert history.validation_curve == [2.0, 1.0, 1.5, 1.6]
    np.testing.assert_array_equal(params, 2.0)


def test_callbacks_receive_records_and_can_stop() -> None:
    params, seen, also = np.zeros(1), [], []

    def stop_at_two(record: EpochRecord) -> bool:
        seen.append(record)
        return record.epoch == 2

    history = train(
        _scripted([3.0, 2.0, 1.0], params),
        params,
        StoppingRule(3, None, 0.0),
        evaluate=lambda: (0.5, {"accuracy": 1.0}),
        learning_rate=lambda: 0.125,
        callbacks=[stop_at_two, also.append],
    )
    assert history.n_epochs == 2 and len(also) == 2
    first = seen[0]
    assert (first.epoch, first.train_loss, first.val_loss) == (1, 3.0, 0.5)
    assert first.val_metrics == {"accuracy": 1.0} and first.learning_rate == 0.125
    assert first.seconds >= 0
    with pytest.raises(AttributeError):
        first.epoch = 5  # type: ignore[misc]


def test_callback_exceptions_propagate_unchanged() -> None:
    class Pruned(Exception):
        pass

    error = Pruned("stop here")

    def prune(record: EpochRecord) -> None:
        if record.epoch == 2:
            raise error

    params = np.zeros(1)
    with pytest.raises(Pruned) as caught:
        train(
            _scripted([3.0, 2.0, 1.0], params),
            params,
            StoppingRule(3, None, 0.0),
            callbacks=[prune],
        )
    assert caught.value is error


def test_non_finite_loss_raises_divergence_at_that_epoch() -> None:
    params = np.zeros(1)
    with pytest.raises(DivergenceError) as caught:
        train(_scripted([3.0, 2.0, math.nan], params), params, StoppingRule(5, None, 0.0))
    assert (caught.value.epoch, caught.value.last_finite_loss) == (3, 2.0)


def test_non_finite_weights_raise_divergence() -> None:
    params = np.zeros(2)

    def run_epoch() -> float:
        params[1] = math.inf
        return 1.0

    with pytest.raises(DivergenceError) as caught:
        train(run_epoch, params, StoppingRule(5, None, 0.0))
    assert (caught.value.epoch, caught.value.last_finite_loss) == (1, 1.0)
