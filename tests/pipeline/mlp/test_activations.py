"""Activations and their derivatives against direct formulas and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.mlp.activations import ACTIVATIONS, DERIVATIVES

REFERENCE = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
}


@pytest.fixture
def z() -> np.ndarray:
    return np.random.default_rng(0).normal(scale=2.0, size=(6, 5))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_formula_in_place(name: str, z: np.ndarray) -> None:
    out = z.copy()
    assert ACTIVATIONS[name](out) is None
    np.testing.assert_allclose(out, REFERENCE[name](z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_finite_difference(name: str, z: np.ndarray) -> None:
    a = REFERENCE[name](z)
    delta = np.full_like(z, 3.0)
    DERIVATIVES[name](a.copy(), delta)
    h = 1e-6
    numeric = (REFERENCE[name](z + h) - REFERENCE[name](z - h)) / (2 * h)
    np.testing.assert_allclose(delta, 3.0 * numeric, rtol=1e-6, atol=1e-8)


def test_sigmoid_is_stable_at_extremes() -> None:
    z = np.array([[-1e4, -80.0, 0.0, 80.0, 1e4]], dtype=np.float32)
    ACTIVATIONS["sigmoid"](z)
    assert np.isfinite(z).all()
    np.testing.assert_allclose(z, [[0.0, 0.0, 0.5, 1.0, 1.0]], atol=1e-30)
