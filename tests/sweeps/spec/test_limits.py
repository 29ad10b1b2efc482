"""The arithmetic behind the size limits and strict reading: counted sizes equal built ones,
the built-in data shapes are right, strict YAML means what safe_load means otherwise."""

from __future__ import annotations

import math
import typing
from pathlib import Path

import numpy as np
import pytest
import yaml
from pydantic import TypeAdapter
from sklearn import datasets

from pipeline.data.sources import BUILTIN
from pipeline.mlp.network import Layout
from sweeps.infra import strict_yaml
from sweeps.spec.keywords import did_you_mean
from sweeps.spec.limits import Limits, check_network, largest_hidden, n_params
from sweeps.spec.schema import BUILTIN_SETS, BuiltinData
from sweeps.spec.space import ParamSpec, grid_of, grid_size, outside

ROOT = Path(__file__).resolve().parents[3]
SPACE = TypeAdapter(dict[str, ParamSpec])


@pytest.mark.parametrize(
    ("inputs", "hidden", "outputs"),
    [(30, (), 1), (30, (16,), 1), (4, (8, 8, 8), 3), (64, (128, 32), 10), (7, (5, 5, 9, 9, 9), 2)],
)
def test_counted_parameters_equal_the_networks(
    inputs: int, hidden: tuple[int, ...], outputs: int
) -> None:
    runs: list[tuple[int, int]] = []
    for width in hidden:  # equal neighbours as one run, as depth x width gives them
        if runs and runs[-1][0] == width:
            runs[-1] = (width, runs[-1][1] + 1)
        else:
            runs.append((width, 1))
    assert n_params(inputs, tuple(runs), outputs) == Layout((inputs, *hidden, outputs)).n_params


@pytest.mark.parametrize("name", sorted(BUILTIN_SETS))
def test_builtin_shapes_are_the_data_sets(name: str) -> None:
    bunch = getattr(datasets, f"load_{name}")()
    classes = np.unique(bunch.target).size
    outputs = 1 if name == "diabetes" or classes == 2 else classes
    assert BUILTIN_SETS[name][1:] == (bunch.data.shape[1], outputs)


def test_the_builtin_sets_are_the_ones_pipeline_loads() -> None:
    names = typing.get_args(BuiltinData.model_fields["name"].annotation)
    assert list(BUILTIN_SETS) == list(names) == list(BUILTIN)


def test_grid_size_counts_what_grid_of_lists() -> None:
    space = SPACE.validate_python(
        {
            "depth": {"type": "int", "low": 1, "high": 7, "step": 3},
            "width": {"type": "int", "low": 4, "high": 16},
            "batch_size": {"type": "categorical", "choices": [16, 32, None]},
        }
    )
    assert grid_size(space) == math.prod(map(len, grid_of(space).values())) == 3 * 13 * 3


@pytest.mark.parametrize(
    ("model", "space", "expected"),
    [
        ({}, {}, ((32, 1), (16, 1))),  # the MLP's default (32, 16)
        ({"hidden_layer_sizes": [64, 8]}, {}, ((64, 1), (8, 1))),
        ({"depth": 3}, {}, ((32, 3),)),  # width defaults to 32, as hidden_layers() does
        ({}, {"width": {"type": "int", "low": 2, "high": 90, "log": True}}, ((90, 1),)),
        ({}, {"depth": {"type": "categorical", "choices": [1, 5, 2]}}, ((32, 5),)),
        ({"width": "wide"}, {}, None),  # not an integer: the value checks say so
        ({}, {"width": {"type": "float", "low": 1, "high": 9}}, None),
    ],
)
def test_the_largest_hidden_layers(model: dict, space: dict, expected: object) -> None:
    assert largest_hidden(model, SPACE.validate_python(space)) == expected


def test_activations_count_the_largest_batch_or_the_prediction_chunk() -> None:
    limits = Limits(max_activations=4096 * 33)
    space = SPACE.validate_python({"batch_size": {"type": "categorical", "choices": [64, 512]}})
    model = {"hidden_layer_sizes": [32]}
    check_network(limits, model, space, inputs=5, rows=100_000)  # 4,096 x 33: just fits
    with pytest.raises(ValueError, match=r"^model\.batch_size: passes of 100,000 rows"):
        check_network(limits, {**model, "batch_size": None}, {}, inputs=5, rows=100_000)
    tight = Limits(max_activations=4096 * 33 - 1)
    with pytest.raises(ValueError, match=r"^space\.batch_size: passes of 4,096 rows through 32"):
        check_network(tight, model, space, inputs=5, rows=100_000)


@pytest.mark.parametrize(
    ("spec", "value", "problem"),
    [
        ({"type": "int", "low": 0, "high": 10, "step": 5}, 5, None),
        ({"type": "int", "low": 0, "high": 10, "step": 5}, 7, "7 is not on the grid 0 + k * 5"),
        ({"type": "int", "low": 0, "high": 10}, 10**400, "is outside the searched range"),
        ({"type": "int", "low": 0, "high": 10}, True, "True is not an integer"),
        ({"type": "float", "low": 0.1, "high": 0.5, "step": 0.1}, 0.3, None),
        ({"type": "float", "low": 0, "high": 1}, float("nan"), "nan is not a finite number"),
        ({"type": "float", "low": 0, "high": 1}, 1, None),
        ({"type": "categorical", "choices": [1, 2]}, True, "True is not one of the choices"),
        ({"type": "categorical", "choices": [None, "a"]}, None, None),
    ],
)
def test_outside_says_why_a_value_is_not_a_point(spec: dict, value: object, problem: str) -> None:
    found = outside(TypeAdapter(ParamSpec).validate_python(spec), value)
    assert found == problem if problem is None else problem in str(found)


@pytest.mark.parametrize("path", sorted((ROOT / "conf").glob("*.yaml")), ids=lambda p: p.name)
def test_strict_yaml_reads_every_shipped_file_as_safe_load_does(path: Path) -> None:
    assert strict_yaml.load(path.read_text()) == yaml.safe_load(path.read_text())


def test_strict_yaml_keeps_merge_keys_and_their_overrides() -> None:
    text = "base: &b {l2: 0.1, l1: 0.0}\nmodel:\n  <<: *b\n  l2: 0.5\n"
    assert strict_yaml.load(text)["model"] == {"l1": 0.0, "l2": 0.5}


def test_nearest_key() -> None:
    assert did_you_mean("n_trail", ["n_trials", "timeout"]) == "; did you mean n_trials?"
    assert did_you_mean("zzz", ["n_trials", "timeout"]) == ""
