"""Finite-difference check of the full training objective's gradient (data loss + penalty)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.activations import ACTIVATIONS, DERIVATIVES
from pipeline.losses import LOSSES, ElasticNet
from pipeline.network import Layout, Workspace, backward, forward, init_params, predict_logits

F64 = np.dtype("float64")
TASKS = {  # loss name -> number of outputs
    "binary_cross_entropy": 1,
    "categorical_cross_entropy": 3,
    "squared_error": 2,
}


def _targets(loss: str, rows: int, rng: np.random.Generator) -> np.ndarray:
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, size=(rows, 1)).astype(float)
    if loss == "categorical_cross_entropy":
        return np.eye(3)[rng.integers(0, 3, size=rows)]
    return rng.normal(size=(rows, 2))


def _objective_and_gradient(
    layout: Layout,
    params: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    activation: str,
    loss: str,
    penalty: ElasticNet,
) -> tuple[float, np.ndarray]:
    coefs, intercepts = layout.unpack(params)
    grads = np.zeros_like(params)
    grad_coefs, grad_intercepts = layout.unpack(grads)
    ws = Workspace(layout.layer_sizes, x.shape[0], F64)
    logits = forward(coefs, intercepts, x, ws, ACTIVATIONS[activation])
    value = LOSSES[loss].value_and_gradient(logits, y)
    backward(coefs, x, ws, grad_coefs, grad_intercepts, DERIVATIVES[activation])
    weights = params[: layout.n_weights]
    penalty.add_gradient(weights, grads[: layout.n_weights], np.empty_like(weights))
    return value + penalty.value(weights), grads


@pytest.mark.parametrize("loss", sorted(TASKS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_gradient_of_full_loss_matches_finite_differences(activation: str, loss: str) -> None:
    rng = np.random.default_rng(42)
    layout = Layout((4, 5, 3, TASKS[loss]))
    params = init_params(layout, rng, F64)
    params += rng.normal(scale=0.1, size=params.shape)  # non-zero biases too
    x, y = rng.normal(size=(9, 4)), _targets(loss, 9, rng)
    penalty = ElasticNet(l1=0.03, l2=0.02)

    _, analytic = _objective_and_gradient(layout, params, x, y, activation, loss, penalty)
    numeric, h = np.zeros_like(params), 1e-6
    for i in range(params.size):
        shifted = params.copy()
        shifted[i] += h
        up, _ = _objective_and_gradient(layout, shifted, x, y, activation, loss, penalty)
        shifted[i] -= 2 * h
        down, _ = _objective_and_gradient(layout, shifted, x, y, activation, loss, penalty)
        numeric[i] = (up - down) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_layout_views_share_memory_and_pack_round_trips() -> None:
    layout = Layout((3, 4, 2))
    flat = np.arange(layout.n_params, dtype=float)
    coefs, intercepts = layout.unpack(flat)
    assert [w.shape for w in coefs] == [(3, 4), (4, 2)]
    assert [b.shape for b in intercepts] == [(4,), (2,)]
    assert layout.n_params == 3 * 4 + 4 * 2 + 4 + 2 and layout.n_weights == 20
    coefs[1][0, 0] = -1.0
    assert flat[12] == -1.0
    np.testing.assert_array_equal(layout.pack(coefs, intercepts, F64), flat)


def test_linear_model_and_chunked_prediction() -> None:
    rng = np.random.default_rng(0)
    layout = Layout((3, 1))  # hidden_layer_sizes == (): a linear model
    params = init_params(layout, rng, F64)
    coefs, intercepts = layout.unpack(params)
    x = rng.normal(size=(10, 3))
    expected = x @ coefs[0] + intercepts[0]
    np.testing.assert_allclose(
        predict_logits(coefs, intercepts, x, ACTIVATIONS["relu"], chunk=4), expected
    )
