"""Why a trial was pruned, against what: the words the pruner's decision deserves.

Optuna's median and percentile pruners compare the trial's best value reported so far with the
median (a percentile) of the values the *complete* trials reported at the same step; successive
halving and Hyperband keep the best ``1/reduction_factor`` of the trials that reached a rung;
the patient pruner waits ``patience`` reports without improvement before asking the pruner it
wraps. The reason names those numbers, e.g. ``pruned at epoch 20: best val_loss so far 0.0817
is worse than the median 0.0612 of 12 complete trials at epoch 20``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from optuna.trial import FrozenTrial

__all__ = ["pruned_reason"]


def pruned_reason(
    kind: str,
    settings: Mapping[str, Any],
    minimize: bool,
    epoch: int,
    metric: str,
    reported: Mapping[int, float],
    others: Sequence[FrozenTrial],
) -> str:
    """The reason of a trial pruned at ``epoch`` by pruner ``kind`` built with ``settings``:
    ``reported`` its values by step, ``others`` the study's complete trials."""
    head = f"pruned at epoch {epoch}: "
    if kind == "patient":
        patience = settings.get("patience", 0)
        wrapped = pruned_reason(
            str(settings.get("wrapped", "median")),
            settings.get("wrapped_options", {}),
            minimize,
            epoch,
            metric,
            reported,
            others,
        ).removeprefix(head)
        return f"{head}no better {metric} for {patience} reports, and {wrapped}"
    if kind in ("median", "percentile"):
        q = 50.0 if kind == "median" else float(settings.get("percentile", 25.0))
        return head + _below_percentile(q, minimize, epoch, metric, reported, others)
    if kind in ("successive_halving", "hyperband"):
        factor = settings.get("reduction_factor", 3 if kind == "hyperband" else 4)
        value = reported[epoch]
        return (
            f"{head}{metric} {value:.4g} is not among the best 1/{factor} of the trials that "
            f"reached this rung ({kind.replace('_', ' ')})"
        )
    return f"{head}{metric} {reported[epoch]:.4g}"


def _below_percentile(
    q: float,
    minimize: bool,
    epoch: int,
    metric: str,
    reported: Mapping[int, float],
    others: Sequence[FrozenTrial],
) -> str:
    """The trial's best value so far against the ``q``th percentile (mirrored when
    maximising, as Optuna's pruner does) of the complete trials' values at ``epoch``."""
    values = [t.intermediate_values[epoch] for t in others if epoch in t.intermediate_values]
    best = min(reported.values()) if minimize else max(reported.values())
    label = "the median" if q == 50 else f"the {q:g}th percentile"
    if not values:
        return f"best {metric} so far {best:.4g}"
    reference = float(np.nanpercentile(values, q if minimize else 100 - q))
    return (
        f"best {metric} so far {best:.4g} is worse than {label} {reference:.4g} of "
        f"{len(values)} complete trials at epoch {epoch}"
    )
