"""The epoch loop: divergence checks, early stopping, best-weights restore, per-epoch callbacks.

It knows nothing of layers, Optuna or MLflow: it calls ``run_epoch()`` and ``evaluate()``, watches
the flat parameter vector, and hands one :class:`EpochRecord` per epoch to each callback. A callback
returning a truthy value stops training after that epoch; an exception raised by a callback (for
example ``optuna.TrialPruned``) propagates unchanged.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from pipeline.errors import DivergenceError


@dataclass(frozen=True)
class EpochRecord:
    """What one epoch produced.

    ``train_loss`` is the epoch's mean mini-batch data loss plus the whole weight penalty (L1 and
    L2) at the epoch's end; ``val_loss`` is the data loss on the validation set (no penalty),
    ``None`` without one (both in the units the network trains in: scaled targets for a
    regressor); ``val_metrics`` is ``{"accuracy": ...}`` for a classifier and ``{"r2": ...,
    "rmse": ..., "mae": ...}`` in the target's own units for a regressor (empty without
    validation data); ``seconds`` is the epoch's wall time (training and validation);
    ``learning_rate`` is the rate the epoch's last update used, as its schedule gave it.
    """

    epoch: int
    train_loss: float
    val_loss: float | None
    val_metrics: dict[str, float]
    seconds: float
    learning_rate: float


Callback = Callable[[EpochRecord], object]
Evaluate = Callable[[], tuple[float, dict[str, float]]]


@dataclass(frozen=True)
class StoppingRule:
    """When to stop: after ``max_epochs``, or after ``patience`` epochs without an improvement
    larger than ``tol`` of the watched loss (``patience=None`` disables early stopping)."""

    max_epochs: int
    patience: int | None
    tol: float


@dataclass
class History:
    """The outcome of :func:`train`."""

    loss_curve: list[float] = field(default_factory=list)
    validation_curve: list[float] = field(default_factory=list)
    n_epochs: int = 0
    best_epoch: int = 0


class _Monitor:
    """Tracks the best watched loss and snapshots the parameters at it."""

    def __init__(self, params: NDArray, tol: float) -> None:
        self.params, self.tol = params, tol
        self.best_loss, self.best_epoch, self.stale = math.inf, 0, 0
        self.snapshot: NDArray | None = None

    def update(self, epoch: int, loss: float, keep_weights: bool) -> None:
        """Patience counts epochs not improving by more than ``tol``; the snapshot follows the
        lowest loss seen (as scikit-learn's early stopping does)."""
        self.stale = 0 if loss < self.best_loss - self.tol else self.stale + 1
        if loss < self.best_loss:
            self.best_loss, self.best_epoch = loss, epoch
            if keep_weights:
                if self.snapshot is None:
                    self.snapshot = self.params.copy()
                else:
                    np.copyto(self.snapshot, self.params)

    def restore(self) -> None:
        if self.snapshot is not None:
            np.copyto(self.params, self.snapshot)


def train(
    run_epoch: Callable[[], float],
    params: NDArray,
    rule: StoppingRule,
    *,
    evaluate: Evaluate | None = None,
    learning_rate: Callable[[], float] = lambda: math.nan,
    callbacks: Sequence[Callback] = (),
) -> History:
    """Run epochs until a stopping rule fires; return the curves and the kept epoch.

    With early stopping the best epoch's weights (lowest validation loss when ``evaluate`` is
    given, else lowest training loss) are restored into ``params`` and ``best_epoch`` names it;
    without it the last epoch's weights are kept and ``best_epoch`` is the last epoch.
    Raises :class:`DivergenceError` at the first epoch with a non-finite loss or parameters.
    """
    history, monitor = History(), _Monitor(params, rule.tol)
    early = rule.patience is not None
    for epoch in range(1, rule.max_epochs + 1):
        record = _run_one(epoch, run_epoch, params, evaluate, learning_rate, history)
        history.n_epochs = epoch
        watched = record.train_loss if record.val_loss is None else record.val_loss
        monitor.update(epoch, watched, keep_weights=early)
        stop = False
        for callback in callbacks:
            stop = bool(callback(record)) or stop
        if stop or (early and monitor.stale >= rule.patience):
            break
    if early:
        monitor.restore()
        history.best_epoch = monitor.best_epoch
    else:
        history.best_epoch = history.n_epochs
    return history


def _run_one(
    epoch: int,
    run_epoch: Callable[[], float],
    params: NDArray,
    evaluate: Evaluate | None,
    learning_rate: Callable[[], float],
    history: History,
) -> EpochRecord:
    start = time.perf_counter()
    last_finite = history.loss_curve[-1] if history.loss_curve else None
    train_loss = run_epoch()
    if not (math.isfinite(train_loss) and np.isfinite(params).all()):
        raise DivergenceError(epoch, train_loss if math.isfinite(train_loss) else last_finite)
    val_loss, metrics = evaluate() if evaluate is not None else (None, {})
    if val_loss is not None and not math.isfinite(val_loss):
        raise DivergenceError(epoch, train_loss)
    history.loss_curve.append(train_loss)
    if val_loss is not None:
        history.validation_curve.append(val_loss)
    seconds = time.perf_counter() - start
    return EpochRecord(epoch, train_loss, val_loss, metrics, seconds, learning_rate())
