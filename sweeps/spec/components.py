"""The study's components a sweep file names: samplers and pruners, and the settings each is
built with. Names and settings only: :mod:`sweeps.study.samplers` builds the Optuna objects
(a test checks that it builds every name listed here, and nothing else)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["pruner_settings"]

#: The samplers a sweep file may name.
SAMPLER_NAMES = ("tpe", "random", "grid", "cmaes", "qmc", "nsga2")
#: Samplers that optimise a single objective (Optuna refuses them on a multi-objective study).
SINGLE_OBJECTIVE = frozenset({"cmaes"})
#: The pruners a sweep file may name (``patient`` wraps another pruner).
PRUNER_NAMES = ("median", "percentile", "successive_halving", "hyperband", "patient", "none")
# Optuna 5 changed TPE's defaults; pin ours so a sweep means the same thing across versions.
TPE_DEFAULTS: dict[str, Any] = {"n_startup_trials": 10, "multivariate": True, "constant_liar": True}


def sampler_settings(kind: str, options: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """The keywords sampler ``kind`` is built with: the seed, pinned defaults, then
    ``options``."""
    settings: dict[str, Any] = {"seed": seed}
    if kind == "tpe":
        settings.update(TPE_DEFAULTS)
    settings.update(options)
    return settings


def median_defaults(n_trials: int | None, max_epochs: int | None) -> dict[str, Any]:
    """The median pruner's defaults, scaled to the sweep: no trial is pruned before 5 trials
    (or a fifth of the budget, whichever is more) have completed, nor before a quarter of its
    epochs (at least 5). A 30-trial sweep then keeps about half its trials to the end, where
    Optuna's defaults (5 trials, no warm-up) prune most trials in their first epochs."""
    return {
        "n_startup_trials": max(5, (n_trials or 0) // 5),
        "n_warmup_steps": max(5, (max_epochs or 20) // 4),
    }


def pruner_settings(
    kind: str,
    options: Mapping[str, Any],
    n_trials: int | None = None,
    max_epochs: int | None = None,
) -> dict[str, Any]:
    """The keywords pruner ``kind`` is built with: the median pruner's defaults scaled to the
    sweep's budget and epochs (see :func:`median_defaults`), then ``options``."""
    settings = median_defaults(n_trials, max_epochs) if kind == "median" else {}
    settings.update(options)
    return settings
