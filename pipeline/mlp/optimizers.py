"""Update rules for a flat parameter vector, and the proximal L1 step. They know nothing of layers.

Every optimizer asks its :class:`~pipeline.mlp.schedules.Schedule` for the rate ``lr_t`` of update
``t`` (``t`` = updates already made, so by default the first update uses ``learning_rate`` itself,
then Keras's time-based decay).

``step(params, grads)`` updates ``params`` in place and *consumes* ``grads``: the gradient buffer is
used as scratch and holds garbage afterwards. Nothing is allocated per step.

Rules (``g`` the gradient, ``m`` the momentum, ``v`` the velocity):

- ``sgd``:       ``p -= lr_t * g``
- ``momentum``:  ``v = m * v - lr_t * g``; ``p += v``
- ``nesterov``:  ``v = m * v - lr_t * g``; ``p += m * v - lr_t * g``  (Keras's formulation)
- ``adam``:      Kingma & Ba, Algorithm 1: ``p -= lr_t * m_hat / (sqrt(v_hat) + epsilon)``

L1 as a proximal step: ``shrink(head, l1, scratch)``, called right after ``step``, soft-thresholds
the leading coordinates ``head`` of the parameters (the runner passes the weights, never the
biases): ``w <- sign(w) * max(|w| - tau, 0)``, computed as ``w - clip(w, -tau, tau)`` so weights
within ``tau`` of zero become exactly 0. ``tau`` is the step the update gave the gradient, times
``l1`` (the penalty ``l1 * sum|W|`` being added unscaled to each batch's mean loss):

- ``sgd``: ``tau = lr_t * l1``.
- ``momentum`` / ``nesterov``: ``tau = lr_t * l1``, and the amount removed is also taken out of
  the velocity, so that the velocity stays the parameters' actual displacement. Without that, the
  velocity keeps pushing zeroed weights off zero and the fixed points satisfy ``|g| <= (1 - m) l1``
  instead of the L1 optimality condition ``|g| <= l1`` (a penalty ten times weaker at ``m = 0.9``).
- ``adam``: per coordinate, ``tau_i = lr_t * l1 / (sqrt(v_hat_i) + epsilon)``: the proximal step in
  Adam's own diagonal metric, the one its gradient step uses (as in preconditioned proximal
  methods, e.g. Yun et al., ProxGen, NeurIPS 2021). At a fixed point (``m_hat = g``) a weight is 0
  exactly when ``|g| <= l1``, else ``g = -l1 * sign(w)``: the optimality conditions of
  ``loss + l1 * sum|W|``, the objective reported in ``loss_curve_``, as for SGD. A uniform
  ``lr_t * l1`` would instead compare ``l1`` with the *normalised* step
  ``m_hat / (sqrt(v_hat) + epsilon)`` (about 1 for any steady gradient, whatever its size), so
  ``l1`` would no longer mean the penalty of that objective and would barely sparsify (the
  measurement is in the README, under The MLP).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from pipeline.mlp.schedules import Schedule

Array = NDArray[np.floating]


class Optimizer:
    """Base class: plain SGD at the rate its schedule gives."""

    def __init__(self, size: int, dtype: np.dtype, schedule: Schedule) -> None:
        self.schedule = schedule
        self.updates = 0

    @property
    def current_learning_rate(self) -> float:
        """The rate the next update will use."""
        return self.schedule(self.updates)

    @property
    def last_learning_rate(self) -> float:
        """The rate the latest update used (the first update's rate before any update)."""
        return self.schedule(max(self.updates - 1, 0))

    def step(self, params: Array, grads: Array) -> None:
        """Update ``params`` in place from ``grads`` (consumed)."""
        lr = self.current_learning_rate
        self.updates += 1
        self._apply(params, grads, lr)

    def _apply(self, params: Array, grads: Array, lr: float) -> None:
        grads *= lr
        params -= grads

    def shrink(self, head: Array, l1: float, scratch: Array) -> None:
        """Proximal step of ``l1 * sum|head|`` after :meth:`step` (see the module notes).

        ``head`` is a leading slice ``params[:k]``; ``scratch`` has its shape and ends up holding
        the amount removed from each coordinate.
        """
        tau = self.last_learning_rate * l1
        head.clip(-tau, tau, out=scratch)
        head -= scratch


class SGD(Optimizer):
    """Plain stochastic gradient descent."""


class Momentum(Optimizer):
    """Heavy-ball momentum."""

    def __init__(
        self,
        size: int,
        dtype: np.dtype,
        schedule: Schedule,
        momentum: float = 0.9,
    ) -> None:
        super().__init__(size, dtype, schedule)
        self.momentum = momentum
        self.velocity = np.zeros(size, dtype=dtype)

    def _apply(self, params: Array, grads: Array, lr: float) -> None:
        v = self.velocity
        grads *= lr
        v *= self.momentum
        v -= grads
        params += v

    def shrink(self, head: Array, l1: float, scratch: Array) -> None:
        """Soft-threshold by ``lr_t * l1`` and take the same amount out of the velocity."""
        super().shrink(head, l1, scratch)
        self.velocity[: head.shape[0]] -= scratch


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
    """Adam with bias correction; keeps ``sqrt(v_hat) + epsilon`` of its latest update."""

    def __init__(
        self,
        size: int,
        dtype: np.dtype,
        schedule: Schedule,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        super().__init__(size, dtype, schedule)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.first = np.zeros(size, dtype=dtype)
        self.second = np.zeros(size, dtype=dtype)
        self.denominator = np.ones(size, dtype=dtype)
        self._scratch = np.empty(size, dtype=dtype)

    def _apply(self, params: Array, grads: Array, lr: float) -> None:
        b1, b2, m, v, s = self.beta_1, self.beta_2, self.first, self.second, self._scratch
        d, t = self.denominator, self.updates
        np.multiply(grads, grads, out=s)
        v *= b2
        s *= 1.0 - b2
        v += s
        m *= b1
        grads *= 1.0 - b1
        m += grads
        np.sqrt(v, out=d)
        d *= 1.0 / math.sqrt(1.0 - b2**t)  # sqrt(v_hat)
        d += self.epsilon
        np.divide(m, d, out=s)
        s *= lr / (1.0 - b1**t)  # m_hat / (...) * lr
        params -= s

    def shrink(self, head: Array, l1: float, scratch: Array) -> None:
        """Soft-threshold coordinate ``i`` by ``lr_t * l1 / (sqrt(v_hat_i) + epsilon)``."""
        tau = self._scratch[: head.shape[0]]
        np.divide(self.last_learning_rate * l1, self.denominator[: head.shape[0]], out=tau)
        np.negative(tau, out=scratch)
        head.clip(scratch, tau, out=scratch)
        head -= scratch


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
    schedule: Schedule,
    *,
    momentum: float,
    beta_1: float,
    beta_2: float,
    epsilon: float,
) -> Optimizer:
    """Build the optimizer called ``name`` for a flat vector of ``size`` parameters."""
    cls = OPTIMIZERS[name]
    if issubclass(cls, Momentum):
        return cls(size, dtype, schedule, momentum=momentum)
    if cls is Adam:
        return Adam(size, dtype, schedule, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
    return cls(size, dtype, schedule)
