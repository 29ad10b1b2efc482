"""Finite-difference checks of the smooth training objective's gradient (data loss + L2 penalty),
with and without a fixed dropout mask; layout, dropout masks and chunked prediction."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from pipeline.mlp.activations import ACTIVATIONS, DERIVATIVES
from pipeline.mlp.losses import LOSSES, ElasticNet
from pipeline.mlp.network import (
    Layout,
    Workspace,
    backward,
    draw_dropout_masks,
    forward,
    init_params,
    predict_logits,
)

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
    masks: list[np.ndarray] | None = None,
) -> tuple[float, np.ndarray]:
    """The smooth objective, data loss + ``l2 * sum W**2``, and the gradient the training step
    uses (``l1`` is left to the proximal step: it must not show in this gradient)."""
    coefs, intercepts = layout.unpack(params)
    grads = np.zeros_like(params)
    grad_coefs, grad_intercepts = layout.unpack(grads)
    ws = Workspace(layout.layer_sizes, x.shape[0], F64, dropout=masks is not None)
    for mask, fixed in zip(ws.masks, masks or [], strict=True):
        mask[...] = fixed
    logits = forward(coefs, intercepts, x, ws, ACTIVATIONS[activation])
    value = LOSSES[loss].value_and_gradient(logits, y)
    backward(coefs, x, ws, grad_coefs, grad_intercepts, DERIVATIVES[activation])
    weights = params[: layout.n_weights]
    penalty.add_gradient(weights, grads[: layout.n_weights], np.empty_like(weights))
    return value + ElasticNet(l2=penalty.l2).value(weights), grads


def _finite_differences(objective: Callable[[np.ndarray], float], params: np.ndarray) -> np.ndarray:
    numeric, h = np.zeros_like(params), 1e-6
    for i in range(params.size):
        shifted = params.copy()
        shifted[i] += h
        up = objective(shifted)
        shifted[i] -= 2 * h
        numeric[i] = (up - objective(shifted)) / (2 * h)
    return numeric


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
    numeric = _finite_differences(
        lambda p: _objective_and_gradient(layout, p, x, y, activation, loss, penalty)[0], params
    )
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_gradient_with_a_fixed_dropout_mask_matches_finite_differences(activation: str) -> None:
    rng = np.random.default_rng(7)
    layout = Layout((4, 6, 5, 2))
    params = init_params(layout, rng, F64)
    params += rng.normal(scale=0.1, size=params.shape)
    x, y = rng.normal(size=(9, 4)), rng.normal(size=(9, 2))
    ws = Workspace(layout.layer_sizes, 9, F64, dropout=True)
    draw_dropout_masks(ws, rng, 0.4)
    masks = [m.copy() for m in ws.masks]
    assert all((m == 0).any() and (m > 1).any() for m in masks)  # some units dropped, some kept
    penalty = ElasticNet(l2=0.01)

    def objective(p: np.ndarray) -> float:
        return _objective_and_gradient(
            layout, p, x, y, activation, "squared_error", penalty, masks
        )[0]

    _, analytic = _objective_and_gradient(
        layout, params, x, y, activation, "squared_error", penalty, masks
    )
    np.testing.assert_allclose(
        analytic, _finite_differences(objective, params), rtol=1e-5, atol=1e-7
    )
    # a unit dropped for every row gets no gradient on its incoming weights
    coefs, _ = layout.unpack(analytic)
    dropped_everywhere = (masks[0] == 0).all(axis=0)
    assert np.all(coefs[0][:, dropped_everywhere] == 0)


def test_dropout_masks_are_zero_or_rescaled_at_the_rate() -> None:
    ws = Workspace((3, 200, 100, 1), 500, np.dtype("float32"), dropout=True)
    assert [m.shape for m in ws.masks] == [(500, 200), (500, 100)] and ws.masks[
        0
    ].dtype == np.float32
    draw_dropout_masks(ws, np.random.default_rng(0), 0.25)
    for mask in ws.masks:
        assert set(np.unique(mask)) == {np.float32(0.0), np.float32(1 / 0.75)}
        assert (mask == 0).mean() == pytest.approx(0.25, abs=0.01)
    tail = ws.head(7)
    assert [m.shape for m in tail.masks] == [(7, 200), (7, 100)]
    assert np.shares_memory(tail.masks[0], ws.masks[0])
    assert Workspace((3, 4, 1), 5, F64).masks == []  # no dropout: no masks, no cost


def test_masks_are_applied_in_forward_only_when_present() -> None:
    rng = np.random.default_rng(3)
    layout = Layout((3, 4, 1))
    params = init_params(layout, rng, F64)
    coefs, intercepts = layout.unpack(params)
    x = rng.normal(size=(5, 3))
    plain = forward(
        coefs, intercepts, x, Workspace(layout.layer_sizes, 5, F64), ACTIVATIONS["tanh"]
    )
    ws = Workspace(layout.layer_sizes, 5, F64, dropout=True)
    ws.masks[0][...] = 2.0  # keep everything, doubled
    doubled = forward(coefs, intercepts, x, ws, ACTIVATIONS["tanh"])
    hidden = np.tanh(x @ coefs[0] + intercepts[0])
    np.testing.assert_allclose(plain, hidden @ coefs[1] + intercepts[1], rtol=1e-12)
    np.testing.assert_allclose(doubled, 2 * hidden @ coefs[1] + intercepts[1], rtol=1e-12)


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
