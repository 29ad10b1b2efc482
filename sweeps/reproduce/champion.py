"""Reproducing a champion: every member trial retrained from its logged keywords and seed
(each checked as ``sweeps reproduce`` checks a trial: metrics, weights, out-of-fold
predictions), then the champion's own out-of-fold predictions, the members' weighted blend,
compared bit for bit with the blend of what the members logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sweeps.core.trial import OOF_ARTIFACT
from sweeps.errors import ConfigError, RunNotFoundError
from sweeps.records import CHAMPION, ROLE_TAG
from sweeps.reproduce.comparison import same_arrays
from sweeps.reproduce.retrain import Reproduction, reproduce
from sweeps.tracking import TrackingStore, fetch_run

__all__ = ["ChampionReproduction", "is_champion", "reproduce_champion"]

CHOICE_ARTIFACT = "champion.json"


@dataclass(frozen=True)
class ChampionMember:
    """A member trial's run and weight, as the champion run recorded them."""

    trial: int
    run_id: str
    weight: float


@dataclass(frozen=True)
class ChampionReproduction:
    """Each member's reproduction and whether the champion's blend came back bit for bit."""

    run_id: str
    members: list[tuple[ChampionMember, Reproduction]]
    blend_same: bool
    rows: int

    @property
    def identical(self) -> bool:
        """Every member identical and the blend too."""
        return self.blend_same and all(r.comparison.identical for _, r in self.members)


def is_champion(tracker: TrackingStore, run_id: str) -> bool:
    """Whether ``run_id`` is a sweep's champion run."""
    return fetch_run(tracker, run_id).tags.get(ROLE_TAG) == CHAMPION


def reproduce_champion(tracker: TrackingStore, run_id: str, seeds: int = 0) -> ChampionReproduction:
    """Reproduce every member of the champion run ``run_id`` and its blended out-of-fold
    predictions."""
    members = champion_members(tracker, run_id)
    done = [(m, reproduce(tracker, m.run_id, seeds)) for m in members]
    logged = tracker.read_arrays([m.run_id for m in members], OOF_ARTIFACT)
    try:
        before = _blend([(m.weight, logged[m.run_id]["predictions"]) for m in members])
    except KeyError:
        raise RunNotFoundError(f"champion {run_id}: a member logged no {OOF_ARTIFACT}") from None
    now = [(m, r.outcome.oof) for m, r in done]
    after = None if any(o is None for _, o in now) else _blend([(m.weight, o) for m, o in now])
    return ChampionReproduction(run_id, done, same_arrays(before, after) is True, len(before))


def champion_members(tracker: TrackingStore, run_id: str) -> list[ChampionMember]:
    """The members the champion run's ``champion.json`` names (checked)."""
    if not is_champion(tracker, run_id):
        raise RunNotFoundError(f"run {run_id} is not a champion run")
    choice: Any = tracker.read_json(run_id, CHOICE_ARTIFACT)
    try:
        members = [
            ChampionMember(int(m["trial"]), str(m["run_id"]), float(m["weight"]))
            for m in choice["members"]
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"run {run_id}: {CHOICE_ARTIFACT} is unusable ({exc})") from None
    weights = [m.weight for m in members]
    if not members or min(weights) <= 0 or not np.isclose(sum(weights), 1.0):
        raise ConfigError(f"run {run_id}: {CHOICE_ARTIFACT}: weights must be positive, sum 1")
    return members


def _blend(parts: list[tuple[float, np.ndarray]]) -> np.ndarray:
    total = np.zeros(parts[0][1].shape, dtype=np.float64)
    for weight, predictions in parts:
        total += weight * predictions.astype(np.float64)
    return total
