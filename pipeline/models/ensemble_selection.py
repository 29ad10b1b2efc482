"""Ensemble selection (Caruana, Niculescu-Mizil, Crew and Ksikes, ICML 2004) on out-of-fold
predictions.

Every candidate model has predicted each scored row once, from a model that did not train on it
(its K-fold's held-out rows, or the validation split). Greedy forward selection with
replacement: start from the best single candidate, then repeatedly add the candidate (again, if
it helps most) whose inclusion gives the best score of the averaged predictions; keep the
ensemble of the best step (the earliest, on ties). A candidate's weight is the share of the
steps that picked it. Ties between candidates go to the earlier one (the caller orders them by
their own scores), so the result is a function of the inputs alone.

Choosing weights on the rows that also score the ensemble flatters it. :func:`cross_fitted`
measures the selection honestly: the rows are cut into parts; each part is predicted by weights
selected on the other parts only.

Predictions are ``(rows, columns)`` arrays: class probabilities for classification (columns in
class order, ``y`` holds class indices), predictions in the target's units for regression.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
#: Lower is better; compared as a tuple (the metric, then a tie-breaker such as the log loss).
Loss = tuple[float, float]
#: Metrics ensemble selection can optimise, by task; the greater-is-better ones.
METRICS = {
    "classification": ("val_loss", "val_accuracy"),
    "regression": ("val_loss", "val_rmse", "val_mae", "val_r2"),
}
GREATER_IS_BETTER = frozenset({"val_accuracy", "val_r2"})
_EPS = 1e-15


@dataclass(frozen=True)
class Scorer:
    """The metric of a sweep's objective, computed on pooled predictions of scored rows.

    ``scale`` is the regression target's spread (for ``val_loss``, half the mean squared
    error in units of ``scale``, as the MLP's loss on standardised targets)."""

    metric: str
    task: str
    y: NDArray
    scale: float = 1.0

    def value(self, pred: F64) -> float:
        """The metric's own value (accuracy and R² as they are: greater is better)."""
        if self.task == "classification":
            return self._log_loss(pred) if self.metric == "val_loss" else self._accuracy(pred)
        error = pred[:, 0] - self.y
        if self.metric == "val_loss":
            return float(0.5 * np.mean((error / self.scale) ** 2))
        if self.metric == "val_rmse":
            return float(np.sqrt(np.mean(error**2)))
        if self.metric == "val_mae":
            return float(np.mean(np.abs(error)))
        total = float(np.sum((self.y - self.y.mean()) ** 2))
        residual = float(np.sum(error**2))
        return 1.0 - residual / total if total > 0 else float(residual == 0)

    def loss(self, pred: F64) -> Loss:
        """What selection minimises: the metric (negated when greater is better), then for
        accuracy the log loss (accuracy alone is flat between most steps)."""
        value = self.value(pred)
        primary = -value if self.metric in GREATER_IS_BETTER else value
        secondary = self._log_loss(pred) if self.metric == "val_accuracy" else 0.0
        return primary, secondary

    def subset(self, rows: NDArray) -> Scorer:
        """The same scorer on ``rows`` only."""
        return Scorer(self.metric, self.task, self.y[rows], self.scale)

    def _log_loss(self, pred: F64) -> float:
        picked = pred[np.arange(len(self.y)), self.y]
        return float(-np.mean(np.log(np.clip(picked, _EPS, 1.0))))

    def _accuracy(self, pred: F64) -> float:
        return float(np.mean(np.argmax(pred, axis=1) == self.y))


def make_scorer(metric: str, task: str, y: NDArray) -> Scorer:
    """The scorer of ``metric`` for ``task`` (``y``: class indices or target values)."""
    if metric not in METRICS.get(task, ()):
        raise ValueError(f"ensemble selection cannot optimise {metric!r} for {task}")
    if task == "classification":
        return Scorer(metric, task, np.asarray(y, dtype=np.intp))
    values = np.asarray(y, dtype=np.float64)
    spread = float(values.std())
    return Scorer(metric, task, values, spread if spread > 0 else 1.0)


def greedy_weights(preds: Sequence[NDArray], scorer: Scorer, size: int) -> F64:
    """Weights (summing to 1) of the ensemble of ``preds`` chosen by at most ``size`` greedy
    steps with replacement; the first step takes the best single candidate."""
    if not preds or size < 1:
        raise ValueError("need at least one candidate and one step")
    stack = np.stack([np.asarray(p, dtype=np.float64) for p in preds])
    counts = np.zeros(len(stack), dtype=np.int64)
    running = np.zeros_like(stack[0])
    best: tuple[Loss, NDArray[np.int64]] | None = None
    for step in range(1, size + 1):
        losses = [scorer.loss((running + p) / step) for p in stack]
        pick = min(range(len(stack)), key=lambda i: (losses[i], i))
        counts[pick] += 1
        running += stack[pick]
        if best is None or losses[pick] < best[0]:
            best = (losses[pick], counts.copy())
    assert best is not None
    return best[1] / best[1].sum()


def blend(preds: Sequence[NDArray], weights: F64) -> F64:
    """The weighted mean of ``preds`` (float64)."""
    total = np.zeros(np.shape(preds[0]), dtype=np.float64)
    for pred, weight in zip(preds, weights, strict=True):
        if weight:
            total += weight * np.asarray(pred, dtype=np.float64)
    return total


def cross_fitted(
    preds: Sequence[NDArray],
    scorer: Scorer,
    size: int,
    *,
    parts: int = 5,
    seed: int = 0,
    select: Callable[[Sequence[NDArray], Scorer, int], F64] = greedy_weights,
) -> F64:
    """Predictions of every row by an ensemble whose weights were selected on the other rows:
    the rows are shuffled by ``seed`` and cut into ``parts`` parts."""
    n_rows = len(scorer.y)
    order = np.random.default_rng(seed).permutation(n_rows)
    out = np.zeros(np.shape(preds[0]), dtype=np.float64)
    for held in np.array_split(order, min(parts, n_rows)):
        train = np.setdiff1d(order, held)
        weights = select([np.asarray(p)[train] for p in preds], scorer.subset(train), size)
        out[held] = blend([np.asarray(p)[held] for p in preds], weights)
    return out
