"""Optuna samplers and pruners by name, with the settings they were actually built with.

:data:`SAMPLERS` and :data:`PRUNERS` are the one list of the names a sweep file may use.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import optuna

from sweeps.space import ParamSpec, grid_of

#: Sampler name -> Optuna class.
SAMPLERS: dict[str, type[optuna.samplers.BaseSampler]] = {
    "tpe": optuna.samplers.TPESampler,
    "random": optuna.samplers.RandomSampler,
    "grid": optuna.samplers.GridSampler,
    "cmaes": optuna.samplers.CmaEsSampler,
    "qmc": optuna.samplers.QMCSampler,
    "nsga2": optuna.samplers.NSGAIISampler,
}
#: Pruner name -> Optuna class (``patient`` wraps another pruner).
PRUNERS: dict[str, type[optuna.pruners.BasePruner]] = {
    "median": optuna.pruners.MedianPruner,
    "percentile": optuna.pruners.PercentilePruner,
    "successive_halving": optuna.pruners.SuccessiveHalvingPruner,
    "hyperband": optuna.pruners.HyperbandPruner,
    "patient": optuna.pruners.PatientPruner,
    "none": optuna.pruners.NopPruner,
}
# Optuna 5 changed TPE's defaults; pin ours so a sweep means the same thing across versions.
TPE_DEFAULTS: dict[str, Any] = {"n_startup_trials": 10, "multivariate": True, "constant_liar": True}


@contextmanager
def experimental_ok() -> Iterator[None]:
    """Silence Optuna's "experimental" notice for features a sweep file asks for on purpose."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        yield


def sampler_settings(kind: str, options: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """The keywords sampler ``kind`` is built with: the seed, pinned defaults, then
    ``options``."""
    settings: dict[str, Any] = {"seed": seed}
    if kind == "tpe":
        settings.update(TPE_DEFAULTS)
    settings.update(options)
    return settings


def make_sampler(
    kind: str, options: Mapping[str, Any], seed: int, space: Mapping[str, ParamSpec]
) -> optuna.samplers.BaseSampler:
    """Build sampler ``kind``; raises TypeError/ValueError for bad options."""
    settings = sampler_settings(kind, options, seed)
    with experimental_ok():
        if kind == "grid":
            return optuna.samplers.GridSampler(grid_of(space), **settings)
        return SAMPLERS[kind](**settings)


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


def make_pruner(
    kind: str,
    options: Mapping[str, Any],
    n_trials: int | None = None,
    max_epochs: int | None = None,
) -> optuna.pruners.BasePruner:
    """Build pruner ``kind``; ``patient`` wraps ``options.wrapped`` (default median)."""
    settings = pruner_settings(kind, options, n_trials, max_epochs)
    if kind != "patient":
        return PRUNERS[kind](**settings)
    wrapped_kind = settings.pop("wrapped", "median")
    wrapped_options = settings.pop("wrapped_options", {})
    if wrapped_kind not in PRUNERS or wrapped_kind == "patient":
        raise ValueError(f"wrapped must be one of {sorted(set(PRUNERS) - {'patient'})}")
    with experimental_ok():
        wrapped = make_pruner(wrapped_kind, wrapped_options, n_trials, max_epochs)
        return optuna.pruners.PatientPruner(wrapped, **settings)
