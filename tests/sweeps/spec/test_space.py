"""The search space: data in, ``trial.suggest_*`` calls out."""

from __future__ import annotations

import optuna
import pytest
from pydantic import TypeAdapter, ValidationError

from sweeps.spec.space import ParamSpec, grid_of, hidden_layers
from sweeps.study.suggest import suggest

SPACE = TypeAdapter(dict[str, ParamSpec]).validate_python(
    {
        "learning_rate": {"type": "float", "low": 1e-4, "high": 1e-1, "log": True},
        "batch_size": {"type": "categorical", "choices": [16, 32]},
        "depth": {"type": "int", "low": 1, "high": 3},
        "width": {"type": "int", "low": 8, "high": 64, "log": True},
    }
)


def test_suggest_reads_fixed_trial_values() -> None:
    trial = optuna.trial.FixedTrial(
        {"learning_rate": 0.01, "batch_size": 32, "depth": 2, "width": 8}
    )
    assert suggest(trial, SPACE) == {
        "learning_rate": 0.01,
        "batch_size": 32,
        "depth": 2,
        "width": 8,
    }


def test_suggest_samples_within_bounds() -> None:
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(20):
        values = suggest(study.ask(), SPACE)
        assert 1e-4 <= values["learning_rate"] <= 1e-1
        assert values["batch_size"] in (16, 32)
        assert 1 <= values["depth"] <= 3 and 8 <= values["width"] <= 64


def test_depth_and_width_become_hidden_layer_sizes() -> None:
    assert hidden_layers({"depth": 3, "width": 16, "l2": 0.1}) == {
        "hidden_layer_sizes": (16, 16, 16),
        "l2": 0.1,
    }
    assert hidden_layers({"hidden_layer_sizes": [32, 16]}) == {"hidden_layer_sizes": (32, 16)}
    with pytest.raises(ValueError, match="not both"):
        hidden_layers({"depth": 2, "hidden_layer_sizes": (3,)})


@pytest.mark.parametrize(
    "spec",
    [
        {"type": "float", "low": 2.0, "high": 1.0},
        {"type": "float", "low": 0.0, "high": 1.0, "log": True},
        {"type": "int", "low": 1, "high": 4, "step": 0},
        {"type": "categorical", "choices": []},
        {"type": "uniform", "low": 0, "high": 1},
    ],
)
def test_bad_specs_are_rejected(spec: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(ParamSpec).validate_python(spec)


def test_grid_of_lists_every_point() -> None:
    grid_space = {k: v for k, v in SPACE.items() if k in ("batch_size", "depth")}
    assert grid_of(grid_space) == {"batch_size": [16, 32], "depth": [1, 2, 3]}
    with pytest.raises(ValueError, match="grid sampler"):
        grid_of(SPACE)
