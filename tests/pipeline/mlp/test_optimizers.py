"""One exact update step per optimizer (and a second one, to see the decay), by hand; the same for
the proximal L1 step that follows an update."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipeline.mlp.optimizers import OPTIMIZERS, Optimizer, make_optimizer
from pipeline.mlp.schedules import TimeDecay

P0 = np.array([1.0, -2.0])
G1 = np.array([0.5, -0.25])
G2 = np.array([-1.0, 2.0])
LR, DECAY, MOMENTUM = 0.1, 0.5, 0.9


def _optimizer(name: str, size: int, dtype: str = "float64", **extra: float) -> Optimizer:
    hyper = {"momentum": MOMENTUM, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8} | extra
    return make_optimizer(name, size, np.dtype(dtype), TimeDecay(LR, DECAY), **hyper)


def _steps(name: str, **extra: float) -> tuple[np.ndarray, np.ndarray, float]:
    opt = _optimizer(name, 2, **extra)
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
        TimeDecay(1.0, 0.25),
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


# -- proximal L1 step ---------------------------------------------------------------------------

# Four "weights" then one "bias"; shrink() is given the weights only.
P = np.array([0.3, -0.02, 0.004, -1.0, 0.5])
G = np.array([0.5, 0.1, -0.2, 0.4, 1.0])
L1 = 0.5
WEIGHTS = 4


def _soft(values: np.ndarray, tau: float | np.ndarray) -> np.ndarray:
    return np.sign(values) * np.maximum(np.abs(values) - tau, 0.0)


def _step_and_shrink(name: str, **extra: float) -> tuple[Optimizer, np.ndarray]:
    opt = _optimizer(name, P.size, **extra)
    params = P.copy()
    opt.step(params, G.copy())
    opt.shrink(params[:WEIGHTS], L1, np.empty(WEIGHTS))
    return opt, params


def _assert_shrunk(params: np.ndarray, stepped: np.ndarray, tau: float | np.ndarray) -> None:
    expected = _soft(stepped[:WEIGHTS], tau)
    np.testing.assert_allclose(params[:WEIGHTS], expected, rtol=1e-14, atol=0.0)
    assert (params[:WEIGHTS] == 0.0).sum() == (expected == 0.0).sum() >= 1  # exact zeros
    assert params[WEIGHTS] == pytest.approx(stepped[WEIGHTS], rel=1e-14)  # biases: never shrunk


def test_sgd_proximal_step_soft_thresholds_by_lr_times_l1() -> None:
    _, params = _step_and_shrink("sgd")
    stepped = P - LR * G  # [0.25, -0.03, 0.024, -1.04, 0.4]; tau = 0.05
    _assert_shrunk(params, stepped, LR * L1)
    np.testing.assert_allclose(params, [0.2, 0.0, 0.0, -0.99, 0.4], rtol=1e-14)


@pytest.mark.parametrize("name", ["momentum", "nesterov"])
def test_momentum_proximal_step_also_leaves_the_velocity(name: str) -> None:
    opt, params = _step_and_shrink(name)
    velocity = -LR * G
    stepped = P + velocity if name == "momentum" else P + MOMENTUM * velocity - LR * G
    _assert_shrunk(params, stepped, LR * L1)
    removed = stepped[:WEIGHTS] - params[:WEIGHTS]
    np.testing.assert_allclose(opt.velocity[:WEIGHTS], velocity[:WEIGHTS] - removed, rtol=1e-14)
    assert opt.velocity[WEIGHTS] == pytest.approx(velocity[WEIGHTS], rel=1e-14)
    if name == "momentum":  # the velocity stays the parameters' displacement
        np.testing.assert_allclose(opt.velocity, params - P, rtol=1e-14, atol=1e-17)


def test_adam_proximal_step_uses_a_threshold_per_coordinate() -> None:
    eps = 1e-3
    _, params = _step_and_shrink("adam", epsilon=eps)
    # t = 1: m_hat = g, v_hat = g**2, so the step is lr * g / (|g| + eps)
    stepped = P - LR * G / (np.abs(G) + eps)
    tau = LR * L1 / (np.abs(G[:WEIGHTS]) + eps)
    _assert_shrunk(params, stepped, tau)


def test_adam_keeps_its_update_rule_when_shrinking_later() -> None:
    _, shrunk = _step_and_shrink("adam")
    opt = _optimizer("adam", P.size)
    plain = P.copy()
    opt.step(plain, G.copy())
    np.testing.assert_array_equal(shrunk[WEIGHTS:], plain[WEIGHTS:])


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_proximal_step_in_float32_makes_exact_zeros(name: str) -> None:
    opt = _optimizer(name, 6, dtype="float32")
    params = np.array([1e-4, -1e-4, 2.0, -2.0, 0.0, 1.0], dtype=np.float32)
    opt.step(params, np.zeros(6, dtype=np.float32))
    opt.shrink(params[:5], 0.01, np.empty(5, dtype=np.float32))
    assert params.dtype == np.float32
    assert params[0] == params[1] == params[4] == 0.0 and abs(params[2]) < 2.0
