"""Gather a sweep report's content from its study and its tracking store."""

from __future__ import annotations

import optuna

from sweeps.records import CHAMPION_ATTR, PARENT_ATTR
from sweeps.report.data import Champion, ReportData
from sweeps.report.study_plots import PlotTarget, StudyPlots
from sweeps.spec.schema import SweepConfig
from sweeps.study.selection import pareto_front, ranked_trials, states
from sweeps.tracking import TrackingStore

__all__: list[str] = []  # nothing here for other packages

TOP_N = 10


def champion_of(study: optuna.Study, tracker: TrackingStore) -> Champion | None:
    """The champion the study records, with the metrics of its run (if it still exists)."""
    record = study.user_attrs.get(CHAMPION_ATTR)
    if not isinstance(record, dict) or not isinstance(record.get("choice"), dict):
        return None
    run_id = record.get("run_id")
    champion = Champion(run_id, record["choice"])
    members = champion.weights
    if len(members) == 1:
        trials = {t.number: t for t in study.get_trials(deepcopy=False)}
        trial = trials.get(next(iter(members)))
        champion.params = dict(trial.params) if trial is not None else {}
    run = tracker.run(run_id) if run_id else None
    if run is not None:
        logged = sorted(run.metrics.items())
        champion.validation = {k: v for k, v in logged if k.startswith(("val_", "best_trial_"))}
        champion.test = {k: v for k, v in logged if k.startswith(("test_", "gap_"))}
    return champion


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
        champion=champion_of(study, tracker),
        pareto=[t.number for t in pareto_front(study)],
        plots=plots,
    )
