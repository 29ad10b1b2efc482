"""Every sampler and pruner a sweep file may name builds, with pinned and overridable settings."""

from __future__ import annotations

import optuna
import pytest
from pydantic import TypeAdapter

from sweeps.spec.components import (
    PRUNER_NAMES,
    SAMPLER_NAMES,
    TPE_DEFAULTS,
    pruner_settings,
    sampler_settings,
)
from sweeps.spec.schema import PrunerConfig, SamplerConfig
from sweeps.spec.space import ParamSpec
from sweeps.study import samplers
from sweeps.study.samplers import make_pruner, make_sampler

SPACE = TypeAdapter(dict[str, ParamSpec]).validate_python(
    {
        "depth": {"type": "int", "low": 1, "high": 3},
        "act": {"type": "categorical", "choices": [1, 2]},
    }
)


def test_the_factory_builds_exactly_the_names_a_sweep_file_may_use() -> None:
    assert list(samplers.SAMPLERS) == list(SAMPLER_NAMES)
    assert list(samplers.PRUNERS) == list(PRUNER_NAMES)
    # no two names build the same class (a copied line would)
    assert len(set(samplers.SAMPLERS.values())) == len(SAMPLER_NAMES)
    assert len(set(samplers.PRUNERS.values())) == len(PRUNER_NAMES)


@pytest.mark.parametrize("name", SAMPLER_NAMES)
def test_every_sampler_builds(name: str) -> None:
    cfg = SamplerConfig(type=name)  # the sweep file accepts the name
    sampler = make_sampler(cfg.type, sampler_settings(cfg.type, cfg.options, 3), SPACE)
    assert type(sampler) is samplers.SAMPLERS[name]
    assert isinstance(sampler, optuna.samplers.BaseSampler)


@pytest.mark.parametrize("name", PRUNER_NAMES)
def test_every_pruner_builds(name: str) -> None:
    options = (
        {"percentile": 25.0}
        if name == "percentile"
        else {"patience": 2}
        if name == "patient"
        else {}
    )
    cfg = PrunerConfig(type=name, options=options)  # the sweep file accepts the name
    pruner = make_pruner(cfg.type, pruner_settings(cfg.type, cfg.options))
    assert type(pruner) is samplers.PRUNERS[name]
    assert isinstance(pruner, optuna.pruners.BasePruner)


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
        study = optuna.create_study(sampler=make_sampler("random", {"seed": 5}, SPACE))
        return [study.ask().suggest_int("depth", 1, 3) for _ in range(10)]

    assert draws() == draws()
