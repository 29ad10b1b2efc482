"""Gather a sweep report's content from its study and its tracking store."""

from __future__ import annotations

import optuna
from optuna.trial import FrozenTrial

from sweeps.records import CHAMPION_ATTR, FOLDS_K_TAG, GAP_WARNING_TAG, PARENT_ATTR
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
        champion.test = {k: v for k, v in sorted(run.metrics.items()) if k.startswith("test_")}
        champion.gap_warning = run.tags.get(GAP_WARNING_TAG) or None
        champion.folds = int(run.tags.get(FOLDS_K_TAG, "1"))
    return champion


def top_trials(
    study: optuna.Study, cfg: SweepConfig, champion: Champion | None
) -> list[FrozenTrial]:
    """The :data:`TOP_N` best complete trials, more when a member of the champion ranks lower."""
    ranked = ranked_trials(study, cfg.objective, len(study.trials))
    members = champion.weights if champion is not None else {}
    ranks = [i for i, t in enumerate(ranked, start=1) if t.number in members]
    return ranked[: max(TOP_N, *ranks)] if ranks else ranked[:TOP_N]


def plot_target(cfg: SweepConfig) -> PlotTarget:
    """What the study plots show: the objective, or the selection metric of several."""
    return PlotTarget(cfg.objective.metric, cfg.objective.selection_metric)


def collect(
    study: optuna.Study, cfg: SweepConfig, tracker: TrackingStore, plots: StudyPlots
) -> ReportData:
    """Gather the report's content from the study and the tracking store."""
    champion = champion_of(study, tracker)
    return ReportData(
        study_name=cfg.study_name,
        description=cfg.description,
        parent_run_id=study.user_attrs.get(PARENT_ATTR),
        config=cfg.public_dict(),
        metrics=cfg.objective.metric,
        directions=cfg.objective.directions,
        selection_metric=cfg.objective.selection_metric,
        counts=states(study),
        top=top_trials(study, cfg, champion),
        champion=champion,
        pareto=[t.number for t in pareto_front(study)],
        plots=plots,
    )
