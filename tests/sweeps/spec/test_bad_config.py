"""The bad-config battery: `sweeps run` on a broken sweep file exits 2 with one line naming the
file and the key, prints no traceback and writes nothing (no store, no file at all).

Cases that would allocate without the size limits (huge depth, width, grid, generated data)
are in ``test_bad_sizes.py``, run under an address-space cap.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.sweeps.battery import DELETE, assert_one_line, edited, run_bad, tiny_mapping

LONG = "x" * 101

#: (id, changes to the tiny sweep by key path, what the line says after "FILE: ").
EDITS: list[tuple[str, dict[str, Any], str]] = [
    # names that become paths or registry names
    ("name-parent", {"name": "../evil"}, "name: '../evil' is not a safe name"),
    ("name-dot", {"name": ".hidden"}, "name: '.hidden' is not a safe name"),
    ("name-slash", {"name": "a/b"}, "name: 'a/b' is not a safe name"),
    ("name-long", {"name": LONG}, f"name: '{'x' * 40}...' is not a safe name"),
    ("name-newline", {"name": "tiny\n"}, "name: 'tiny\\n' is not a safe name"),
    ("name-empty", {"name": ""}, "name: '' is not a safe name"),
    ("name-missing", {"name": DELETE}, "name: Field required"),
    ("study-escape", {"study.name": "../../../../tmp/x"}, "study.name: '../../../../tmp/x' is"),
    ("study-space", {"study.name": "my study"}, "study.name: 'my study' is not a safe name"),
    ("study-dash", {"study.name": "-rf"}, "study.name: '-rf' is not a safe name"),
    ("study-int", {"study.name": 7}, "study.name: Input should be a valid string"),
    (
        "model-name-escape",
        {"tracking.model_name": "../../evil/model"},
        "tracking.model_name: '../../evil/model' is not a safe name",
    ),
    ("model-name-uri", {"tracking.model_name": "models:/x"}, "tracking.model_name: 'models:/x'"),
    # integers and numbers as written: no bools, no floats for counts, no infinities
    (
        "n-trials-bool",
        {"study.n_trials": True},
        "study.n_trials: Input should be a valid integer; got True",
    ),
    (
        "n-trials-float",
        {"study.n_trials": 2.5},
        "study.n_trials: Input should be a valid integer; got 2.5",
    ),
    ("n-trials-zero", {"study.n_trials": 0}, "study.n_trials: Input should be greater than 0"),
    ("no-budget", {"study.n_trials": None}, "study: give n_trials, timeout or both"),
    (
        "timeout-inf",
        {"study.timeout": float("inf")},
        "study.timeout: Input should be a finite number; got inf",
    ),
    ("timeout-bool", {"study.timeout": True}, "study.timeout: Input should be a valid number"),
    ("seed-bool", {"seed": False}, "seed: Input should be a valid integer"),
    ("seed-text", {"seed": "abc"}, "seed: Input should be a valid integer"),
    ("seed-negative", {"split.seed": -1}, "split.seed: Input should be greater than or equal"),
    ("seed-huge", {"seed": 2**32}, "seed: Input should be less than 4294967296; got 4294967296"),
    ("confirm-huge", {"selection.confirm.seeds": 10**9}, "selection.confirm.seeds: Input should"),
    ("split-bool", {"split.validation": True}, "split.validation: Input should be a valid num"),
    ("split-sum", {"split.test": 0.8}, "split: validation + test must be < 1"),
    ("folds-bool", {"selection.folds": True}, "selection.folds: folds must be auto, 1 (one"),
    ("folds-zero", {"selection.folds": 0}, "selection.folds: folds must be auto, 1 (one"),
    ("seeds-float", {"selection.confirm.seeds": 2.0}, "selection.confirm.seeds: Input should be"),
    ("report-every-bool", {"study.report_every": True}, "study.report_every: Input should be"),
    ("retry-negative", {"study.max_retry": -1}, "study.max_retry: Input should be greater"),
    ("high-bool", {"space.depth.high": True}, "space.depth.high: Input should be a valid int"),
    ("high-nan", {"space.learning_rate.high": float("nan")}, "space.learning_rate.high: Input"),
    ("step-zero", {"space.width.step": 0}, "space.width: step must be >= 1"),
    ("float-step", {"space.learning_rate.step": -0.1}, "space.learning_rate.step: Input should"),
    ("low-above-high", {"space.depth.low": 9}, "space.depth: low (9) must be <= high (2)"),
    ("log-zero", {"space.learning_rate.low": 0}, "space.learning_rate: log scale needs low > 0"),
    ("depth-negative", {"space.depth.low": -1}, "space.depth: depth must be an integer >= 0"),
    (
        "width-float",
        {"space.width": {"type": "float", "low": 4, "high": 16}},
        "space.width: width must be an integer >= 1; got 4",
    ),
    ("choices-empty", {"space.batch_size.choices": []}, "space.batch_size.choices: List should"),
    ("activation", {"model.activation": "elu"}, "model: activation must be one of 'relu'"),
    ("epochs-bool", {"model.max_epochs": True}, "model: max_epochs must be an integer >= 1"),
    (
        "random-state",
        {"space.random_state": {"type": "int", "low": 0, "high": 9}},
        "random_state is derived from the sweep seed",
    ),
    ("fixed-and-searched", {"model.width": 8}, "['width'] both fixed in model and searched"),
    # misspelt keys: the nearest valid one
    ("typo-study", {"study.n_trail": 3}, "study.n_trail: Extra inputs are not permitted; did you"),
    ("typo-top", {"nme": "x"}, "nme: Extra inputs are not permitted; did you mean name?"),
    ("typo-bound", {"space.depth.hgh": 3}, "space.depth.hgh: Extra inputs are not permitted; did"),
    ("typo-data", {"data.nme": "wine"}, "data.nme: Extra inputs are not permitted; did you mean"),
    ("typo-confirm", {"selection.confirm.seed": 2}, "selection.confirm.seed: Extra inputs are"),
    ("typo-tracking", {"tracking.regster_model": False}, "tracking.regster_model: Extra inputs"),
    ("typo-sampler", {"study.sampler.typ": "tpe"}, "study.sampler.typ: Extra inputs are not"),
    ("typo-limits", {"limits.max_widht": 8}, "limits.max_widht: Extra inputs are not permitted"),
    (
        "typo-model",
        {"model.lerning_rate": 0.1},
        "model: unknown MLP keyword(s) ['lerning_rate']; did you mean learning_rate?",
    ),
    ("typo-space", {"space.widht": {"type": "int", "low": 1, "high": 2}}, "space: unknown MLP"),
    ("typo-no-match", {"model.units": 3}, "model: unknown MLP keyword(s) ['units']; allowed: ["),
    # enqueued trials are points of the space
    (
        "enqueue-unknown",
        {"study.enqueue": [{"nonexistent": 5, "width": 999}]},
        "study.enqueue[0].nonexistent: not a searched parameter (searched: batch_size, depth, ",
    ),
    (
        "enqueue-range",
        {"study.enqueue": [{"width": 999}]},
        "study.enqueue[0].width: 999 is outside the searched range [4, 16]",
    ),
    (
        "enqueue-choice",
        {"study.enqueue": [{"batch_size": 48}]},
        "study.enqueue[0].batch_size: 48 is not one of the choices [32, 64]",
    ),
    (
        "enqueue-bool-choice",
        {"study.enqueue": [{"batch_size": True}]},
        "study.enqueue[0].batch_size: True is not one of the choices",
    ),
    ("enqueue-float-int", {"study.enqueue": [{"depth": 1.5}]}, "study.enqueue[0].depth: 1.5 is"),
    (
        "enqueue-text",
        {"study.enqueue": [{"learning_rate": "fast"}]},
        "study.enqueue[0].learning_rate: 'fast' is not a finite number",
    ),
    (
        "enqueue-second-typo",
        {"study.enqueue": [{}, {"widht": 8}]},
        "study.enqueue[1].widht: not a searched parameter; did you mean width?",
    ),
    ("enqueue-not-a-map", {"study.enqueue": [3]}, "study.enqueue.0: Input should be a valid"),
    # sizes: caps that need no allocation to check
    ("description", {"description": "d" * 10_001}, "description: String should have at most"),
    (
        "too-many-choices",
        {"space.batch_size.choices": list(range(1, 1002))},
        "space.batch_size: 1,001 choices, above limits.max_choices (1,000)",
    ),
    ("cap-zero", {"limits.max_width": 0}, "limits.max_width: Input should be greater than 0"),
    ("cap-bool", {"limits.max_params": True}, "limits.max_params: Input should be a valid int"),
    ("cap-lowered", {"limits.max_width": 8}, "space.width: 16 is above limits.max_width (8)"),
    (
        "params-lowered",
        {"limits.max_params": 100},
        "space.depth, space.width: the largest network (30 inputs, hidden layers 2 x 16, "
        "1 output(s)) has 785 parameters, above limits.max_params (100)",
    ),
    (
        "fixed-sizes",
        {"model.hidden_layer_sizes": [64, 5000], "space.depth": DELETE, "space.width": DELETE},
        "model.hidden_layer_sizes: 5,000 is above limits.max_width (4,096)",
    ),
    # the rest of the file
    ("background", {"tracking.background": "maybe"}, "tracking.background: background must be"),
    (
        "nested-choice",
        {"space.batch_size.choices": [32, [1, 2]]},
        "space.batch_size.choices: choices[1] is [1, 2]: a choice is a number, text, true,",
    ),
    ("no-data", {"data": DELETE}, "data: Field required"),
    ("data-tag", {"data.source": "fle"}, "data: Input tag 'fle' found using 'source'"),
    ("metric", {"objective.metric": "val_r2"}, "objective.metric ['val_r2'] is not produced by"),
    ("sampler", {"study.sampler.type": "annealing"}, "study.sampler.type: Input should be one"),
    (
        "grid-float",
        {"study.sampler.type": "grid"},
        "space.learning_rate: the grid sampler needs categorical or linear int params",
    ),
    ("sampler-option", {"study.sampler.options.foo": 1}, "study.sampler: TPESampler.__init__()"),
    (
        "generated-informative",
        {
            "data": {
                "source": "generated",
                "task": "regression",
                "n_samples": 50,
                "n_features": 3,
                "n_informative": 5,
            }
        },
        "data: n_informative (5) must be <= n_features (3)",
    ),
    (
        "generated-classes",
        {
            "data": {
                "source": "generated",
                "task": "classification",
                "n_samples": 5,
                "n_features": 3,
                "n_classes": 9,
            }
        },
        "data: n_classes (9) must be <= n_samples (5)",
    ),
    # the objective's direction follows from its metric
    (
        "maximize-loss",
        {"objective.direction": "maximize"},
        "objective: direction: val_loss is best low, so maximize would search for the worst",
    ),
    (
        "minimize-accuracy",
        {"objective.metric": "val_accuracy", "objective.direction": "minimize"},
        "objective: direction: val_accuracy is best high, so minimize would search for the",
    ),
    (
        "maximize-second",
        {
            "objective.metric": ["val_loss", "n_params"],
            "objective.direction": ["minimize", "maximize"],
        },
        "objective: direction: n_params is best low, so maximize would",
    ),
    # heartbeats: a grace period a live trial outlasts, numbers a clock can hold
    (
        "grace-below-heartbeat",
        {"study.grace_period": 5},
        "study: grace_period (5 s) must be longer than heartbeat_interval (10 s), or every live",
    ),
    (
        "grace-equal-heartbeat",
        {"study.grace_period": 2, "study.heartbeat_interval": 2},
        "study: grace_period (2 s) must be longer than heartbeat_interval (2 s)",
    ),
    (
        "heartbeat-huge",
        {"study.heartbeat_interval": 10**20},
        "study.heartbeat_interval: Input should be less than or equal to 3600; got 1000000000",
    ),
    ("heartbeat-1e20", {"study.heartbeat_interval": 1e20}, "study.heartbeat_interval: Input sho"),
    ("heartbeat-zero", {"study.heartbeat_interval": 0}, "study.heartbeat_interval: Input should"),
    ("grace-huge", {"study.grace_period": 10**12}, "study.grace_period: Input should be less th"),
    # sampler and pruner options: built with Optuna's classes, then used on a dry run
    (
        "gamma-number",
        {"study.sampler.options.gamma": 0.5},
        "study.sampler: gamma: TPESampler takes a Python object here (Callable[[int], int] | "
        "None); a sweep file cannot give one (got 0.5)",
    ),
    ("weights-text", {"study.sampler.options.weights": "flat"}, "study.sampler: weights: TPESa"),
    (
        "constraints-text",
        {"study.sampler.options.constraints_func": "lambda t: 0"},
        "study.sampler: constraints_func: TPESampler takes a Python object here",
    ),
    (
        "ei-candidates-huge",
        {"study.sampler.options.n_ei_candidates": 2_000_000_000},
        "study.sampler: n_ei_candidates: 2,000,000,000 is above 10,000 (it sizes the memory",
    ),
    (
        "ei-candidates-zero",
        {"study.sampler.options.n_ei_candidates": 0},
        "study.sampler: its options fail when used (ValueError: The size of `samples` must be",
    ),
    (
        "nsga2-mutation-prob",
        {"study.sampler": {"type": "nsga2", "options": {"mutation_prob": 5}}},
        "study.sampler: `mutation_prob` must be None or a float value within the range",
    ),
    (
        "nsga2-population-huge",
        {"study.sampler": {"type": "nsga2", "options": {"population_size": 2_000_000_000}}},
        "study.sampler: population_size: 2,000,000,000 is above 10,000",
    ),
    (
        "nsga2-population-one",
        {"study.sampler": {"type": "nsga2", "options": {"population_size": 1}}},
        "study.sampler: `population_size` must be greater than or equal to 2.",
    ),
    (
        "nsga2-crossover-name",
        {"study.sampler": {"type": "nsga2", "options": {"crossover": "uniform"}}},
        "study.sampler: crossover: NSGAIISampler takes a Python object here (BaseCrossover",
    ),
    (
        "cmaes-popsize-huge",
        {"study.sampler": {"type": "cmaes", "options": {"popsize": 10**9}}},
        "study.sampler: popsize: 1,000,000,000 is above 10,000",
    ),
    (
        "cmaes-popsize-one",
        {"study.sampler": {"type": "cmaes", "options": {"popsize": 1}}},
        "study.sampler: its options fail when used (AssertionError: invalid learning rate",
    ),
    (
        "cmaes-independent-name",
        {"study.sampler": {"type": "cmaes", "options": {"independent_sampler": "random"}}},
        "study.sampler: independent_sampler: CmaEsSampler takes a Python object here",
    ),
    (
        "cmaes-multi-objective",
        {"study.sampler.type": "cmaes", "objective.metric": ["val_loss", "n_params"]},
        "study.sampler.type: cmaes optimises one objective, and objective.metric names 2 "
        "(val_loss, n_params); use tpe, nsga2, random, qmc or grid, or one metric",
    ),
    ("qmc-type", {"study.sampler": {"type": "qmc", "options": {"qmc_type": "x"}}}, "study.sam"),
    (
        "hyperband-min-resource-zero",
        {"study.pruner": {"type": "hyperband", "options": {"min_resource": 0}}},
        "study.pruner: its options fail when used (ZeroDivisionError: division by zero)",
    ),
    (
        "hyperband-reduction-one",
        {"study.pruner": {"type": "hyperband", "options": {"reduction_factor": 1}}},
        "study.pruner: its options fail when used (ZeroDivisionError",
    ),
    (
        "hyperband-max-resource-zero",
        {"study.pruner": {"type": "hyperband", "options": {"max_resource": 0}}},
        "study.pruner: its options fail when used (ValueError: math domain error)",
    ),
    (
        "patient-wrapping-broken-hyperband",
        {
            "study.pruner": {
                "type": "patient",
                "options": {
                    "patience": 2,
                    "wrapped": "hyperband",
                    "wrapped_options": {"min_resource": 0},
                },
            }
        },
        "study.pruner: its options fail when used (ZeroDivisionError",
    ),
    (
        "halving-min-resource-zero",
        {"study.pruner": {"type": "successive_halving", "options": {"min_resource": 0}}},
        "study.pruner: The value of `min_resource` is 0, but must be either",
    ),
    (
        "percentile-150",
        {"study.pruner": {"type": "percentile", "options": {"percentile": 150.0}}},
        "study.pruner: Percentile must be between 0 and 100 inclusive",
    ),
    ("pruner-option", {"study.pruner": {"type": "median", "options": {"foo": 1}}}, "study.prune"),
    (
        "step-too-fine",
        {"space.learning_rate": {"type": "float", "low": 0.001, "high": 0.1, "step": 1e-300}},
        "space: Optuna cannot sample it (InvalidOperation",
    ),
    (
        "retry-huge",
        {"study.max_retry": 10**9},
        "study.max_retry: Input should be less than or equal to 100",
    ),
    # warm-up epochs against max_epochs, by the searched bounds
    (
        "warmup-above-searched-epochs",
        {
            "model.max_epochs": DELETE,
            "space.max_epochs": {"type": "int", "low": 10, "high": 100},
            "space.warmup_epochs": {"type": "int", "low": 0, "high": 50},
        },
        "space.warmup_epochs: warmup_epochs must be an integer in [0, max_epochs) = [0, 10); "
        "got 50",
    ),
    (
        "warmup-fixed-above-searched-epochs",
        {
            "model.warmup_epochs": 8,
            "model.max_epochs": DELETE,
            "space.max_epochs": {"type": "int", "low": 5, "high": 20},
        },
        "space.max_epochs: warmup_epochs must be an integer in [0, max_epochs) = [0, 5); got 8",
    ),
    (
        "warmup-choices-above-epochs",
        {
            "model.max_epochs": DELETE,
            "space.max_epochs": {"type": "categorical", "choices": [4, 40]},
            "space.warmup_epochs": {"type": "categorical", "choices": [0, 4]},
        },
        "space.warmup_epochs: warmup_epochs must be an integer in [0, max_epochs) = [0, 4); got 4",
    ),
    (
        "warmup-searched-above-fixed",
        {"space.warmup_epochs": {"type": "int", "low": 0, "high": 6}},
        "space.warmup_epochs: warmup_epochs must be an integer in [0, max_epochs) = [0, 6); got 6",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in EDITS], ids=[c[0] for c in EDITS])
def test_a_bad_sweep_file_is_one_line_and_writes_nothing(
    changes: dict[str, Any], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(edited(tiny_mapping(tmp_path), changes), sort_keys=False))
    assert_one_line(run_bad(tmp_path, capsys, str(path)), f"{path}: {expected}")


DEEP = "name: tiny\nmodel: " + "[" * 100_000 + "]" * 100_000 + "\n"
BOMB = "".join(
    f"{a}: &{a} [{', '.join([f'*{b}'] * 10) if b else ', '.join(['1'] * 10)}]\n"
    for a, b in zip("abcdefg", ["", *"abcdef"], strict=True)
)
#: (id, the file's text, what the line says after "FILE: ").
TEXTS: list[tuple[str, str, str]] = [
    (
        "duplicate-top",
        "name: tiny\nseed: 1\nseed: 2\n",
        "invalid YAML at line 3, column 1: duplicate key 'seed' (first given at line 2)",
    ),
    (
        "duplicate-nested",
        "name: tiny\nstudy:\n  n_trials: 4\n  pruner: {type: none}\n  n_trials: 400\n",
        "invalid YAML at line 5, column 3: duplicate key 'n_trials' (first given at line 3)",
    ),
    ("duplicate-flow", "name: tiny\nmodel: {l2: 0.1, l2: 0.2}\n", "invalid YAML at line 2, col"),
    ("deep", DEEP, "invalid YAML at line 2, column 57: nested deeper than 50 levels"),
    ("alias-bomb", BOMB, "invalid YAML at line 1, column 1: aliases expand to more than"),
    ("alias-loop", "name: tiny\nmodel: &m [*m]\n", "invalid YAML at line 2, column 8: an alias"),
    ("python-tag", "name: !!python/object/apply:os.system [ls]\n", "invalid YAML at line 1, co"),
    ("syntax", "name: tiny\ndata: {source: builtin\n", "invalid YAML at line 3"),
    ("list", "- name: tiny\n", "expected a mapping of keys at the top level"),
    ("empty", "", "expected a mapping of keys at the top level"),
    ("scalar", "just text\n", "expected a mapping of keys at the top level"),
    ("huge", "name: tiny\ndescription: " + "x" * 1_100_000 + "\n", "larger than 1,000,000 byt"),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in TEXTS], ids=[c[0] for c in TEXTS])
def test_a_bad_yaml_file_is_one_line_and_writes_nothing(
    text: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    assert_one_line(run_bad(tmp_path, capsys, str(path)), f"{path}: {expected}")


def test_a_file_that_is_not_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"name: \xff\xfe tiny\n")
    assert_one_line(run_bad(tmp_path, capsys, str(path)), f"{path}: cannot read config file")


def test_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "absent.yaml"
    assert_one_line(run_bad(tmp_path, capsys, str(path)), f"{path}: no such config file")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--study", "../x"), "study.name: '../x' is not a safe name"),
        (("--set", "study.n_trials=true"), "study.n_trials: Input should be a valid integer"),
        (("--set", "model={l2: 1, l2: 2}"), "override model: value '{l2: 1, l2: 2}' is not"),
        (("--set", "study.n_trail=3"), "study.n_trail: Extra inputs are not permitted; did you"),
    ],
)
def test_bad_command_line_values_are_one_line(
    args: tuple[str, ...], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(tiny_mapping(tmp_path)))
    assert_one_line(run_bad(tmp_path, capsys, str(path), *args), f"{path}: {expected}")


@pytest.mark.parametrize("command", ["report", "init", "status"])
def test_an_escaping_study_name_stops_every_command_before_it_writes(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(tiny_mapping(tmp_path)))
    stores = ("--storage",) if command == "status" else ("--storage", "--tracking-uri")
    failure = run_bad(tmp_path, capsys, str(path), "--study", "../../x", command=command,
                      stores=stores)  # fmt: skip
    assert_one_line(failure, f"{path}: study.name: '../../x' is not a safe name")


def test_the_battery_would_see_a_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The control: the same command on a good file creates both stores where the battery
    looks for them."""
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(tiny_mapping(tmp_path)))
    result = run_bad(tmp_path, capsys, str(path), command="init")
    assert result.code == 0, result
    assert {"mlruns/mlflow.db", "mlruns/optuna.db"} <= result.written


def test_a_storage_that_is_not_a_url_is_refused_before_mlflow_is_touched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(tiny_mapping(tmp_path)))
    args = (str(path), "--storage", "notaurl")
    failure = run_bad(tmp_path, capsys, *args, stores=("--tracking-uri",))
    assert_one_line(failure, f"{path}: study.storage: not a database URL (e.g. sqlite:")


IN_MEMORY = "is an in-memory database: it vanishes with this process, so the sweep could not be"


@pytest.mark.parametrize(
    ("url", "command", "extra"),
    [
        ("sqlite://", "run", ()),
        ("sqlite://", "run", ("--jobs", "2")),
        ("sqlite:///:memory:", "run", ()),
        ("sqlite:///file:s?mode=memory&uri=true", "run", ()),
        ("sqlite://", "worker", ()),
        ("sqlite:///:memory:", "init", ()),
    ],
)
def test_an_in_memory_storage_is_refused(
    url: str,
    command: str,
    extra: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A study in memory cannot be resumed, joined or read: refused for every command."""
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(tiny_mapping(tmp_path)))
    failure = run_bad(tmp_path, capsys, str(path), "--storage", url, *extra, command=command,
                      stores=("--tracking-uri",))  # fmt: skip
    assert_one_line(failure, f"{path}: study.storage: {url} {IN_MEMORY}")


def test_an_in_memory_tracking_store_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(tiny_mapping(tmp_path)))
    failure = run_bad(tmp_path, capsys, str(path), "--tracking-uri", "sqlite://",
                      stores=("--storage",))  # fmt: skip
    assert_one_line(failure, f"{path}: tracking.uri: sqlite:// {IN_MEMORY}")


@pytest.mark.parametrize("spelling", ["sqlite:///{db}", "sqlite:///{root}/mlruns/../mlruns/x.db"])
def test_one_database_for_both_stores_is_refused(
    spelling: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """MLflow and Optuna both keep an alembic_version table: one database cannot hold both."""
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(tiny_mapping(tmp_path)))
    db = tmp_path / "mlruns" / "x.db"
    other = spelling.format(db=db, root=tmp_path)
    failure = run_bad(tmp_path, capsys, str(path), "--storage", f"sqlite:///{db}",
                      "--tracking-uri", other, stores=())  # fmt: skip
    assert_one_line(failure, f"{path}: tracking.uri: the same database as study.storage; MLflow")


def test_more_jobs_than_cores_needs_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--jobs`` beyond the cores this process may use is refused before the file is read;
    ``--force-jobs`` lets it through (here to the next check, a bad file)."""
    cores = len(os.sched_getaffinity(0))
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(edited(tiny_mapping(tmp_path), {"seed": -1})))
    jobs = str(cores + 1)
    failure = run_bad(tmp_path, capsys, str(path), "--jobs", jobs)
    assert_one_line(
        failure,
        f"Invalid value for '--jobs': {jobs} is more than the {cores} core(s) this process may "
        "use; pass --force-jobs to start them anyway (see: sweeps run --help)",
    )
    forced = run_bad(tmp_path, capsys, str(path), "--jobs", jobs, "--force-jobs")
    assert_one_line(forced, f"{path}: seed: Input should be greater than or equal to 0")
