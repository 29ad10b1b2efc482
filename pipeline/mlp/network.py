"""A fully connected network as plain arrays: parameter layout, initialisation, forward, backward.

All parameters live in one flat vector (weights of every layer first, then every bias), so that an
optimizer step or a penalty is one vectorised operation; ``coefs``/``intercepts`` are views into it.

Shapes, for ``layer_sizes = (n_in, h_1, ..., n_out)`` and a batch of ``m`` rows::

    coefs[i]       (layer_sizes[i], layer_sizes[i + 1])
    intercepts[i]  (layer_sizes[i + 1],)
    acts[i]        (m, layer_sizes[i + 1])      output of layer i (the last one holds logits)
    deltas[i]      (m, layer_sizes[i + 1])      dLoss/dz of layer i (deltas[-1] is acts[-1])
    masks[i]       (m, layer_sizes[i + 1])      dropout mask of hidden layer i: 0 or 1 / (1 - rate)
    dropped[i]     (m, layer_sizes[i + 1])      acts[i] * masks[i], the input of layer i + 1

Inverted dropout (training only) multiplies each hidden activation by its mask; the masks and
``dropped`` buffers exist only in a workspace made with ``dropout=True``, and :func:`forward` and
:func:`backward` use them whenever they exist (the caller draws the masks first).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pipeline.mlp.activations import Activation, Derivative

Array = NDArray[np.floating]


@dataclass(frozen=True)
class Layout:
    """Where each layer's weights and bias sit in the flat parameter vector."""

    layer_sizes: tuple[int, ...]

    @property
    def n_weights(self) -> int:
        """Number of weights (the leading part of the flat vector)."""
        sizes = self.layer_sizes
        return sum(a * b for a, b in itertools.pairwise(sizes))

    @property
    def n_params(self) -> int:
        """Number of trainable parameters: weights and biases."""
        return self.n_weights + sum(self.layer_sizes[1:])

    def unpack(self, flat: Array) -> tuple[list[Array], list[Array]]:
        """Views of ``flat`` as ``(coefs, intercepts)``."""
        sizes = self.layer_sizes
        coefs, intercepts, at = [], [], 0
        for fan_in, fan_out in itertools.pairwise(sizes):
            coefs.append(flat[at : at + fan_in * fan_out].reshape(fan_in, fan_out))
            at += fan_in * fan_out
        for fan_out in sizes[1:]:
            intercepts.append(flat[at : at + fan_out])
            at += fan_out
        return coefs, intercepts

    def pack(self, coefs: Sequence[Array], intercepts: Sequence[Array], dtype: np.dtype) -> Array:
        """A new flat vector holding copies of ``coefs`` then ``intercepts``."""
        parts = [np.ravel(a) for a in (*coefs, *intercepts)]
        return np.concatenate(parts).astype(dtype, copy=False)


def init_params(layout: Layout, rng: np.random.Generator, dtype: np.dtype) -> Array:
    """Glorot-uniform weights, ``U(-sqrt(6 / (fan_in + fan_out)), +...)``, and zero biases.

    Drawn in float64 and then cast, so float32 and float64 models start from the same weights.
    """
    flat = np.zeros(layout.n_params, dtype=dtype)
    coefs, _ = layout.unpack(flat)
    for w in coefs:
        fan_in, fan_out = w.shape
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        w[...] = rng.uniform(-bound, bound, size=w.shape)
    return flat


class Workspace:
    """Preallocated activation and delta buffers (and dropout masks when asked for) for batches
    of up to ``rows`` rows."""

    def __init__(
        self,
        layer_sizes: Sequence[int],
        rows: int,
        dtype: np.dtype,
        *,
        dropout: bool = False,
    ) -> None:
        self.rows = rows
        self.acts = [np.empty((rows, width), dtype=dtype) for width in layer_sizes[1:]]
        self.deltas = [np.empty_like(a) for a in self.acts[:-1]] + [self.acts[-1]]
        self.ones = np.ones(rows, dtype=dtype)  # bias gradients as ones @ delta (BLAS gemv)
        hidden = self.acts[:-1] if dropout else []
        self.masks = [np.empty_like(a) for a in hidden]
        self.dropped = [np.empty_like(a) for a in hidden]

    def head(self, rows: int) -> Workspace:
        """A workspace whose buffers are the first ``rows`` rows of this one (no copy)."""
        view = object.__new__(Workspace)
        view.rows = rows
        view.acts = [a[:rows] for a in self.acts]
        view.deltas = [d[:rows] for d in self.deltas[:-1]] + [view.acts[-1]]
        view.ones = self.ones[:rows]
        view.masks = [m[:rows] for m in self.masks]
        view.dropped = [d[:rows] for d in self.dropped]
        return view


def draw_dropout_masks(ws: Workspace, rng: np.random.Generator, rate: float) -> None:
    """Fill ``ws.masks`` with inverted-dropout masks: 0 with probability ``rate``, else
    ``1 / (1 - rate)`` (so activations keep their expected value)."""
    keep = 1.0 / (1.0 - rate)
    for mask in ws.masks:
        rng.random(out=mask, dtype=mask.dtype)
        np.greater_equal(mask, rate, out=mask)
        mask *= keep


def forward(
    coefs: Sequence[Array],
    intercepts: Sequence[Array],
    x: Array,
    ws: Workspace,
    activation: Activation,
) -> Array:
    """Run ``x`` (m, n_in) through the network; return the logits (m, n_out), a view into ``ws``.

    Applies ``ws.masks`` to the hidden activations when the workspace has them.
    """
    a = x
    last = len(coefs) - 1
    for i, (w, b) in enumerate(zip(coefs, intercepts, strict=True)):
        z = ws.acts[i]
        np.matmul(a, w, out=z)
        z += b
        if i < last:
            activation(z)
            if ws.masks:
                z = np.multiply(z, ws.masks[i], out=ws.dropped[i])
        a = z
    return a


def backward(
    coefs: Sequence[Array],
    x: Array,
    ws: Workspace,
    grad_coefs: Sequence[Array],
    grad_intercepts: Sequence[Array],
    derivative: Derivative,
) -> None:
    """Fill the gradients from ``ws.deltas[-1]`` (dLoss/dlogits, already averaged over rows).

    Must follow :func:`forward` on the same ``x`` and ``ws``; overwrites the hidden activations.
    """
    inputs = ws.dropped or ws.acts
    for i in range(len(coefs) - 1, -1, -1):
        delta = ws.deltas[i]
        np.matmul((inputs[i - 1] if i else x).T, delta, out=grad_coefs[i])
        np.matmul(ws.ones, delta, out=grad_intercepts[i])
        if i:
            if delta.shape[1] == 1:  # one output unit: an outer product, cheaper broadcast
                np.multiply(delta, coefs[i].T, out=ws.deltas[i - 1])
            else:
                np.matmul(delta, coefs[i].T, out=ws.deltas[i - 1])
            if ws.masks:
                ws.deltas[i - 1] *= ws.masks[i - 1]
            derivative(ws.acts[i - 1], ws.deltas[i - 1])


def predict_logits(
    coefs: Sequence[Array],
    intercepts: Sequence[Array],
    x: Array,
    activation: Activation,
    chunk: int = 4096,
) -> Array:
    """Logits for every row of ``x``, computed ``chunk`` rows at a time into one new array of
    the parameters' dtype (each chunk of ``x`` is cast to it)."""
    dtype = coefs[0].dtype
    sizes = (coefs[0].shape[0], *(w.shape[1] for w in coefs))
    out = np.empty((x.shape[0], sizes[-1]), dtype=dtype)
    ws = Workspace(sizes, min(chunk, max(x.shape[0], 1)), dtype)
    for start in range(0, x.shape[0], ws.rows):
        rows = np.asarray(x[start : start + ws.rows], dtype=dtype)
        sub = ws if rows.shape[0] == ws.rows else ws.head(rows.shape[0])
        out[start : start + rows.shape[0]] = forward(coefs, intercepts, rows, sub, activation)
    return out
