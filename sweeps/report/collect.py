"""Gather a sweep report's content from its study and its tracking store."""

from __future__ import annotations

import optuna

from sweeps.config import SweepConfig
from sweeps.report.data import ReportData, Winner
from sweeps.report.study_plots import PlotTarget, StudyPlots
from sweeps.search.metrics import is_kept_metric
from sweeps.search.sweep import PARENT_ATTR
from sweeps.study.selection import pareto_front, ranked_trials, states, winner_trial
from sweeps.tracking import TrackingStore

TOP_N = 10


def winner_of(study: optuna.Study, cfg: SweepConfig, tracker: TrackingStore) -> Winner | None:
    """The selected trial, with metrics read from its MLflow run (if the run still exists)."""
    trial = winner_trial(study, cfg.objective)
    if trial is None:
        return None
    values = dict(zip(cfg.objective.metric, trial.values, strict=True))
    run_id = trial.user_attrs.get("mlflow_run_id")
    winner = Winner(trial.number, run_id, dict(trial.params), values)
    run = tracker.run(run_id) if run_id is not None else None
    if run is not None:
        logged = run.metrics
        winner.validation = {
            k: v
            for k, v in sorted(logged.items())
            if (is_kept_metric(k) and k != "train_loss")
            or k in ("n_params", "best_epoch", "n_epochs")
        }
        winner.test = {k: v for k, v in sorted(logged.items()) if k.startswith("test_")}
    return winner


def plot_target(cfg: SweepConfig) -> PlotTarget:
    """What the study plots show: the objective, or the selection metric of several."""
    return PlotTarget(cfg.objective.metric, cfg.objective.selection_metric, cfg.seed)


def collect(
    study: optuna.Study, cfg: SweepConfig, tracker: TrackingStore, plots: StudyPlots
) -> ReportData:
    """Gather the report's content from the study and the tracking store."""
    return ReportData(
        study_name=cfg.study_name,
        description=cfg.description,
        parent_run_id=study.user_attrs.get(PARENT_ATTR),
        config=cfg.public_dict(),
        metrics=cfg.objective.metric,
        directions=cfg.objective.directions,
        selection_metric=cfg.objective.selection_metric,
        counts=states(study),
        top=ranked_trials(study, cfg.objective, TOP_N),
        winner=winner_of(study, cfg, tracker),
        pareto=[t.number for t in pareto_front(study)],
        plots=plots,
    )
