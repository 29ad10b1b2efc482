"""The selected trial, after the study: rebuilt, tested once, packaged and maybe crowned."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optuna.trial import FrozenTrial
from sklearn.pipeline import Pipeline

from pipeline import test_rows, weights_digest
from pipeline.evaluation import evaluate
from sweeps.config import MAXIMIZED, SweepConfig
from sweeps.results.model_plots import classification_plots, learning_curves, regression_plots
from sweeps.search.dataset import SweepData
from sweeps.search.sweep import Sweep
from sweeps.search.trial import train_trial
from sweeps.tracking import TrackingStore, fetch_run

TESTED_TAG = "sweeps.test_evaluated"


@dataclass
class WinnerReport:
    """What happened to the selected trial at the end of the sweep."""

    test_metrics: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def estimator_of(trial: FrozenTrial) -> dict[str, Any]:
    """The exact MLP keywords a trial trained with (stored on the trial at its start)."""
    kwargs = dict(trial.user_attrs["estimator"])
    if "hidden_layer_sizes" in kwargs:
        kwargs["hidden_layer_sizes"] = tuple(kwargs["hidden_layer_sizes"])
    return kwargs


def full_pipeline(data: SweepData, model: Any) -> Pipeline:
    """Fitted preprocessing and the MLP as one sklearn Pipeline that takes raw rows."""
    return Pipeline([("preprocess", data.prepared.preprocessor), ("mlp", model)])


def finalize_winner(sweep: Sweep, trial: FrozenTrial) -> WinnerReport:
    """Test the selected trial once, log its model and plots, register it, move the alias."""
    cfg, data, tracker = sweep.cfg, sweep.data, sweep.tracker
    report = WinnerReport()
    run_id = trial.user_attrs["mlflow_run_id"]
    run = fetch_run(tracker, run_id)
    if run.tags.get(TESTED_TAG) == "true":
        report.test_metrics = {k: v for k, v in run.metrics.items() if k.startswith("test_")}
        report.notes.append(f"trial {trial.number} was already tested and packaged")
        return report
    model = train_trial(data, estimator_of(trial), scope="split").model
    folded = bool(data.folds)  # trials were cross-validated: the refit is a new model
    if not folded and weights_digest(model) != run.tags.get("sweeps.weights_sha256"):
        report.notes.append(f"retraining trial {trial.number} did not give identical weights")
    pipe = full_pipeline(data, model)
    X_test, y_test = test_rows(data.table, data.split)
    report.test_metrics = evaluate(pipe, X_test, y_test, data.task, "test_")
    tested = {"sweeps.tested_trial": trial.number}
    tracker.log_values(sweep.parent_run_id, report.test_metrics, tested)
    tracker.log_values(run_id, report.test_metrics, {TESTED_TAG: "true"})
    _log_plots(tracker, run_id, pipe, model, X_test, y_test, data.task)
    example = X_test.head(5)
    tracker.log_model(run_id, pipe, example, pipe.predict(example))
    if cfg.tracking.register_model:
        _register(cfg, data, tracker, run_id, pipe, report)
    return report


def _log_plots(
    tracker: TrackingStore, run_id: str, pipe: Pipeline, model: Any, X: Any, y: Any, task: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        learning_curves(model, folder / "learning_curves.png")
        plots = classification_plots if task == "classification" else regression_plots
        plots(pipe, X, y, folder)
        tracker.log_folder(run_id, folder, "plots")


def _register(
    cfg: SweepConfig,
    data: SweepData,
    tracker: TrackingStore,
    run_id: str,
    pipe: Pipeline,
    report: WinnerReport,
) -> None:
    name = cfg.tracking.model_name or cfg.name
    current = tracker.champion(name)
    version = tracker.register(name, run_id, {"sweeps.study": cfg.study_name})
    if current is None:
        tracker.crown(name, version)
        report.notes.append(f"model {name} version {version} is the first champion")
        return
    verdict = _compare(cfg, data, tracker, pipe, current[1])
    if verdict is None:
        report.notes.append(
            f"champion (version {current[0]}) cannot be scored on this validation data; "
            f"alias left unchanged, new version {version} registered"
        )
    elif verdict[0]:
        tracker.crown(name, version)
        report.notes.append(f"version {version} beats the champion ({verdict[1]}): alias moved")
    else:
        report.notes.append(
            f"version {version} does not beat champion version {current[0]} ({verdict[1]}): "
            "alias unchanged"
        )


def _compare(
    cfg: SweepConfig, data: SweepData, tracker: TrackingStore, pipe: Pipeline, champion_run: str
) -> tuple[bool, str] | None:
    """Score both on this sweep's raw validation rows with the selection metric."""
    metric = cfg.objective.selection_metric
    metric = metric if metric != "n_params" else "val_loss"
    X_val = data.table.X.iloc[data.split.validation]
    y_val = data.table.y.iloc[data.split.validation]
    try:
        old = evaluate(tracker.load_model(champion_run), X_val, y_val, data.task, "val_")
    except Exception:  # a champion trained on another table or task
        return None
    new = evaluate(pipe, X_val, y_val, data.task, "val_")
    better = new[metric] > old[metric] if metric in MAXIMIZED else new[metric] < old[metric]
    return better, f"{metric} {new[metric]:.6g} vs {old[metric]:.6g}"
