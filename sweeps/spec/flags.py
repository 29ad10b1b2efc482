"""What the command line sets on top of a sweep file, as one small value (no schema, no
pydantic: a command builds it before it knows whether it will read a sweep file at all)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Flags"]


@dataclass(frozen=True)
class Flags:
    """What the command line sets on top of a sweep file."""

    sets: tuple[str, ...] = ()
    study_name: str | None = None
    storage: str | None = None
    tracking_uri: str | None = None
    trials: int | None = None
    timeout: float | None = None

    def values(self) -> dict[str, Any]:
        """The dedicated flags that were given, by key path."""
        pairs = {
            "study.name": self.study_name,
            "study.storage": self.storage,
            "tracking.uri": self.tracking_uri,
            "study.n_trials": self.trials,
            "study.timeout": self.timeout,
        }
        return {key: value for key, value in pairs.items() if value is not None}
