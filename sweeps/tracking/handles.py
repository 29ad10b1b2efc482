"""Pending runs: a name for a run whose MLflow id the background writer has not returned yet."""

from __future__ import annotations

from dataclasses import dataclass

__all__: list[str] = []  # nothing here for other packages


@dataclass(frozen=True)
class PendingRun:
    """A run being created by the background writer; calls may name it before its id exists."""

    key: int
