"""Learning-rate schedules: the rate of update ``t`` (``t`` = updates already made, from 0).

An optimizer owns one schedule and asks it for the rate of each update; schedules know nothing of
optimizers or layers. Both schedules take an optional linear warm-up over the first
``warmup_updates`` updates, ``rate(t) * (t + 1) / warmup_updates``, so the first update is not
wasted at rate zero and update ``warmup_updates - 1`` runs at the schedule's own rate.

- ``time``:   Keras's time-based decay, ``learning_rate / (1 + decay * t)`` (the default).
- ``cosine``: ``learning_rate * (1 + cos(pi * p)) / 2`` with ``p = (t - warmup) / (total - warmup)``
  clipped to ``[0, 1]``: the full rate right after warm-up, decaying to 0 at update ``total``
  (``max_epochs`` worth of updates; the last update of a full run uses a small positive rate).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

SCHEDULES = ("time", "cosine")


class Schedule(ABC):
    """The learning rate as a function of the number of updates already made."""

    def __init__(self, learning_rate: float, warmup_updates: int = 0) -> None:
        self.learning_rate = learning_rate
        self.warmup_updates = warmup_updates

    def __call__(self, t: int) -> float:
        """The rate of the update made after ``t`` updates."""
        rate = self._rate(t)
        if t < self.warmup_updates:
            rate *= (t + 1) / self.warmup_updates
        return rate

    @abstractmethod
    def _rate(self, t: int) -> float:
        """The rate without warm-up."""


class TimeDecay(Schedule):
    """Keras's time-based decay: ``learning_rate / (1 + decay * t)``."""

    def __init__(self, learning_rate: float, decay: float = 0.0, warmup_updates: int = 0) -> None:
        super().__init__(learning_rate, warmup_updates)
        self.decay = decay

    def _rate(self, t: int) -> float:
        return self.learning_rate / (1.0 + self.decay * t)


class Cosine(Schedule):
    """Cosine decay from ``learning_rate`` (after warm-up) to 0 at update ``total_updates``."""

    def __init__(self, learning_rate: float, total_updates: int, warmup_updates: int = 0) -> None:
        super().__init__(learning_rate, warmup_updates)
        self.total_updates = total_updates

    def _rate(self, t: int) -> float:
        span = max(self.total_updates - self.warmup_updates, 1)
        progress = min(max((t - self.warmup_updates) / span, 0.0), 1.0)
        return self.learning_rate * 0.5 * (1.0 + math.cos(math.pi * progress))


def make_schedule(
    name: str,
    learning_rate: float,
    *,
    decay: float,
    updates_per_epoch: int,
    max_epochs: int,
    warmup_epochs: int,
) -> Schedule:
    """The schedule called ``name`` (``decay`` is used by ``time`` only)."""
    warmup = warmup_epochs * updates_per_epoch
    if name == "time":
        return TimeDecay(learning_rate, decay, warmup)
    if name == "cosine":
        return Cosine(learning_rate, max_epochs * updates_per_epoch, warmup)
    raise ValueError(f"lr_schedule must be one of {', '.join(map(repr, SCHEDULES))}; got {name!r}")
