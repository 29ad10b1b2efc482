"""One pass over the training data in mini-batches: shuffle, (dropout masks,) forward, loss,
backward, (L2 gradient,) step, (L1 proximal step).

Everything a batch touches is preallocated once per fit (a workspace for full batches, a view of it
for the last, shorter batch; gradient and penalty buffers; dropout masks; the shuffled copy of the
data), so the per-batch cost is a fixed, small number of numpy calls; the bracketed stages run
only when their hyperparameter is non-zero.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from pipeline.mlp.activations import ACTIVATIONS, DERIVATIVES
from pipeline.mlp.blas_warmup import warm_gemm_buffer
from pipeline.mlp.losses import ElasticNet, Loss
from pipeline.mlp.network import Layout, Workspace, backward, draw_dropout_masks, forward
from pipeline.mlp.optimizers import Optimizer

Array = NDArray[np.floating]


def batch_size_for(rows: int, batch_size: int | None) -> int:
    """The batch size actually used: ``batch_size`` clipped to ``rows``, all rows for ``None``."""
    return rows if batch_size is None else min(batch_size, rows)


def batches_per_epoch(rows: int, batch_size: int | None) -> int:
    """Number of updates one epoch makes (the last batch may be shorter)."""
    return math.ceil(rows / batch_size_for(rows, batch_size))


class EpochRunner:
    """Trains ``params`` (flat, updated in place) one epoch per :meth:`run` call."""

    def __init__(
        self,
        x: Array,
        targets: Array,
        params: Array,
        layout: Layout,
        *,
        activation: str,
        loss: Loss,
        penalty: ElasticNet,
        optimizer: Optimizer,
        batch_size: int | None,
        shuffle: bool,
        rng: np.random.Generator,
        dropout: float = 0.0,
    ) -> None:
        warm_gemm_buffer()
        n = x.shape[0]
        self.x, self.targets, self.params = x, targets, params
        self.batch_size = batch_size_for(n, batch_size)
        self.shuffle = shuffle and self.batch_size < n
        self.loss, self.penalty, self.optimizer, self.rng = loss, penalty, optimizer, rng
        self.activation, self.derivative = ACTIVATIONS[activation], DERIVATIVES[activation]
        self.grads = np.zeros_like(params)
        self.coefs, self.intercepts = layout.unpack(params)
        self.grad_coefs, self.grad_intercepts = layout.unpack(self.grads)
        self.weights = params[: layout.n_weights]
        self.grad_weights = self.grads[: layout.n_weights]
        self.scratch = np.empty_like(self.weights) if penalty.active else None
        self.l1, self.smooth_penalty, self.dropout = penalty.l1, penalty.l2 > 0, dropout
        self.ws = Workspace(layout.layer_sizes, self.batch_size, params.dtype, dropout=dropout > 0)
        tail = n % self.batch_size
        self.ws_tail = self.ws.head(tail) if tail else self.ws
        if self.shuffle:
            self._x_shuffled, self._t_shuffled = np.empty_like(x), np.empty_like(targets)

    def run(self) -> float:
        """Train one epoch; return the training objective: the mean mini-batch data loss (under
        dropout when it is on) plus the whole penalty, L1 included, of the weights at the end.

        Stops at the first batch with a non-finite loss and returns that loss.
        """
        x, t = self._epoch_order()
        n, size = x.shape[0], self.batch_size
        total = 0.0
        with np.errstate(all="ignore"):
            for start in range(0, n, size):
                xb, tb = x[start : start + size], t[start : start + size]
                ws = self.ws if xb.shape[0] == size else self.ws_tail
                loss = self._step(xb, tb, ws)
                if not math.isfinite(loss):
                    return loss
                total += loss * xb.shape[0]
            penalty = self.penalty.value(self.weights) if self.penalty.active else 0.0
        return total / n + penalty

    def _epoch_order(self) -> tuple[Array, Array]:
        if not self.shuffle:
            return self.x, self.targets
        order = self.rng.permutation(self.x.shape[0])
        # a permutation is always in range: "clip" skips numpy's bounds check and the temporary
        # copy that mode="raise" makes when ``out`` is given (2-3x faster, same values)
        np.take(self.x, order, axis=0, out=self._x_shuffled, mode="clip")
        np.take(self.targets, order, axis=0, out=self._t_shuffled, mode="clip")
        return self._x_shuffled, self._t_shuffled

    def _step(self, xb: Array, tb: Array, ws: Workspace) -> float:
        if self.dropout:
            draw_dropout_masks(ws, self.rng, self.dropout)
        logits = forward(self.coefs, self.intercepts, xb, ws, self.activation)
        loss = self.loss.value_and_gradient(logits, tb)
        if not math.isfinite(loss):
            return loss
        backward(self.coefs, xb, ws, self.grad_coefs, self.grad_intercepts, self.derivative)
        if self.smooth_penalty:
            self.penalty.add_gradient(self.weights, self.grad_weights, self.scratch)
        self.optimizer.step(self.params, self.grads)
        if self.l1:
            self.optimizer.shrink(self.weights, self.l1, self.scratch)
        return loss
