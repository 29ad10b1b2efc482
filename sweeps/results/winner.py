"""The selected trial, after the study: rebuilt, tested once, packaged and maybe crowned."""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from optuna.trial import FrozenTrial
from sklearn.pipeline import Pipeline

from pipeline import test_rows, weights_digest
from pipeline.evaluation import evaluate
from pipeline.preprocess import fit_rows
from sweeps.infra.forked import ForkedJob
from sweeps.results.registry import Score, register_winner
from sweeps.search.dataset import SweepData
from sweeps.search.sweep import Sweep
from sweeps.search.trial import make_estimator, train_trial
from sweeps.tracking import RunRecord, fetch_run

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


def final_model(sweep: Sweep, trial: FrozenTrial, run: RunRecord) -> tuple[Pipeline, list[str]]:
    """The model the sweep hands back. ``selection.refit: all`` (default): preprocessing and
    the MLP fitted again on every non-test row (train and validation) for as many epochs as
    the trial kept (its mean over folds): the validation rows have done their job. ``train``:
    the trial's own model trained again on the train split (checked bit for bit against the
    trial when it was not cross-validated)."""
    kwargs = estimator_of(trial)
    if sweep.cfg.selection.refit == "all":
        epochs = max(1, round(run.metrics.get("best_epoch", sweep.cfg.max_epochs)))
        note = f"final model refitted on all {_non_test(sweep)} non-test rows for {epochs} epochs"
        return refit_all(sweep.data, kwargs, epochs), [note]
    model = train_trial(sweep.data, kwargs, scope="split").model
    same = weights_digest(model) == run.tags.get("sweeps.weights_sha256")
    if sweep.data.folds or same:
        return full_pipeline(sweep.data, model), []
    return full_pipeline(sweep.data, model), [
        f"retraining trial {trial.number} did not give identical weights"
    ]


def _non_test(sweep: Sweep) -> int:
    sizes = sweep.data.split.sizes()
    return sizes["train"] + sizes["validation"]


def refit_all(data: SweepData, kwargs: dict[str, Any], epochs: int) -> Pipeline:
    """Preprocessing and the MLP fitted on train and validation rows, ``epochs`` epochs."""
    rows = np.union1d(data.split.train, data.split.validation)
    preprocessor, X, y = fit_rows(data.table, rows)
    model = make_estimator(
        data.task, {**kwargs, "max_epochs": epochs, "early_stopping_patience": None}
    )
    model.fit(X, y)
    return Pipeline([("preprocess", preprocessor), ("mlp", model)])


def finalize_winner(sweep: Sweep, trial: FrozenTrial, score: Score) -> WinnerReport:
    """Fit the winner's final model, test it once, log it with its plots, register it and
    move the champion alias if it beats the champion on ``score``."""
    cfg, data, tracker = sweep.cfg, sweep.data, sweep.tracker
    report = WinnerReport()
    run_id = trial.user_attrs["mlflow_run_id"]
    run = fetch_run(tracker, run_id)
    if run.tags.get(TESTED_TAG) == "true":
        report.test_metrics = {k: v for k, v in run.metrics.items() if k.startswith("test_")}
        report.notes.append(f"trial {trial.number} was already tested and packaged")
        return report
    pipe, notes = final_model(sweep, trial, run)
    report.notes += notes
    X_test, y_test = test_rows(data.table, data.split)
    report.test_metrics = evaluate(pipe, X_test, y_test, data.task, "test_")
    tested = {"sweeps.tested_trial": trial.number}
    tracker.log_values(sweep.parent_run_id, report.test_metrics, tested)
    tracker.log_values(run_id, report.test_metrics, {TESTED_TAG: "true"})
    with tempfile.TemporaryDirectory() as tmp:  # plots drawn by a child while the model is saved
        draw = functools.partial(_draw_plots, pipe, X_test, y_test, data.task, Path(tmp))
        job = ForkedJob(draw, "sweeps-model-plots")
        example = X_test.head(5)
        tracker.log_model(run_id, pipe, example, pipe.predict(example))
        if cfg.tracking.register_model:
            report.notes += register_winner(sweep, run_id, score)
        if not job.succeeded():
            draw()
        tracker.log_folder(run_id, Path(tmp), "plots")
    return report


def _draw_plots(pipe: Pipeline, X: Any, y: Any, task: str, folder: Path) -> None:
    """The winner's learning curves and test-set plots, as PNG files in ``folder``."""
    from sweeps.results.model_plots import (  # matplotlib: loaded when drawing
        classification_plots,
        learning_curves,
        regression_plots,
    )

    learning_curves(pipe[-1], folder / "learning_curves.png")
    plots = classification_plots if task == "classification" else regression_plots
    plots(pipe, X, y, folder)
