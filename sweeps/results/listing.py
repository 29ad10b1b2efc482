"""The sweeps of a tracking store, one summary each, read without touching a trial's run:
what ``sweeps list`` prints (its command: :mod:`sweeps.commands.listing`) and ``sweeps compare``
reads; the live counts come from :mod:`sweeps.study.overview`.

A sweep is an MLflow parent run (tag ``sweeps.role=parent``): its experiment, its study, its
objective (param ``metric``, tag ``sweeps.directions``) and, once it has concluded, its trial
counts (metrics ``trials_<state>``) and its champion (metric ``champion_<metric>``, tag
``sweeps.champion_run_id``). When the study's Optuna storage is at hand and the study there
names this parent run (user attribute ``mlflow_parent_run_id``), its live counts replace the
concluded ones, and its best value so far stands in for a champion not chosen yet.

Queries: the experiments, the parent runs of all of them, the registry's champions (two),
then one per sweep for its latest run: never one per trial.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import ValidationError

from sweeps.errors import ConfigError, RunNotFoundError
from sweeps.infra.urls import MASK, redact
from sweeps.records import PARENT, PARENT_ATTR, STUDY_TAG, ParentTags, runs_of, tag_is
from sweeps.spec.schema import SweepConfig
from sweeps.study.overview import STATES, StudyOverview, study_overviews
from sweeps.tracking import ModelVersion, RunRecord, TrackingStore, refresh_statistics

__all__ = ["SweepSummary", "list_sweeps", "logged_config", "only_sweep", "read_overviews"]

#: The most sweeps one listing reads (MLflow returns at most 50,000 runs per query).
MAX_SWEEPS = 10_000
PARENTS = runs_of(PARENT)
LATEST_FIRST = ["attributes.start_time DESC"]
CountsFrom = Literal["study", "parent run"]


@dataclass(frozen=True)
class Champion:
    """The registered model version holding the ``champion`` alias."""

    model: str
    version: str
    run_id: str


@dataclass(frozen=True)
class SweepSummary:
    """One sweep as ``sweeps list`` shows it.

    ``counts`` are trials by state, live from the study (``counts_from="study"``) or as the
    last conclusion recorded them (``"parent run"``), None when neither is known. ``best`` is
    the champion's validation score (``best_from="champion"``) or, before there is one, the
    study's best so far (``"study"``). ``last_activity``: start of the study's
    latest run, in ms since the epoch."""

    experiment: str
    experiment_id: str
    study: str
    parent_run_id: str
    status: str
    metric: str
    direction: str
    counts: dict[str, int] | None
    counts_from: CountsFrom | None
    best: float | None
    best_from: Literal["champion", "study"] | None
    champion_run_id: str | None
    champion: Champion | None
    last_activity: int


def read_overviews(storage_url: str | None) -> dict[str, StudyOverview]:
    """Every study of the storage (none without one)."""
    return study_overviews(storage_url, PARENT_ATTR) if storage_url else {}


def list_sweeps(
    tracker: TrackingStore, overviews: Mapping[str, StudyOverview] | None = None
) -> list[SweepSummary]:
    """Every sweep of the store (the latest parent run of each experiment and study), sorted
    by experiment and study."""
    names = {eid: name for name, eid in tracker.experiments().items()}
    parents = tracker.search(list(names), PARENTS, LATEST_FIRST, MAX_SWEEPS)
    return summarise(tracker, latest_per_study(parents), names, overviews or {})


def sweep_of(
    tracker: TrackingStore,
    experiment: str,
    experiment_id: str,
    study: str | None = None,
    overviews: Mapping[str, StudyOverview] | None = None,
) -> SweepSummary | None:
    """The latest sweep (of ``study``, if given) in one experiment; None if it has none."""
    parents = [
        run
        for run in tracker.search(experiment_id, PARENTS, LATEST_FIRST, MAX_SWEEPS)
        if study is None or run.tags.get(STUDY_TAG) == study
    ]
    found = summarise(tracker, parents[:1], {experiment_id: experiment}, overviews or {})
    return found[0] if found else None


#: Sweeps an error lists at most.
SHOWN_SWEEPS = 5


def only_sweep(tracker: TrackingStore, hint: str) -> tuple[str, str, RunRecord]:
    """``(experiment, study, latest parent run)`` of the store's one sweep, for a command
    given no sweep file; a :class:`RunNotFoundError` when the store has none, or several
    (listed as ``experiment`` or ``experiment/study``, then ``hint``). Two queries."""
    names = {eid: name for name, eid in tracker.experiments().items()}
    parents = latest_per_study(tracker.search(list(names), PARENTS, LATEST_FIRST, MAX_SWEEPS))
    if len(parents) == 1:
        (parent,) = parents
        experiment = names[parent.experiment_id]
        return experiment, parent.tags.get(STUDY_TAG, parent.name), parent
    where = f"tracking store {redact(tracker.uri)}"
    if not parents:
        raise RunNotFoundError(f"no sweep in {where}")
    labels = sorted(_label(names[run.experiment_id], run) for run in parents)
    shown = ", ".join(labels[:SHOWN_SWEEPS])
    more = f", and {len(labels) - SHOWN_SWEEPS} more" if len(labels) > SHOWN_SWEEPS else ""
    raise RunNotFoundError(f"{len(labels)} sweeps in {where} ({shown}{more}): {hint}")


def logged_config(tracker: TrackingStore, parent: RunRecord) -> SweepConfig:
    """The resolved sweep file a parent run logged (``config.json``, checked against its
    digest), with a store URL whose password the log redacted left unset (the default, or
    the command's flag, stands in)."""
    raw = tracker.read_json(parent.run_id, "config.json")
    try:
        for section, key in (("study", "storage"), ("tracking", "uri")):
            if MASK in str(raw[section][key] or ""):
                raw[section][key] = None
        return SweepConfig.model_validate(raw)
    except (KeyError, TypeError, ValidationError) as exc:
        raise ConfigError(f"run {parent.run_id}: config.json is unusable ({exc})") from None


def _label(experiment: str, parent: RunRecord) -> str:
    study = parent.tags.get(STUDY_TAG, parent.name)
    return experiment if study == experiment else f"{experiment}/{study}"


def latest_per_study(parents: Sequence[RunRecord]) -> list[RunRecord]:
    """The latest parent run of each (experiment, study), from runs sorted latest first."""
    kept: dict[tuple[str, str], RunRecord] = {}
    for run in parents:
        kept.setdefault((run.experiment_id, run.tags.get(STUDY_TAG, run.name)), run)
    return list(kept.values())


def summarise(
    tracker: TrackingStore,
    parents: Sequence[RunRecord],
    names: Mapping[str, str],
    overviews: Mapping[str, StudyOverview],
) -> list[SweepSummary]:
    """The summaries of ``parents`` (experiment names by id in ``names``)."""
    if not parents:
        return []
    refresh_statistics(tracker.uri)
    champions = tracker.champions()
    found = [
        _summary(tracker, run, names[run.experiment_id], overviews, champions) for run in parents
    ]
    return sorted(found, key=lambda s: (s.experiment, s.study))


def _summary(
    tracker: TrackingStore,
    parent: RunRecord,
    experiment: str,
    overviews: Mapping[str, StudyOverview],
    champions: Mapping[str, ModelVersion],
) -> SweepSummary:
    record = ParentTags.read(parent.tags)
    study = record.study or parent.name
    metric = parent.params.get("metric", "?").split(",")[0]
    direction = record.direction or "minimize"
    live = overviews.get(study)
    if live is not None and live.attr != parent.run_id:
        live = None  # a study of the same name, but not this sweep's
    counts, counts_from = _counts(parent, live)
    best, best_from = _best(parent, metric, direction, live)
    return SweepSummary(
        experiment, parent.experiment_id, study, parent.run_id, parent.status, metric, direction,
        counts, counts_from, best, best_from, record.champion_run_id,
        _champion(champions, experiment, study), _last_activity(tracker, parent, study),
    )  # fmt: skip


def _counts(
    parent: RunRecord, live: StudyOverview | None
) -> tuple[dict[str, int] | None, CountsFrom | None]:
    if live is not None:
        return {s: live.counts.get(s, 0) for s in STATES}, "study"
    logged = {s: parent.metrics.get(f"trials_{s.lower()}") for s in STATES}
    if all(v is None for v in logged.values()):
        return None, None
    return {s: int(v or 0) for s, v in logged.items()}, "parent run"


def _best(
    parent: RunRecord, metric: str, direction: str, live: StudyOverview | None
) -> tuple[float | None, Literal["champion", "study"] | None]:
    if f"champion_{metric}" in parent.metrics:
        return parent.metrics[f"champion_{metric}"], "champion"
    if live is not None and live.best(direction) is not None:
        return live.best(direction), "study"
    return None, None


def _champion(
    champions: Mapping[str, ModelVersion], experiment: str, study: str
) -> Champion | None:
    """The champion of the model named after the sweep, else of a model whose champion this
    study registered (``tracking.model_name`` set in the sweep file)."""
    name = experiment if experiment in champions else None
    if name is None:
        name = next((n for n, v in champions.items() if v.tags.get(STUDY_TAG) == study), None)
    if name is None:
        return None
    version = champions[name]
    return Champion(name, version.version, version.run_id)


def _last_activity(tracker: TrackingStore, parent: RunRecord, study: str) -> int:
    where = tag_is(STUDY_TAG, study)
    latest = tracker.search(parent.experiment_id, where, LATEST_FIRST, 1)
    return max(parent.start_time, *(run.start_time for run in latest))
