"""Learning-rate schedules: exact rates per update, warm-up, and what the optimizer reports."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from pipeline.mlp.optimizers import make_optimizer
from pipeline.mlp.schedules import Cosine, TimeDecay, make_schedule


def test_time_decay_is_keras_formula_bit_for_bit() -> None:
    schedule = TimeDecay(0.01, 1e-6)
    for t in (0, 1, 17, 10**6):
        assert schedule(t) == 0.01 / (1.0 + 1e-6 * t)


def test_cosine_goes_from_the_full_rate_to_zero() -> None:
    schedule = Cosine(0.2, total_updates=100)
    assert schedule(0) == 0.2
    assert schedule(50) == pytest.approx(0.1, rel=1e-15)
    assert schedule(25) == pytest.approx(0.1 * (1 + math.cos(math.pi / 4)), rel=1e-15)
    assert 0 < schedule(99) < 1e-4 and schedule(100) == 0.0 and schedule(1000) == 0.0
    rates = [schedule(t) for t in range(101)]
    assert all(a > b for a, b in itertools.pairwise(rates))


def test_linear_warm_up_then_the_schedule() -> None:
    cosine = Cosine(0.2, total_updates=40, warmup_updates=10)
    assert [cosine(t) for t in (0, 4, 9)] == pytest.approx([0.02, 0.1, 0.2], rel=1e-15)
    assert cosine(10) == 0.2 and cosine(25) == pytest.approx(0.1, rel=1e-15)
    assert cosine(40) == 0.0
    time = TimeDecay(0.1, 0.5, warmup_updates=4)
    assert time(1) == pytest.approx(0.1 / 1.5 * 2 / 4, rel=1e-15)
    assert time(4) == 0.1 / (1 + 0.5 * 4)


def test_make_schedule_counts_epochs_in_updates() -> None:
    cosine = make_schedule(
        "cosine", 0.1, decay=0.5, updates_per_epoch=3, max_epochs=10, warmup_epochs=2
    )
    assert isinstance(cosine, Cosine)
    assert (cosine.total_updates, cosine.warmup_updates) == (30, 6)
    time = make_schedule(
        "time", 0.1, decay=0.5, updates_per_epoch=3, max_epochs=10, warmup_epochs=0
    )
    assert isinstance(time, TimeDecay) and time(2) == 0.1 / 2.0
    with pytest.raises(ValueError, match="lr_schedule"):
        make_schedule("step", 0.1, decay=0.0, updates_per_epoch=1, max_epochs=1, warmup_epochs=0)


def test_optimizer_uses_and_reports_its_schedule() -> None:
    schedule = Cosine(1.0, total_updates=4)
    opt = make_optimizer(
        "sgd",
        1,
        np.dtype("float64"),
        schedule,
        momentum=0.0,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
    )
    params, rates = np.zeros(1), []
    for _ in range(4):
        before = params.copy()
        opt.step(params, np.ones(1))
        rates.append(float(before[0] - params[0]))  # the step a unit gradient made
        assert opt.last_learning_rate == pytest.approx(rates[-1], rel=1e-15)
    assert rates == pytest.approx([schedule(t) for t in range(4)], rel=1e-15)
    assert opt.current_learning_rate == schedule(4) == 0.0
