"""The top trials of a sweep, read from the tracking store with one sorted, limited query.

The database filters (study, COMPLETE, trial runs) and sorts by the selection metric's final
value; only the ``K`` runs returned are read, and never a metric history: 10,000 trials cost
what 10 do (on a local SQLite store once its planner statistics are fresh: see
:func:`~sweeps.tracking.planner.refresh_statistics`). Ties are broken by start time (for one
worker: by trial number).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from sweeps.errors import RunNotFoundError
from sweeps.records import (
    DIRECTIONS_TAG,
    NOTE_TAG,
    PARENT,
    PARENT_RUN_TAG,
    STATE_TAG,
    STUDY_TAG,
    TRIAL,
    TRIAL_NUMBER_TAG,
    ParentTags,
    is_kept_metric,
    runs_of,
)
from sweeps.spec.schema import Direction, SweepConfig
from sweeps.spec.space import CategoricalParam, FloatParam, IntParam, ParamSpec
from sweeps.tracking import RunRecord, TrackingStore, experiment_named, refresh_statistics

__all__ = [
    "BestTrial",
    "ChampionSummary",
    "Ranking",
    "champion_of",
    "latest_parent",
    "ranking_from_config",
    "ranking_from_parent",
    "top_trials",
]

#: Final values shown beside the kept model's metrics (per-epoch and test metrics are left out).
SHOWN_METRICS = ("n_params", "n_epochs", "best_epoch")
_SPEC = TypeAdapter(ParamSpec)


@dataclass(frozen=True)
class Ranking:
    """What to rank by: a study in an experiment, one metric, its direction, the space."""

    experiment: str
    study: str
    metric: str
    direction: Direction
    space: Mapping[str, ParamSpec]

    @property
    def column(self) -> str:
        """The MLflow metric holding each trial's value of ``metric``."""
        return self.metric


@dataclass(frozen=True)
class BestTrial:
    """One ranked trial: its number, run, value, searched params (typed), final metrics and
    its weight in the champion (None: not a member)."""

    rank: int
    number: int
    run_id: str
    value: float
    params: dict[str, Any]
    metrics: dict[str, float]
    champion_weight: float | None = None


@dataclass(frozen=True)
class ChampionSummary:
    """The champion as the sweep's parent run records it: its run, members and score."""

    run_id: str
    members: dict[int, float]  # trial number -> weight
    metric: str
    score: float
    description: str

    @property
    def kind(self) -> str:
        """``ensemble`` (several members) or ``trial``."""
        return "ensemble" if len(self.members) > 1 else "trial"


def latest_parent(tracker: TrackingStore, ranking: Ranking) -> RunRecord | None:
    """The parent run of the study's latest sweep (a `--fresh` start makes a new one)."""
    experiment_id = experiment_named(tracker, ranking.experiment)
    parents = tracker.search(
        experiment_id, runs_of(PARENT, ranking.study), ["attributes.start_time DESC"], 1
    )
    return parents[0] if parents else None


def champion_of(parent: RunRecord | None) -> ChampionSummary | None:
    """The champion the sweep's parent run names (None before one was chosen)."""
    tags = parent.tags if parent is not None else {}
    record = ParentTags.read(tags)
    if None in (record.champion_run_id, record.champion_members, record.champion_score):
        return None
    try:
        members = {
            int(n): float(w)
            for n, w in (part.split(":") for part in str(record.champion_members).split(","))
        }
        metric, score = str(record.champion_score).split("=")
        return ChampionSummary(
            str(record.champion_run_id), members, metric, float(score), tags.get(NOTE_TAG, "")
        )
    except ValueError:
        return None


def ranking_from_config(cfg: SweepConfig) -> Ranking:
    """Rank by the config's selection metric in its direction."""
    metric = cfg.objective.selection_metric
    direction = cfg.objective.directions[cfg.objective.metric.index(metric)]
    return Ranking(cfg.name, cfg.study_name, metric, direction, dict(cfg.space))


def ranking_from_parent(
    tracker: TrackingStore, experiment: str, study: str | None = None
) -> Ranking:
    """Rank as the experiment's latest sweep (of ``study``, if given) does: the parent run's
    first metric and direction (param ``metric``, tag ``sweeps.directions``) and its searched
    space (``space.*`` params)."""
    experiment_id = experiment_named(tracker, experiment)
    where, order = runs_of(PARENT, study), ["attributes.start_time DESC"]
    parents = tracker.search(experiment_id, where, order, 1)
    if not parents:
        which = f"study {study!r}" if study else "sweep"
        raise RunNotFoundError(f"experiment {experiment!r} has no {which} (no parent run)")
    data = parents[0]
    try:
        metric = data.params["metric"].split(",")[0]
        direction = data.tags[DIRECTIONS_TAG].split(",")[0]
        space = {
            k.removeprefix("space."): _SPEC.validate_json(v)
            for k, v in data.params.items()
            if k.startswith("space.")
        }
    except (KeyError, ValidationError):
        raise RunNotFoundError(f"experiment {experiment!r}: its parent run is incomplete") from None
    study = data.tags.get(STUDY_TAG, experiment)
    return Ranking(experiment, study, metric, direction, space)  # type: ignore[arg-type]


def top_trials(
    tracker: TrackingStore,
    ranking: Ranking,
    k: int,
    champion: ChampionSummary | None = None,
    parent_id: str | None = None,
) -> list[BestTrial]:
    """The ``k`` best COMPLETE trials of the study (of the sweep of parent run ``parent_id``,
    when given), best first, each with its weight in ``champion``."""
    experiment_id = experiment_named(tracker, ranking.experiment)
    refresh_statistics(tracker.uri)
    tags: dict[str, object] = {STATE_TAG: "COMPLETE"}
    if parent_id is not None:  # after `run --fresh`, the replaced sweep's runs stay in the store
        tags[PARENT_RUN_TAG] = parent_id
    where = runs_of(TRIAL, ranking.study, **tags)
    order = "ASC" if ranking.direction == "minimize" else "DESC"
    runs = tracker.search(
        experiment_id,
        where,
        [f"metrics.`{ranking.column}` {order}", "attributes.start_time ASC"],
        k,
    )
    if not runs:
        raise RunNotFoundError(
            f"study {ranking.study!r} has no COMPLETE trial in experiment {ranking.experiment!r}"
        )
    weights = champion.members if champion is not None else {}
    return [_best_trial(rank, run, ranking, weights) for rank, run in enumerate(runs, start=1)]


def _best_trial(
    rank: int, run: RunRecord, ranking: Ranking, weights: Mapping[int, float]
) -> BestTrial:
    metrics = run.metrics
    shown = {k: v for k, v in metrics.items() if is_kept_metric(k) or k in SHOWN_METRICS}
    params = {
        name: typed_param(spec, run.params[name])
        for name, spec in ranking.space.items()
        if name in run.params
    }
    number = int(run.tags[TRIAL_NUMBER_TAG])
    return BestTrial(
        rank=rank,
        number=number,
        run_id=run.run_id,
        value=metrics[ranking.column],
        params=params,
        metrics=dict(sorted(shown.items())),
        champion_weight=weights.get(number),
    )


def typed_param(spec: ParamSpec, text: str) -> Any:
    """A logged param string back as the value Optuna sampled (float, int or the choice)."""
    if isinstance(spec, FloatParam):
        return float(text)
    if isinstance(spec, IntParam):
        return int(text)
    assert isinstance(spec, CategoricalParam)
    return next((c for c in spec.choices if str(c) == text), text)
