"""Every configured sampler and pruner builds, with pinned and overridable settings."""

from __future__ import annotations

import optuna
import pytest
from pydantic import TypeAdapter

from sweeps.config import PrunerConfig, SamplerConfig
from sweeps.space import ParamSpec
from sweeps.study import samplers
from sweeps.study.samplers import TPE_DEFAULTS, make_pruner, make_sampler, sampler_settings

SPACE = TypeAdapter(dict[str, ParamSpec]).validate_python(
    {
        "depth": {"type": "int", "low": 1, "high": 3},
        "act": {"type": "categorical", "choices": [1, 2]},
    }
)
SAMPLERS = {
    "tpe": optuna.samplers.TPESampler,
    "random": optuna.samplers.RandomSampler,
    "grid": optuna.samplers.GridSampler,
    "cmaes": optuna.samplers.CmaEsSampler,
    "qmc": optuna.samplers.QMCSampler,
    "nsga2": optuna.samplers.NSGAIISampler,
}
PRUNERS = {
    "median": optuna.pruners.MedianPruner,
    "percentile": optuna.pruners.PercentilePruner,
    "successive_halving": optuna.pruners.SuccessiveHalvingPruner,
    "hyperband": optuna.pruners.HyperbandPruner,
    "patient": optuna.pruners.PatientPruner,
    "none": optuna.pruners.NopPruner,
}


def test_the_name_tables_list_every_sampler_and_pruner_once() -> None:
    assert set(samplers.SAMPLERS) == set(SAMPLERS)
    assert set(samplers.PRUNERS) == set(PRUNERS)


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_every_sampler_builds(name: str) -> None:
    cfg = SamplerConfig(type=name)  # the sweep file accepts the name
    sampler = make_sampler(cfg.type, cfg.options, 3, SPACE)
    assert isinstance(sampler, SAMPLERS[name])


@pytest.mark.parametrize("name", sorted(PRUNERS))
def test_every_pruner_builds(name: str) -> None:
    options = (
        {"percentile": 25.0}
        if name == "percentile"
        else {"patience": 2}
        if name == "patient"
        else {}
    )
    cfg = PrunerConfig(type=name, options=options)  # the sweep file accepts the name
    pruner = make_pruner(cfg.type, cfg.options)
    assert isinstance(pruner, PRUNERS[name])


def test_tpe_settings_are_pinned_and_overridable() -> None:
    assert sampler_settings("tpe", {}, 7) == {"seed": 7, **TPE_DEFAULTS}
    custom = {"n_startup_trials": 3, "multivariate": False}
    assert sampler_settings("tpe", custom, 7) == {
        "seed": 7,
        "n_startup_trials": 3,
        "multivariate": False,
        "constant_liar": True,
    }


def test_seeded_samplers_repeat_themselves() -> None:
    def draws() -> list[int]:
        study = optuna.create_study(sampler=make_sampler("random", {}, 5, SPACE))
        return [study.ask().suggest_int("depth", 1, 3) for _ in range(10)]

    assert draws() == draws()
