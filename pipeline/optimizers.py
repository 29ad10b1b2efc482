"""Update rules for a flat parameter vector. They know nothing of layers.

Every optimizer applies Keras's time-based decay, ``lr_t = learning_rate / (1 + decay * t)``,
where ``t`` counts the updates already made (so the first update uses ``learning_rate`` itself).

``step(params, grads)`` updates ``params`` in place and *consumes* ``grads``: the gradient buffer is
used as scratch and holds garbage afterwards. Nothing is allocated per step.

Rules (``g`` the gradient, ``m`` the momentum, ``v`` the velocity):

- ``sgd``:       ``p -= lr_t * g``
- ``momentum``:  ``v = m * v - lr_t * g``; ``p += v``
- ``nesterov``:  ``v = m * v - lr_t * g``; ``p += m * v - lr_t * g``  (Keras's formulation)
- ``adam``:      Kingma & Ba, Algorithm 1: ``p -= lr_t * m_hat / (sqrt(v_hat) + epsilon)``
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


class Optimizer:
    """Base class: plain SGD with time-based learning-rate decay."""

    def __init__(
        self,
        size: int,
        dtype: np.dtype,
        learning_rate: float,
        decay: float = 0.0,
    ) -> None:
        self.learning_rate = learning_rate
        self.decay = decay
        self.updates = 0

    @property
    def current_learning_rate(self) -> float:
        """The rate the next update will use."""
        return self.learning_rate / (1.0 + self.decay * self.updates)

    @property
    def last_learning_rate(self) -> float:
        """The rate the latest update used (the initial rate before any update)."""
        return self.learning_rate / (1.0 + self.decay * max(self.updates - 1, 0))

    def step(self, params: Array, grads: Array) -> None:
        """Update ``params`` in place from ``grads`` (consumed)."""
        lr = self.current_learning_rate
        self.updates += 1
        self._apply(params, grads, lr)

    def _apply(self, params: Array, grads: Array, lr: float) -> None:
        grads *= lr
        params -= grads


class SGD(Optimizer):
    """Plain stochastic gradient descent."""


class Momentum(Optimizer):
    """Heavy-ball momentum."""

    def __init__(
        self,
        size: int,
        dtype: np.dtype,
        learning_rate: float,
        decay: float = 0.0,
        momentum: float = 0.9,
    ) -> None:
        super().__init__(size, dtype, learning_rate, decay)
        self.momentum = momentum
        self.velocity = np.zeros(size, dtype=dtype)

    def _apply(self, params: Array, grads: Array, lr: float) -> None:
        v = self.velocity
        grads *= lr
        v *= self.momentum
        v -= grads
        params += v


class Nesterov(Momentum):
    """Nesterov momentum in Keras's form."""

    def _apply(self, params: Array, grads: Array, lr: float) -> None:
        v = self.velocity
        grads *= lr
        v *= self.momentum
        v -= grads
        params -= grads
        np.multiply(v, self.momentum, out=grads)
        params += grads


class Adam(Optimizer):
    """Adam with bias correction."""

    def __init__(
        self,
        size: int,
        dtype: np.dtype,
        learning_rate: float,
        decay: float = 0.0,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        super().__init__(size, dtype, learning_rate, decay)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.first = np.zeros(size, dtype=dtype)
        self.second = np.zeros(size, dtype=dtype)
        self._scratch = np.empty(size, dtype=dtype)

    def _apply(self, params: Array, grads: Array, lr: float) -> None:
        b1, b2, m, v, s = self.beta_1, self.beta_2, self.first, self.second, self._scratch
        t = self.updates
        np.multiply(grads, grads, out=s)
        v *= b2
        s *= 1.0 - b2
        v += s
        m *= b1
        grads *= 1.0 - b1
        m += grads
        np.sqrt(v, out=s)
        s *= 1.0 / math.sqrt(1.0 - b2**t)  # sqrt(v_hat)
        s += self.epsilon
        np.divide(m, s, out=s)
        s *= lr / (1.0 - b1**t)  # m_hat / (...) * lr
        params -= s


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adam": Adam,
}


def make_optimizer(
    name: str,
    size: int,
    dtype: np.dtype,
    *,
    learning_rate: float,
    decay: float,
    momentum: float,
    beta_1: float,
    beta_2: float,
    epsilon: float,
) -> Optimizer:
    """Build the optimizer called ``name`` for a flat vector of ``size`` parameters."""
    cls = OPTIMIZERS[name]
    if issubclass(cls, Momentum):
        return cls(size, dtype, learning_rate, decay, momentum=momentum)
    if cls is Adam:
        return Adam(
            size, dtype, learning_rate, decay, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon
        )
    return cls(size, dtype, learning_rate, decay)
