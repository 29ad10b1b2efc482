"""Data losses on the output layer's logits, and the elastic-net weight penalty.

Every loss works on *logits* (the output layer is linear), which keeps the maths numerically
stable: binary cross-entropy uses ``max(z, 0) - z*y + log1p(exp(-|z|))`` and the categorical one
a max-shifted log-sum-exp. A loss is a mean over rows; its gradient is returned already divided by
the number of rows.

Conventions (documented choices):

- ``squared_error`` is half the squared error summed over outputs, averaged over rows:
  ``0.5 * mean_i ||y_i - z_i||^2`` (MSE / 2 for a single output, as scikit-learn's MLP), so that its
  gradient is simply ``(z - y) / n``.
- The penalty follows Keras's regularizers: ``l1 * sum|W| + l2 * sum W**2`` over weights only
  (never biases), added to the mini-batch loss unscaled by the batch size. Only its smooth part,
  ``l2``, enters the gradient; ``l1`` is applied as a proximal (soft-threshold) step after each
  update (:meth:`pipeline.mlp.optimizers.Optimizer.shrink`), so weights it drives to zero
  are exactly 0.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


class Loss(ABC):
    """A data loss on logits ``(rows, outputs)`` against targets of the same shape."""

    name: str

    @abstractmethod
    def value_and_gradient(self, logits: Array, targets: Array) -> float:
        """Return the mean loss and overwrite ``logits`` with ``dLoss/dlogits``."""

    @abstractmethod
    def link(self, logits: Array) -> Array:
        """Map logits to outputs (probabilities or predictions) in a new array."""

    def value(self, logits: Array, targets: Array) -> float:
        """Return the mean loss without modifying ``logits``."""
        return self.value_and_gradient(logits.copy(), targets)


class BinaryCrossEntropy(Loss):
    """Sigmoid + binary cross-entropy; one output column, targets in {0, 1}."""

    name = "binary_cross_entropy"

    def value_and_gradient(self, logits: Array, targets: Array) -> float:
        z, n = logits, logits.shape[0]
        # -[y log s(z) + (1-y) log(1-s(z))] == softplus(z) - z*y, stable for any finite z
        softplus = np.logaddexp(0.0, z)
        # per-row losses before summing: sum(softplus) - sum(z*y) would cancel catastrophically
        value = float((softplus - z * targets).sum(dtype=np.float64)) / n
        z -= softplus
        np.exp(z, out=z)  # exp(z - softplus(z)) == sigmoid(z), the exponent is always <= 0
        z -= targets
        z *= 1.0 / n
        return value

    def link(self, logits: Array) -> Array:
        """Probability of the positive class, shape ``(rows, 1)``."""
        out = logits.copy()
        _sigmoid_inplace(out)
        return out


class CategoricalCrossEntropy(Loss):
    """Softmax + cross-entropy; one-hot targets of shape ``(rows, classes)``."""

    name = "categorical_cross_entropy"

    def value_and_gradient(self, logits: Array, targets: Array) -> float:
        z = logits
        z -= z.max(axis=1, keepdims=True)
        exp = np.exp(z)
        sums = exp.sum(axis=1, keepdims=True)
        value = float(np.mean(np.log(sums[:, 0]) - np.einsum("ij,ij->i", z, targets)))
        np.divide(exp, sums, out=z)
        z -= targets
        z *= 1.0 / z.shape[0]
        return value

    def link(self, logits: Array) -> Array:
        """Class probabilities, rows summing to one."""
        z = logits - logits.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z


class SquaredError(Loss):
    """Identity output + half squared error (see the module notes)."""

    name = "squared_error"

    def value_and_gradient(self, logits: Array, targets: Array) -> float:
        z = logits
        z -= targets
        n = z.shape[0]
        value = 0.5 * float(np.vdot(z, z)) / n
        z *= 1.0 / n
        return value

    def link(self, logits: Array) -> Array:
        """The predictions themselves."""
        return logits.copy()


def _sigmoid_inplace(z: Array) -> None:
    z *= 0.5
    np.tanh(z, out=z)
    z += 1.0
    z *= 0.5


LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (BinaryCrossEntropy(), CategoricalCrossEntropy(), SquaredError())
}


@dataclass(frozen=True)
class ElasticNet:
    """Penalty ``l1 * sum|W| + l2 * sum W**2`` on a flat vector of weights."""

    l1: float = 0.0
    l2: float = 0.0

    @property
    def active(self) -> bool:
        """Whether the penalty is non-zero at all."""
        return self.l1 > 0 or self.l2 > 0

    def value(self, weights: Array) -> float:
        """The penalty of ``weights`` (both parts)."""
        total = 0.0
        if self.l1 > 0:
            total += self.l1 * float(np.abs(weights).sum(dtype=np.float64))
        if self.l2 > 0:
            total += self.l2 * float(np.vdot(weights, weights))
        return total

    def add_gradient(self, weights: Array, grad: Array, scratch: Array) -> None:
        """``grad += 2 * l2 * W``, the gradient of the smooth part (``l1`` is a proximal step);
        ``scratch`` is shaped like ``weights``."""
        if self.l2 > 0:
            np.multiply(weights, 2.0 * self.l2, out=scratch)
            grad += scratch
