"""One exact update step per optimizer (and a second one, to see the decay), by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipeline.optimizers import OPTIMIZERS, make_optimizer

P0 = np.array([1.0, -2.0])
G1 = np.array([0.5, -0.25])
G2 = np.array([-1.0, 2.0])
LR, DECAY, MOMENTUM = 0.1, 0.5, 0.9


def _steps(name: str, **extra: float) -> tuple[np.ndarray, np.ndarray, float]:
    hyper = {
        "learning_rate": LR,
        "decay": DECAY,
        "momentum": MOMENTUM,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "epsilon": 1e-8,
    } | extra
    opt = make_optimizer(name, 2, np.dtype("float64"), **hyper)
    params = P0.copy()
    opt.step(params, G1.copy())
    first = params.copy()
    opt.step(params, G2.copy())
    return first, params, opt.last_learning_rate


LR2 = LR / (1 + DECAY * 1)  # the second update's decayed rate


def test_sgd() -> None:
    first, second, lr = _steps("sgd")
    np.testing.assert_allclose(first, [1.0 - 0.05, -2.0 + 0.025], rtol=1e-15)
    np.testing.assert_allclose(second, first - LR2 * G2, rtol=1e-15)
    assert lr == pytest.approx(LR2)


def test_momentum() -> None:
    first, second, _ = _steps("momentum")
    v1 = -LR * G1  # [-0.05, 0.025]
    np.testing.assert_allclose(first, [0.95, -1.975], rtol=1e-15)
    v2 = MOMENTUM * v1 - LR2 * G2
    np.testing.assert_allclose(second, first + v2, rtol=1e-15)


def test_nesterov() -> None:
    first, second, _ = _steps("nesterov")
    v1 = -LR * G1
    # p += m * v - lr * g  ->  1 + 0.9 * (-0.05) - 0.05 = 0.905
    np.testing.assert_allclose(first, [0.905, -1.9525], rtol=1e-15)
    v2 = MOMENTUM * v1 - LR2 * G2
    np.testing.assert_allclose(second, first + MOMENTUM * v2 - LR2 * G2, rtol=1e-15)


def test_adam() -> None:
    first, second, _ = _steps("adam", epsilon=1e-3)
    # t = 1: m_hat = g, v_hat = g**2  ->  step = lr * g / (|g| + eps)
    np.testing.assert_allclose(first, P0 - LR * G1 / (np.abs(G1) + 1e-3), rtol=1e-12)
    m = 0.9 * 0.1 * G1 + 0.1 * G2
    v = 0.999 * 0.001 * G1**2 + 0.001 * G2**2
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    np.testing.assert_allclose(second, first - LR2 * m_hat / (np.sqrt(v_hat) + 1e-3), rtol=1e-12)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_float32_stays_float32_and_decay_is_keras_time_based(name: str) -> None:
    opt = make_optimizer(
        name,
        3,
        np.dtype("float32"),
        learning_rate=1.0,
        decay=0.25,
        momentum=0.5,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
    )
    params = np.ones(3, dtype=np.float32)
    for _ in range(4):
        opt.step(params, np.full(3, 0.1, dtype=np.float32))
    assert params.dtype == np.float32
    assert opt.current_learning_rate == pytest.approx(1.0 / (1 + 0.25 * 4))
    assert math.isclose(opt.last_learning_rate, 1.0 / (1 + 0.25 * 3))
