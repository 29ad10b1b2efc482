"""Losses on logits: values against naive formulas, gradients, stability; the weight penalty."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pipeline.mlp.losses import LOSSES, ElasticNet

RNG = np.random.default_rng(1)
BIG = float(np.float32(1e30))  # logits far beyond any sane model, yet their differences fit


def _case(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "binary_cross_entropy":
        return RNG.normal(size=(7, 1)), RNG.integers(0, 2, size=(7, 1)).astype(float)
    if name == "categorical_cross_entropy":
        return RNG.normal(size=(7, 4)), np.eye(4)[RNG.integers(0, 4, size=7)]
    return RNG.normal(size=(7, 2)), RNG.normal(size=(7, 2))


def _naive(name: str, z: np.ndarray, y: np.ndarray) -> float:
    if name == "binary_cross_entropy":
        p = 1 / (1 + np.exp(-z))
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    if name == "categorical_cross_entropy":
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return float(-np.mean(np.sum(y * np.log(p), axis=1)))
    return float(0.5 * np.mean(np.sum((z - y) ** 2, axis=1)))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_value_matches_naive_formula_and_leaves_logits(name: str) -> None:
    z, y = _case(name)
    before = z.copy()
    assert LOSSES[name].value(z, y) == pytest.approx(_naive(name, z, y), rel=1e-12)
    np.testing.assert_array_equal(z, before)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_gradient_matches_finite_difference(name: str) -> None:
    z, y = _case(name)
    grad = z.copy()
    LOSSES[name].value_and_gradient(grad, y)
    numeric = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[idx] = 1e-6
        numeric[idx] = (_naive(name, z + step, y) - _naive(name, z - step, y)) / 2e-6
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ["binary_cross_entropy", "categorical_cross_entropy"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_is_stable_for_huge_logits(name: str, dtype: type) -> None:
    width = 1 if name == "binary_cross_entropy" else 3
    z = np.array([[1e4] * width, [-1e4] * width], dtype=dtype)
    z[:, 0] *= -1 if width > 1 else 1
    y = np.zeros_like(z)
    y[:, 0] = 1.0
    with np.errstate(all="raise", under="ignore"):
        value = LOSSES[name].value_and_gradient(z, y)
    assert np.isfinite(value) and np.isfinite(z).all()
    assert value > 1e3  # one row is confidently wrong by ~1e4


def test_links_give_probabilities() -> None:
    z = RNG.normal(scale=50, size=(5, 4))
    proba = LOSSES["categorical_cross_entropy"].link(z)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    p = LOSSES["binary_cross_entropy"].link(z[:, :1])
    assert ((p >= 0) & (p <= 1)).all()
    np.testing.assert_array_equal(LOSSES["squared_error"].link(z), z)


def test_elastic_net_value_and_gradient() -> None:
    w = np.array([1.5, -2.0, 0.5])
    penalty = ElasticNet(l1=0.1, l2=0.01)
    assert penalty.value(w) == pytest.approx(0.1 * 4.0 + 0.01 * (2.25 + 4.0 + 0.25))
    grad = np.ones(3)
    penalty.add_gradient(w, grad, np.empty(3))  # the smooth part only: l1 is a proximal step
    np.testing.assert_allclose(grad, 1.0 + 0.02 * w)
    only_l1 = np.ones(3)
    ElasticNet(l1=0.1).add_gradient(w, only_l1, np.empty(3))
    np.testing.assert_array_equal(only_l1, 1.0)
    assert not ElasticNet().active and ElasticNet(l2=1e-9).active


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float32,
        st.tuples(st.integers(1, 6), st.integers(1, 4)),
        elements=st.floats(-BIG, BIG, width=32),
    )
)
def test_cross_entropies_stay_finite_and_non_negative_for_huge_logits(z: np.ndarray) -> None:
    rows, width = z.shape
    name = "binary_cross_entropy" if width == 1 else "categorical_cross_entropy"
    targets = np.zeros_like(z)
    targets[:, 0] = 1.0
    grad = z.copy()
    with np.errstate(all="ignore"):
        value = LOSSES[name].value_and_gradient(grad, targets)
    assert np.isfinite(value) and value >= 0
    assert np.isfinite(grad).all() and (np.abs(grad) <= 1.0 / rows + 1e-6).all()
