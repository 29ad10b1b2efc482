"""Sweep files: every shipped file loads; bad ones fail with the file and the key path."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from sweeps.core.dataset import load_sweep_data
from sweeps.errors import ConfigError
from sweeps.spec.reading import Flags, load_config, resolve_config
from sweeps.spec.schema import SweepConfig
from sweeps.study.samplers import check_components

ROOT = Path(__file__).resolve().parents[3]
SWEEP_FILES = sorted((ROOT / "conf").glob("*.yaml"))


def test_conf_has_the_promised_examples() -> None:
    names = {p.stem for p in SWEEP_FILES}
    assert {"quickstart", "reference", "wine_multiclass", "diabetes_regression"} <= names
    assert "csv_example" in names


@pytest.mark.parametrize("path", SWEEP_FILES, ids=lambda p: p.name)
def test_every_shipped_sweep_file_loads(path: Path) -> None:
    cfg = load_config(path)
    assert isinstance(cfg, SweepConfig)
    assert cfg.study.n_trials is not None and cfg.study.n_trials >= 1


def test_quickstart_searches_the_documented_space() -> None:
    cfg = load_config(ROOT / "conf/quickstart.yaml")
    assert set(cfg.space) == {"learning_rate", "batch_size", "depth", "width", "l1", "l2"}
    assert cfg.objective.directions == ("minimize",)


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("nme=3", "nme: Extra inputs are not permitted"),
        ("study.n_trials=abc", "study.n_trials: Input should be a valid integer"),
        ("space.depth.low=9", "space.depth: low (9) must be <= high (4)"),
        ("space.learning_rate.low=0", "space.learning_rate: log scale needs low > 0"),
        ("space.batch_size.choices=[]", "space.batch_size.choices: List should have at least 1"),
        ("study.sampler.type=annealing", "study.sampler.type: Input should be"),
        ("study.pruner.type=never", "study.pruner.type: Input should be"),
        (
            "objective.metric=val_r2",
            "objective.metric ['val_r2'] is not produced by classification",
        ),
        ("model.activation=elu", "model: activation must be one of 'relu', 'tanh', 'sigmoid'"),
        ("model.learning_rate=0.1", "both fixed in model and searched in space"),
        ("space.random_state={type: int, low: 0, high: 3}", "random_state is derived from the"),
        ("model.units=3", "model: unknown MLP keyword(s) ['units']"),
        ("split.test=0.9", "validation + test must be < 1"),
        ("selection.folds=0", "selection.folds: folds must be auto, 1 (one validation split) or K"),
        ("selection.folds=some", "selection.folds"),
        ("selection.confirm.seeds=1", "selection.confirm.seeds: Input should be greater than"),
        ("selection.confirm.top=-1", "selection.confirm.top: Input should be greater than"),
        ("selection.fold=3", "selection.fold: Extra inputs are not permitted"),
    ],
)
def test_bad_config_names_file_and_key(override: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(ROOT / "conf/quickstart.yaml", [override])
    message = str(info.value)
    assert message.startswith(f"{ROOT / 'conf/quickstart.yaml'}: ")
    assert expected in message
    assert "\n" not in message


def test_a_sampler_option_optuna_refuses_names_file_and_key() -> None:
    """Reading builds no sampler; the check before a sweep writes anything does."""
    path = ROOT / "conf/quickstart.yaml"
    cfg = load_config(path, ["study.sampler.options.foo=1"])
    with pytest.raises(ConfigError) as info:
        check_components(cfg, str(path))
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert "study.sampler: TPESampler.__init__() got an unexpected" in message
    assert "\n" not in message


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: no such config file"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndata: {source: builtin\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: invalid YAML at line 3"):
        load_config(bad)
    bad.write_text("- a list\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(bad)


def test_overrides_reach_nested_keys_and_parse_yaml() -> None:
    cfg = load_config(
        ROOT / "conf/quickstart.yaml",
        ["study.n_trials=3", "model.activation=tanh", "space.width.high=64", "seed=9"],
    )
    assert cfg.study.n_trials == 3
    assert cfg.model["activation"] == "tanh"
    assert cfg.space["width"].high == 64  # type: ignore[union-attr]
    assert cfg.seed == 9


def test_override_through_a_scalar_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"override seed\.x: seed is not a mapping"):
        load_config(ROOT / "conf/quickstart.yaml", ["seed.x=1"])
    with pytest.raises(ConfigError, match=r"must look like key\.path=value"):
        load_config(ROOT / "conf/quickstart.yaml", ["seed"])


def test_multi_objective_directions_and_selection() -> None:
    cfg = load_config(ROOT / "conf/multiobjective.yaml")
    assert cfg.objective.metric == ("val_loss", "n_params")
    assert cfg.objective.directions == ("minimize", "minimize")
    assert cfg.objective.selection_metric == "val_loss"


def test_public_dict_redacts_passwords() -> None:
    cfg = load_config(
        ROOT / "conf/quickstart.yaml",
        ["study.storage=postgresql+psycopg://bob:s3cret@db.example/optuna"],
    )
    dumped = cfg.public_dict()
    assert dumped["study"]["storage"] == "postgresql+psycopg://bob:***@db.example/optuna"
    assert "s3cret" not in str(dumped)


@pytest.mark.parametrize("name", ["2024", "no", "null", "1e3"])
def test_flags_are_values_not_yaml(name: str) -> None:
    flags = Flags(study_name=name, storage="sqlite:///x.db", tracking_uri="sqlite:///y.db")
    cfg = resolve_config(ROOT / "conf/quickstart.yaml", dataclasses.replace(flags, trials=7))
    assert cfg.study_name == name
    assert cfg.study.storage == "sqlite:///x.db"
    assert cfg.tracking.uri == "sqlite:///y.db"
    assert cfg.study.n_trials == 7


def test_a_study_flag_is_validated_as_the_text_typed() -> None:
    """``[a]`` stays the string ``'[a]'`` (YAML would make it a list), and a study name
    becomes a folder name, so it is refused as unsafe, like ``../x``."""
    for name in ("[a]", "../x"):
        with pytest.raises(ConfigError, match=rf"study\.name: '{re.escape(name)}' is not a safe"):
            resolve_config(ROOT / "conf/quickstart.yaml", Flags(study_name=name))


def test_flags_win_over_set_and_bad_set_values_name_the_key() -> None:
    flags = Flags(sets=("study.name=from-set", "study.n_trials=5"), study_name="from-flag")
    cfg = resolve_config(ROOT / "conf/quickstart.yaml", flags)
    assert (cfg.study_name, cfg.study.n_trials) == ("from-flag", 5)
    with pytest.raises(ConfigError, match=r"study\.n_trials: Input should be a valid integer"):
        resolve_config(ROOT / "conf/quickstart.yaml", Flags(sets=("study.n_trials=abc",)))


@pytest.mark.parametrize("path", SWEEP_FILES, ids=lambda p: p.name)
def test_a_resolved_config_round_trips_through_json(path: Path, tmp_path: Path) -> None:
    """`--jobs` workers read the parent's resolved config as JSON: it must mean the same."""
    cfg = load_config(path)
    resolved = tmp_path / "resolved.json"
    resolved.write_text(json.dumps(cfg.model_dump(mode="json")))
    assert load_config(resolved) == cfg


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("data.on_junk=ignore", "data.on_junk: Input should be 'coerce' or 'error'"),
        ("data.max_levels=1", "data.max_levels: Input should be greater than or equal to 2"),
        ("data.min_level_rows=0", "data.min_level_rows: Input should be greater than"),
        ("data.columns.contract=text", "data.columns.contract: Input should be 'numeric'"),
        ("data.na_values={a: 1}", "data.na_values: Input should be a valid"),
        ("model.target_scaling=none", "model.target_scaling applies to regression targets only"),
    ],
)
def test_bad_file_data_settings_name_the_key(override: str, expected: str) -> None:
    path = ROOT / "conf/csv_example.yaml"
    with pytest.raises(ConfigError) as info:
        cfg = load_config(path, [override])
        load_sweep_data(cfg, str(path))  # some keys can only be checked against the table
    message = str(info.value)
    assert message.startswith(f"{path}: ") or message.startswith("conf/")
    assert expected in message
    assert "\n" not in message


def test_na_values_are_text_whatever_yaml_made_of_them() -> None:
    cfg = load_config(ROOT / "conf/csv_example.yaml", ["data.na_values=[?, -999, 1.5, n.a.]"])
    assert cfg.data.na_values == ("?", "-999", "1.5", "n.a.")  # type: ignore[union-attr]
