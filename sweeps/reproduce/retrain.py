"""One reproduction from start to end: load the logged trial, check its data, retrain it (and
other seeds), compare, and record the result as a new run.

Nothing is written when the run cannot be reproduced (unknown run, changed data); otherwise a
new run under the trial's sweep (its parent run), tagged ``sweeps.reproduces``, records the
retrained values, the comparison and, with other seeds, their spread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline import DivergenceError
from sweeps.core.dataset import SweepData, load_sweep_data
from sweeps.core.trial import OOF_ARTIFACT, curve_metrics, other_seeds
from sweeps.infra.provenance import provenance_tags
from sweeps.infra.threads import blas_limit
from sweeps.records import (
    DIFFERS_TAG,
    PARENT_RUN_TAG,
    PROVENANCE_DIFFERS_TAG,
    REPRODUCES_STATE_TAG,
    REPRODUCES_TAG,
    REPRODUCES_TRIAL_TAG,
    REPRODUCTION,
    ROLE_TAG,
    SEED_TAG,
    SEEDS,
    TRIAL_NUMBER_TAG,
    VERDICT_TAG,
    WEIGHTS_DIGEST_TAG,
)
from sweeps.reproduce.comparison import ReproductionCheck, SeedSpread, compare, spread
from sweeps.reproduce.logged_trial import (
    LoggedTrial,
    Outcome,
    check_data,
    load_original,
    retrain,
    trained_keywords,
)
from sweeps.tracking import TrackingStore

__all__ = ["Reproduction", "reproduce"]


@dataclass(frozen=True)
class Reproduction:
    """A finished reproduction: what was compared, the seed spread, and the new run's id."""

    original: LoggedTrial
    outcome: Outcome
    comparison: ReproductionCheck
    spread: SeedSpread | None
    run_id: str


def reproduce(tracker: TrackingStore, run_id: str, seeds: int = 0) -> Reproduction:
    """Reload, check, retrain and compare; log the reproduction as a new run under the sweep.

    Nothing is written when the run cannot be reproduced (unknown run, changed data).
    """
    original = load_original(tracker, run_id)
    data = load_sweep_data(original.cfg, f"run {run_id}: trial_config.json")
    check_data(original, data)
    with blas_limit(original.blas_threads()):
        outcome = retrain(data, original)
        provenance = provenance_tags()
        spread = seed_spread(data, original, seeds) if seeds else None
    comparison = compare(
        original.compared(),
        outcome.values,
        (original.record.weights_digest, outcome.digest),
        (original.tags, provenance),
        (logged_oof(tracker, original), outcome.oof),
    )
    tags = {**provenance, **data.fingerprint_tags()}
    new_id = log_reproduction(tracker, original, outcome, comparison, spread, tags)
    return Reproduction(original, outcome, comparison, spread, new_id)


def logged_oof(tracker: TrackingStore, original: LoggedTrial) -> np.ndarray | None:
    """The out-of-fold predictions a complete trial logged (None for others, or none)."""
    if original.epochs is not None:
        return None
    found = tracker.read_arrays([original.run_id], OOF_ARTIFACT).get(original.run_id, {})
    return found.get("predictions")


def seed_spread(data: SweepData, original: LoggedTrial, k: int) -> SeedSpread:
    """Retrain with ``k`` other seeds derived from the trial's; collect each compared metric
    (a seed whose training diverges is counted apart)."""
    seeds = other_seeds(original.seed, k)
    return spread(seeds, original.compared(), [_values(data, original, s) for s in seeds])


def _values(data: SweepData, original: LoggedTrial, seed: int) -> dict[str, float] | None:
    try:
        return retrain(data, original, seed).values
    except DivergenceError:
        return None


def log_reproduction(
    tracker: TrackingStore,
    original: LoggedTrial,
    outcome: Outcome,
    comparison: ReproductionCheck,
    spread: SeedSpread | None,
    tags: dict[str, str],
) -> str:
    """A new run under the original's sweep (a child of its parent run, role "reproduction") tagged
    ``sweeps.reproduces``: params, per-epoch curves, compared values, digest and verdict."""
    tags = {
        **tags,
        ROLE_TAG: REPRODUCTION,
        REPRODUCES_TAG: original.run_id,
        REPRODUCES_TRIAL_TAG: original.tags.get(TRIAL_NUMBER_TAG, ""),
        REPRODUCES_STATE_TAG: original.state,
        SEED_TAG: str(outcome.seed),
        WEIGHTS_DIGEST_TAG: outcome.digest,
        VERDICT_TAG: "identical" if comparison.identical else "differs",
        DIFFERS_TAG: ",".join(
            [m.name for m in comparison.differing()]
            + (["out_of_fold"] if comparison.oof_same is False else [])
        ),
        PROVENANCE_DIFFERS_TAG: ",".join(comparison.provenance),
    }
    params = {**original.params, **trained_keywords(original)}
    name = f"reproduce-{original.run_name}"
    parent = original.tags.get(PARENT_RUN_TAG)  # listed with the sweep it reproduces
    run = tracker.start_run(original.experiment_id, name, tags, params, parent)
    for record in outcome.records:
        run.add_metrics(curve_metrics(record, original.folds), step=record.epoch)
    run.add_json(report(original, outcome, comparison, spread), "reproduction.json")
    final = dict(outcome.values) if original.epochs is None else {}
    if spread is not None:
        final.update({f"{SEEDS}{k}_mean": spread.mean(k) for k in spread.values})
        final.update({f"{SEEDS}{k}_std": spread.std(k) for k in spread.values})
    run.finish("FINISHED", final)
    return run.run_id


def report(
    original: LoggedTrial,
    outcome: Outcome,
    comparison: ReproductionCheck,
    spread: SeedSpread | None,
) -> dict[str, Any]:
    """The whole comparison as plain data (the ``reproduction.json`` artifact)."""
    doc: dict[str, Any] = {
        "reproduces": original.run_id,
        "state": original.state,
        "estimator": trained_keywords(original),
        "identical": comparison.identical,
        "metrics": [
            {"name": m.name, "logged": m.logged, "reproduced": m.now, "abs_diff": _finite(m.diff)}
            for m in comparison.metrics
        ],
        "weights_sha256": {"logged": comparison.weights_logged, "reproduced": outcome.digest},
        "out_of_fold_identical": comparison.oof_same,
        "provenance_differs": {k: list(v) for k, v in comparison.provenance.items()},
    }
    if spread is not None:
        doc["seeds"] = {
            "seeds": spread.seeds,
            "diverged": spread.diverged,
            "chance_outside": spread.chance_outside(),
            "metrics": {
                k: {
                    "mean": _finite(spread.mean(k)),
                    "std": _finite(spread.std(k)),
                    "min": _finite(spread.low(k)),
                    "max": _finite(spread.high(k)),
                    "original_vs_range": spread.position(k),
                }
                for k in spread.values
            },
        }
    return doc


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
