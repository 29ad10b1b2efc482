"""The public surfaces are pinned: what ``pipeline`` and ``sweeps.tracking`` export, the MLP's
keyword table, and the command registry. Changing one is a decision, made here on purpose."""

from __future__ import annotations

import importlib

import click
import pytest

import pipeline
import sweeps.tracking
from pipeline.mlp.hyperparams import DEFAULTS, REGRESSION_ONLY
from sweeps.commands import COMMANDS

PIPELINE = [
    "ColumnRoles", "DataError", "DivergenceError", "EpochRecord", "Fold", "Folds",
    "LevelLimits", "MLPClassifier", "MLPRegressor", "PipelineError", "PreparedData", "Split",
    "Table", "TableDescription", "build_preprocessor", "build_table", "feature_count",
    "infer_task", "kfold", "load_builtin", "load_file", "load_generated", "prepare",
    "prepare_fold", "prepare_rows", "split_table", "test_rows", "weights_digest",
    "zero_weight_share",
]  # fmt: skip
TRACKING = [
    "DatasetRecord", "MemoryTracker", "ModelVersion", "RunRecord", "RunWriter", "Tracker",
    "TrackingStore", "TrialRun", "artifact_root_for", "close_orphan_runs", "close_stale_runs",
    "experiment_named", "fetch_run", "open_existing", "open_reader", "open_tracker",
    "refresh_statistics",
    "resolve_tracking_uri",
]  # fmt: skip


@pytest.mark.parametrize(("module", "names"), [(pipeline, PIPELINE), (sweeps.tracking, TRACKING)])
def test_the_public_names_are_pinned_and_all_resolve(module: object, names: list[str]) -> None:
    assert sorted(module.__all__) == sorted(names)  # type: ignore[attr-defined]
    for name in names:
        assert getattr(module, name) is not None


def test_pipeline_refuses_unknown_names() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pipeline.nope  # noqa: B018


def test_the_keyword_table_is_the_estimators_signature() -> None:
    assert pipeline.MLPRegressor().get_params() == DEFAULTS
    classifier = {k: v for k, v in DEFAULTS.items() if k not in REGRESSION_ONLY}
    assert pipeline.MLPClassifier().get_params() == classifier


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_registered_command_resolves_to_itself(name: str) -> None:
    entry = COMMANDS[name]
    command = getattr(importlib.import_module(f"sweeps.commands.{entry.module}"), entry.attribute)
    assert isinstance(command, click.Command)
    assert command.name == name
    assert entry.summary.endswith(".")
