"""The bad-config battery: `sweeps run` on a broken sweep file exits 2 with one line naming the
file and the key, prints no traceback and writes nothing (no store, no file at all).

Cases that would allocate without the size limits (huge depth, width, grid, generated data)
are in ``test_bad_sizes.py``, run under an address-space cap.
"""

from __future__ import annotations

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
