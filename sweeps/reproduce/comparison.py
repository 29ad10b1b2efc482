"""How a reproduction compares with the run it reproduces: metric by metric, bit for bit, and
against the spread of other seeds. Plain values only; no store is touched here."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from sweeps.records import PROVENANCE_PREFIXES

__all__ = ["ReproductionCheck", "SeedSpread"]


@dataclass(frozen=True)
class MetricDiff:
    """One metric as logged by the original run and as reproduced (None: not produced)."""

    name: str
    logged: float
    now: float | None

    @property
    def same(self) -> bool:
        """Bit for bit equal (two NaNs count as equal)."""
        if self.now is None:
            return False
        return self.logged == self.now or (math.isnan(self.logged) and math.isnan(self.now))

    @property
    def diff(self) -> float:
        """``|now - logged|``; 0 when the same, infinite when not reproduced or NaN on one side."""
        if self.same:
            return 0.0
        if self.now is None or math.isnan(self.now) or math.isnan(self.logged):
            return math.inf
        return abs(self.now - self.logged)


@dataclass(frozen=True)
class ReproductionCheck:
    """Every compared metric, both weight digests and the provenance tags that changed."""

    metrics: list[MetricDiff]
    weights_logged: str | None
    weights_now: str
    provenance: dict[str, tuple[str | None, str | None]]
    oof_same: bool | None = None  # out-of-fold predictions bit for bit (None: none logged)

    @property
    def weights_same(self) -> bool | None:
        """Whether the digests match; None when the original logged none (not COMPLETE)."""
        return None if self.weights_logged is None else self.weights_logged == self.weights_now

    @property
    def identical(self) -> bool:
        """Every metric bit for bit, and the weights too when the original logged them."""
        return (
            all(m.same for m in self.metrics)
            and self.weights_same is not False
            and self.oof_same is not False
        )

    def differing(self) -> list[MetricDiff]:
        """The metrics that differ, largest difference first."""
        return sorted((m for m in self.metrics if not m.same), key=lambda m: -m.diff)


def compare(
    logged: Mapping[str, float],
    now: Mapping[str, float],
    weights: tuple[str | None, str],
    provenance: tuple[Mapping[str, str], Mapping[str, str]],
    oof: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
) -> ReproductionCheck:
    """Compare logged and reproduced metrics (every logged one), digests, out-of-fold
    predictions (when logged) and provenance tags."""
    diffs = [MetricDiff(k, v, now.get(k)) for k, v in sorted(logged.items())]
    changes = provenance_changes(*provenance)
    return ReproductionCheck(diffs, weights[0], weights[1], changes, same_arrays(*oof))


def same_arrays(logged: np.ndarray | None, now: np.ndarray | None) -> bool | None:
    """Bit for bit equal (same dtype, shape and bytes); None when nothing was logged."""
    if logged is None:
        return None
    return (
        now is not None
        and logged.dtype == now.dtype
        and logged.shape == now.shape
        and logged.tobytes() == now.tobytes()
    )


def provenance_changes(
    logged: Mapping[str, str], now: Mapping[str, str]
) -> dict[str, tuple[str | None, str | None]]:
    """Provenance tags whose value differs: ``{tag: (logged, now)}``."""
    keys = {k for k in (*logged, *now) if k.startswith(PROVENANCE_PREFIXES)}
    return {k: (logged.get(k), now.get(k)) for k in sorted(keys) if logged.get(k) != now.get(k)}


@dataclass(frozen=True)
class SeedSpread:
    """Each compared metric over retrainings with other seeds, beside the original's value.

    With a few seeds a mean ± 2 std band says little (3 seeds may agree to the last bit), so
    the original is placed against the seeds' range instead: if it is just another seed, it
    falls outside the range of K others by chance with probability 2 / (K + 1) (each of the
    K + 1 values is equally likely to be the lowest or the highest): half the time for K = 3.
    """

    seeds: list[int]
    original: dict[str, float]
    values: dict[str, list[float]]
    diverged: list[int] = field(default_factory=list)

    def _finite(self, name: str) -> np.ndarray:
        values = np.asarray(self.values[name], dtype=np.float64)
        return values[np.isfinite(values)]

    def mean(self, name: str) -> float:
        """Mean over the other seeds (NaN when none gave a value)."""
        values = self._finite(name)
        return float(values.mean()) if values.size else math.nan

    def std(self, name: str) -> float:
        """Sample standard deviation (ddof=1) over the other seeds (NaN below two values)."""
        values = self._finite(name)
        return float(values.std(ddof=1)) if values.size > 1 else math.nan

    def low(self, name: str) -> float:
        """The lowest value of the other seeds (NaN when none gave a value)."""
        values = self._finite(name)
        return float(values.min()) if values.size else math.nan

    def high(self, name: str) -> float:
        """The highest value of the other seeds (NaN when none gave a value)."""
        values = self._finite(name)
        return float(values.max()) if values.size else math.nan

    def position(self, name: str) -> str:
        """Where the original lies against the other seeds' range: ``"below"``, ``"above"``,
        ``"within"``, ``"same"`` (every seed gave the original's value) or ``"unknown"`` (no
        seed gave a finite value, or the original is not finite)."""
        low, high, value = self.low(name), self.high(name), self.original[name]
        if math.isnan(low) or not math.isfinite(value):
            return "unknown"
        if value < low:
            return "below"
        if value > high:
            return "above"
        return "same" if low == high else "within"

    def outside(self) -> list[str]:
        """Metrics on which the original lies outside the other seeds' range."""
        return [name for name in self.values if self.position(name) in ("below", "above")]

    def chance_outside(self) -> float:
        """How often a value like the seeds' falls outside the range of the other seeds by
        chance alone, per metric: 2 / (K + 1) for K seeds that gave a value (at most 1)."""
        return min(1.0, 2 / (len(self.seeds) - len(self.diverged) + 1))


def spread(
    seeds: Sequence[int],
    original: Mapping[str, float],
    runs: Sequence[Mapping[str, float] | None],
) -> SeedSpread:
    """Collect each original metric's values over ``runs`` (one per seed; None: diverged)."""
    values = {name: [float((r or {}).get(name, math.nan)) for r in runs] for name in original}
    diverged = [seed for seed, r in zip(seeds, runs, strict=True) if r is None]
    return SeedSpread(list(seeds), dict(original), values, diverged)
