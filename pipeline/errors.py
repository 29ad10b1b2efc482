"""Named errors of the pure-ML pipeline.

    PipelineError
    ├── DivergenceError    training produced a non-finite loss or weights
    └── DataError          the user's table or split settings cannot be used (ValueError)

Findings that are not errors (a column that looks like a row identifier, junk tokens read as
missing, grouped levels) are returned as data: ``Table.notices``.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class of every error raised by :mod:`pipeline`."""


class DivergenceError(PipelineError, ArithmeticError):
    """Training diverged: the loss or the weights became non-finite.

    Carries the 1-based ``epoch`` at which it happened and the ``last_finite_loss``
    (``None`` when no epoch finished with a finite loss).
    """

    def __init__(self, epoch: int, last_finite_loss: float | None) -> None:
        self.epoch = epoch
        self.last_finite_loss = last_finite_loss
        last = "none" if last_finite_loss is None else f"{last_finite_loss:.6g}"
        super().__init__(f"training diverged at epoch {epoch} (last finite loss: {last})")


class DataError(PipelineError, ValueError):
    """The data cannot be used as given; the message names the file and the column."""
