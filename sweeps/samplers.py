"""Optuna samplers and pruners from config, with the settings that were actually used."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import optuna

from sweeps.config import PrunerConfig, SamplerConfig
from sweeps.space import ParamSpec, grid_of

# Optuna 5 changed TPE's defaults; pin ours so a sweep means the same thing across versions.
TPE_DEFAULTS: dict[str, Any] = {"n_startup_trials": 10, "multivariate": True, "constant_liar": True}
SAMPLER_CLASSES: dict[str, type[optuna.samplers.BaseSampler]] = {
    "tpe": optuna.samplers.TPESampler,
    "random": optuna.samplers.RandomSampler,
    "grid": optuna.samplers.GridSampler,
    "cmaes": optuna.samplers.CmaEsSampler,
    "qmc": optuna.samplers.QMCSampler,
    "nsga2": optuna.samplers.NSGAIISampler,
}
PRUNER_CLASSES: dict[str, type[optuna.pruners.BasePruner]] = {
    "median": optuna.pruners.MedianPruner,
    "percentile": optuna.pruners.PercentilePruner,
    "successive_halving": optuna.pruners.SuccessiveHalvingPruner,
    "hyperband": optuna.pruners.HyperbandPruner,
    "none": optuna.pruners.NopPruner,
}
MEDIAN_DEFAULTS: dict[str, Any] = {"n_startup_trials": 5, "n_warmup_steps": 5}


@contextmanager
def experimental_ok() -> Iterator[None]:
    """Silence Optuna's "experimental" notice for features a sweep file asks for on purpose."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        yield


def sampler_settings(cfg: SamplerConfig, seed: int) -> dict[str, Any]:
    """The keywords the sampler is built with: pinned defaults, then the config's options."""
    settings: dict[str, Any] = {"seed": seed}
    if cfg.type == "tpe":
        settings.update(TPE_DEFAULTS)
    settings.update(cfg.options)
    return settings


def make_sampler(
    cfg: SamplerConfig, seed: int, space: Mapping[str, ParamSpec]
) -> optuna.samplers.BaseSampler:
    """Build the configured sampler; raises TypeError/ValueError for bad options."""
    settings = sampler_settings(cfg, seed)
    with experimental_ok():
        if cfg.type == "grid":
            return optuna.samplers.GridSampler(grid_of(space), **settings)
        return SAMPLER_CLASSES[cfg.type](**settings)


def pruner_settings(cfg: PrunerConfig) -> dict[str, Any]:
    """The keywords the pruner is built with."""
    settings = dict(MEDIAN_DEFAULTS) if cfg.type == "median" else {}
    settings.update(cfg.options)
    return settings


def make_pruner(cfg: PrunerConfig) -> optuna.pruners.BasePruner:
    """Build the configured pruner; ``patient`` wraps ``options.wrapped`` (default median)."""
    settings = pruner_settings(cfg)
    if cfg.type != "patient":
        return PRUNER_CLASSES[cfg.type](**settings)
    wrapped_type = settings.pop("wrapped", "median")
    wrapped_options = settings.pop("wrapped_options", {})
    if wrapped_type not in PRUNER_CLASSES:
        raise ValueError(f"wrapped must be one of {sorted(PRUNER_CLASSES)}")
    wrapped = make_pruner(PrunerConfig(type=wrapped_type, options=wrapped_options))
    with experimental_ok():
        return optuna.pruners.PatientPruner(wrapped, **settings)
