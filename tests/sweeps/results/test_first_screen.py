"""What a user sees first in MLflow: the runs list's view, the champion's marker, model and
description, the parent's description and best-so-far line, pruned reasons that say against
what, and log10 params for MLflow's linear-axis charts (on a real finished sweep)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState, create_trial

from sweeps.commands.ui import page_url
from sweeps.records import (
    CHAMPION_MARKER_TAG,
    NOTE_TAG,
    REASON_TAG,
    SHARED_VIEW_PREFIX,
    child_run_tags,
    current_metric,
)
from sweeps.search.pruning import pruned_reason
from sweeps.study.history import best_so_far, missing_points
from sweeps.tracking.runs_view import VIEW_KEY, runs_view, view_tags
from tests.sweeps.finished import Finished, tiny_sweep


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Finished:
    return tiny_sweep(tmp_path_factory, migrated_mlflow_db)


def test_the_view_shows_marker_objective_and_params_sorted_best_first() -> None:
    view = runs_view(["val_accuracy"], ["maximize"], ["learning_rate", "depth"])
    assert view["orderByKey"] == "metrics.`val_accuracy`" and view["orderByAsc"] is False
    assert view["selectedColumns"][:4] == [
        f"tags.`{CHAMPION_MARKER_TAG}`", "metrics.`val_accuracy`",
        "params.`learning_rate`", "params.`depth`",
    ]  # fmt: skip
    assert view["columnOrder"] == view["selectedColumns"]
    assert runs_view(["val_loss"], ["minimize"], [])["orderByAsc"] is True
    ((key, text),) = view_tags(view).items()
    assert key == f"{SHARED_VIEW_PREFIX}{VIEW_KEY}" and json.loads(text) == view
    assert page_url("http://h:1/", "7") == (
        f"http://h:1/#/experiments/7/runs?viewStateShareKey={VIEW_KEY}"
        "&workflowType=machine_learning"
    )


def _trial(
    state: TrialState, value: float | None, steps: dict[int, float]
) -> optuna.trial.FrozenTrial:
    return create_trial(state=state, value=value, intermediate_values=steps)


def test_best_so_far_carries_the_best_complete_value_over_pruned_and_failed_trials() -> None:
    study = optuna.create_study(direction="minimize")
    study.add_trial(_trial(TrialState.PRUNED, None, {1: 0.1}))  # before any complete: no point
    study.add_trial(_trial(TrialState.COMPLETE, 0.5, {}))
    study.add_trial(_trial(TrialState.PRUNED, None, {1: 0.01}))  # pruned values never count
    study.add_trial(_trial(TrialState.COMPLETE, 0.7, {}))
    study.add_trial(_trial(TrialState.COMPLETE, 0.2, {}))
    study.add_trial(_trial(TrialState.FAIL, None, {}))
    points = best_so_far(study)
    assert points == [(1, 0.5), (2, 0.5), (3, 0.5), (4, 0.2), (5, 0.2)]
    assert missing_points(points, points[:3]) == points[3:]
    maximised = optuna.create_study(direction="maximize")
    for value in (0.5, 0.9, 0.7):
        maximised.add_trial(_trial(TrialState.COMPLETE, value, {}))
    assert best_so_far(maximised) == [(0, 0.5), (1, 0.9), (2, 0.9)]


def test_names_an_older_sweeps_logged_read_as_todays() -> None:
    assert current_metric("fold_3_val_loss", 5) == "folds/val_loss_fold3"
    assert current_metric("val_loss_std", 5) == "folds/val_loss_std"
    assert current_metric("epoch/val_loss", 5) == "fold0/val_loss"  # the first fold's curve
    assert current_metric("epoch/val_loss", 1) == "epoch/val_loss"  # one split: unchanged
    for name in ("val_loss", "n_params", "folds/val_loss_std", "fold0/train_loss"):
        assert current_metric(name, 5) == name


def test_a_run_opens_with_its_role_study_number_and_state_before_data_and_provenance() -> None:
    tags = {"sweeps.version.numpy": "2", "sweeps.split.train": "ab", "sweeps.state": "RUNNING"}
    tags |= {"sweeps.git_commit": "c", "sweeps.trial_number": "3", "sweeps.study": "s"}
    assert list(child_run_tags(tags, "p")) == [
        "sweeps.role", "sweeps.study", "sweeps.trial_number", "sweeps.state",
        "sweeps.split.train", "sweeps.version.numpy", "sweeps.git_commit", "mlflow.parentRunId",
    ]  # fmt: skip


def test_a_pruned_reason_names_what_the_pruner_compared() -> None:
    others = [_trial(TrialState.COMPLETE, 0.1, {20: v}) for v in (0.05, 0.06, 0.07)]
    reason = pruned_reason("median", {}, True, 20, "val_loss", {10: 0.09, 20: 0.0817}, others)
    assert reason == (
        "pruned at epoch 20: best val_loss so far 0.0817 is worse than the median 0.06 of 3 "
        "complete trials at epoch 20"
    )
    high = pruned_reason(
        "percentile", {"percentile": 25.0}, False, 20, "val_accuracy", {20: 0.5}, others
    )
    assert "best val_accuracy so far 0.5 is worse than the 25th percentile 0.065" in high
    patient = pruned_reason("patient", {"patience": 3}, True, 20, "val_loss", {20: 0.1}, others)
    assert patient.startswith("pruned at epoch 20: no better val_loss for 3 reports, and best")
    halving = pruned_reason("successive_halving", {}, True, 4, "val_loss", {4: 0.3}, others)
    assert "not among the best 1/4 of the trials" in halving


def test_the_finished_sweep_marks_describes_and_draws_what_the_view_shows(tiny: Finished) -> None:
    client, study = tiny.client(), tiny.study()
    parent = client.get_run(study.user_attrs["mlflow_parent_run_id"])
    champion = client.get_run(tiny.champion_run_id())
    assert champion.data.tags[CHAMPION_MARKER_TAG] == "★ champion"
    for member in tiny.champion()["members"]:
        tags = client.get_run(tiny.run_id(member["trial"])).data.tags
        assert tags[CHAMPION_MARKER_TAG].startswith("★ member")
    (logged,) = json.loads(champion.data.tags["mlflow.log-model.history"])
    assert logged["artifact_path"] == "model" and "sklearn" in logged["flavors"]
    assert logged["run_id"] == champion.info.run_id

    tests = {k: v for k, v in champion.data.metrics.items() if k.startswith("test_")}
    assert tests and all(f"{k} {v:.4g}" in champion.data.tags[NOTE_TAG] for k, v in tests.items())
    note = parent.data.tags[NOTE_TAG]
    words = ("breast_cancer (569 rows, classification", "4 trials of a budget of 4")
    words += ("2 complete, 2 pruned", "Objective: val_loss (minimize)", "Chosen by")
    for part in words:
        assert part in note, (part, note)
    assert f"Champion run {champion.info.run_id}" in note

    complete = {t.number: t.value for t in study.trials if t.state == TrialState.COMPLETE}
    history = client.get_metric_history(parent.info.run_id, "best_so_far/val_loss")
    first = min(complete)
    expected = [(n, min(v for k, v in complete.items() if k <= n)) for n in range(first, 4)]
    assert sorted((m.step, m.value) for m in history) == expected


def test_pruned_reasons_and_log10_params_on_the_trials(tiny: Finished) -> None:
    client, study = tiny.client(), tiny.study()
    pruned = [t for t in study.trials if t.state == TrialState.PRUNED]
    assert pruned
    for trial in pruned:
        run = client.get_run(trial.user_attrs["mlflow_run_id"])
        match = re.fullmatch(
            r"pruned at epoch (\d+): best val_loss so far ([\d.]+) is worse than the median "
            r"([\d.]+) of (\d+) complete trials at epoch \1",
            run.data.tags[REASON_TAG],
        )
        assert match, run.data.tags[REASON_TAG]
        assert float(match.group(2)) > float(match.group(3))
    for trial in study.trials:
        params = client.get_run(trial.user_attrs["mlflow_run_id"]).data.params
        lr = trial.params["learning_rate"]
        assert float(params["log10_learning_rate"]) == pytest.approx(math.log10(lr), abs=1e-6)
        assert "log10_depth" not in params  # searched on a linear scale
