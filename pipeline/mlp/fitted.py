"""A fitted MLP as plain arrays, and back: how a trial's fold models are kept after the search.

:func:`fitted_arrays` gives what training learned (weights, biases and the epoch counts);
:func:`restore_fitted` puts them into an unfitted estimator built with the same keywords,
learning the label set or the target scaling again from the same training targets (exactly as
``fit`` did). The arrays are untrusted input (an artifact read back from a store): their
names, shapes, dtype and values are checked against the network the keywords describe, and
nothing but numbers is read (``numpy.load(..., allow_pickle=False)`` upstream).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from pipeline.mlp.estimator import BaseMLP
from pipeline.mlp.hyperparams import validate
from pipeline.mlp.network import Layout

#: Scalar history of a fit, kept beside the weights.
HISTORY = ("n_epochs", "best_epoch")


def fitted_arrays(model: BaseMLP, prefix: str = "") -> dict[str, NDArray]:
    """The learned state of ``model``: ``coef_<i>``, ``intercept_<i>``, ``n_epochs``,
    ``best_epoch``, ``loss_curve`` and ``validation_curve`` (keys after ``prefix``)."""
    arrays: dict[str, NDArray] = {}
    for i, (w, b) in enumerate(zip(model.coefs_, model.intercepts_, strict=True)):
        arrays[f"{prefix}coef_{i}"] = w
        arrays[f"{prefix}intercept_{i}"] = b
    arrays[f"{prefix}n_epochs"] = np.array(model.n_epochs_, dtype=np.int64)
    arrays[f"{prefix}best_epoch"] = np.array(model.best_epoch_, dtype=np.int64)
    arrays[f"{prefix}loss_curve"] = np.asarray(model.loss_curve_, dtype=np.float64)
    arrays[f"{prefix}validation_curve"] = np.asarray(model.validation_curve_, dtype=np.float64)
    return arrays


def restore_fitted(
    model: BaseMLP,
    arrays: Mapping[str, NDArray],
    y_train: NDArray,
    n_features: int,
    prefix: str = "",
) -> BaseMLP:
    """``model`` (unfitted, with the keywords it was trained with) holding the learned state
    in ``arrays`` (see :func:`fitted_arrays`); ``y_train`` and ``n_features`` are the targets and
    input width it was trained on. Raises ValueError when the arrays do not describe that
    network."""
    hp = validate(model.get_params(deep=False))
    targets = model._encode(np.asarray(y_train), hp.dtype, fitting=True)
    layout = Layout((n_features, *hp.hidden_layer_sizes, targets.shape[1]))
    coefs, intercepts = _layers(arrays, layout, hp.dtype, prefix)
    model.n_features_in_ = int(n_features)
    model.coefs_, model.intercepts_ = coefs, intercepts
    model.n_outputs_ = int(layout.layer_sizes[-1])
    model.n_params_ = int(layout.n_params)
    model.n_epochs_, model.best_epoch_ = (_count(arrays, f"{prefix}{k}") for k in HISTORY)
    model.loss_curve_ = _curve(arrays, f"{prefix}loss_curve")
    model.validation_curve_ = _curve(arrays, f"{prefix}validation_curve")
    if not 1 <= model.best_epoch_ <= model.n_epochs_:
        raise ValueError(f"best_epoch {model.best_epoch_} outside 1..{model.n_epochs_}")
    return model


def _layers(
    arrays: Mapping[str, NDArray], layout: Layout, dtype: np.dtype, prefix: str
) -> tuple[list[NDArray], list[NDArray]]:
    """The weights and biases ``layout`` needs, checked for shape, dtype and finiteness."""
    coefs, intercepts = [], []
    sizes = layout.layer_sizes
    for i in range(len(sizes) - 1):
        coefs.append(_array(arrays, f"{prefix}coef_{i}", (sizes[i], sizes[i + 1]), dtype))
        intercepts.append(_array(arrays, f"{prefix}intercept_{i}", (sizes[i + 1],), dtype))
    extra = f"{prefix}coef_{len(sizes) - 1}"
    if extra in arrays:
        raise ValueError(f"{extra}: more layers than hidden_layer_sizes describes")
    return coefs, intercepts


def _array(
    arrays: Mapping[str, NDArray], key: str, shape: tuple[int, ...], dtype: np.dtype
) -> NDArray:
    if key not in arrays:
        raise ValueError(f"{key} is missing")
    array = np.asarray(arrays[key])
    if array.shape != shape or array.dtype != dtype:
        raise ValueError(f"{key}: {array.dtype}{array.shape}, expected {dtype}{shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{key} holds non-finite values")
    return np.array(array, copy=True)


def _count(arrays: Mapping[str, NDArray], key: str) -> int:
    if key not in arrays:
        raise ValueError(f"{key} is missing")
    value = np.asarray(arrays[key])
    if value.shape != () or value.dtype.kind not in "iu":
        raise ValueError(f"{key}: expected one integer")
    return int(value)


def _curve(arrays: Mapping[str, NDArray], key: str) -> list[float]:
    if key not in arrays:
        raise ValueError(f"{key} is missing")
    value = np.asarray(arrays[key])
    if value.ndim != 1 or value.dtype.kind != "f":
        raise ValueError(f"{key}: expected a 1-d float array")
    return [float(v) for v in value]
