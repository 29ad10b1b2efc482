"""A sweep's state at a glance: trials by state, live workers, best so far, budget left."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import optuna
import sqlalchemy
from optuna.trial import TrialState

from sweeps.errors import RunNotFoundError
from sweeps.records import CHAMPION_ATTR, MEANING_ATTR, WORKER_ATTR
from sweeps.study.budget import budget_state
from sweeps.study.selection import Goal, selected_trial, states

__all__ = ["DEFAULT_GRACE", "recorded_goal", "study_status"]

# Optuna keeps heartbeats in its own table and offers no public reader; with the counts of
# sweeps.study.overview, this query is the only read of Optuna's schema in sweeps (read-only).
HEARTBEATS_SQL = sqlalchemy.text(
    "SELECT t.number, h.heartbeat FROM trial_heartbeats h "
    "JOIN trials t ON t.trial_id = h.trial_id "
    "JOIN studies s ON s.study_id = t.study_id "
    "WHERE s.study_name = :study AND t.state = 'RUNNING'"
)
NOW_SQL = sqlalchemy.text("SELECT CURRENT_TIMESTAMP")
#: Seconds without a heartbeat after which a worker is not counted alive, when no sweep file
#: says otherwise (the sweep file's default: 3 x the 10 s heartbeat interval).
DEFAULT_GRACE = 30.0


@dataclass
class StudyStatus:
    """What ``sweeps status`` prints."""

    counts: dict[str, int]
    counted: int
    budget: int | None
    workers: dict[str, float] = field(default_factory=dict)  # worker -> heartbeat age (s)
    best: str = "none yet"
    champion: str = "none yet (chosen after the last trial)"


def heartbeat_ages(storage_url: str, study_name: str) -> dict[int, float]:
    """Seconds since the last heartbeat of each RUNNING trial, by trial number."""
    engine = sqlalchemy.create_engine(storage_url, poolclass=sqlalchemy.NullPool)
    try:
        with engine.connect() as conn:
            now = _as_datetime(conn.execute(NOW_SQL).scalar_one())
            rows = conn.execute(HEARTBEATS_SQL, {"study": study_name}).all()
    finally:
        engine.dispose()
    return {int(n): (now - _as_datetime(beat)).total_seconds() for n, beat in rows}


def _as_datetime(value: object) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value.replace(tzinfo=None)


def study_status(
    study: optuna.Study, goal: Goal, budget: int | None, storage_url: str, grace: float
) -> StudyStatus:
    """Counts, live workers (heartbeat younger than ``grace``), best trial and budget."""
    counted = budget_state(study)[0]
    status = StudyStatus(states(study), counted, budget)
    ages = heartbeat_ages(storage_url, study.study_name)
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        age = ages.get(trial.number)
        if age is not None and age <= grace:
            status.workers[f"{trial.user_attrs.get(WORKER_ATTR, '?')} (trial {trial.number})"] = age
    best = selected_trial(study, goal)
    if best is not None:
        values = ", ".join(f"{m} {v:.6g}" for m, v in zip(goal.metric, best.values, strict=True))
        status.best = f"trial {best.number}: {values}"
    status.champion = champion_line(study.user_attrs.get(CHAMPION_ATTR)) or status.champion
    return status


def champion_line(record: object) -> str | None:
    """``ensemble of 3 trials (12: 0.52, 7: 0.32, 3: 0.16): val_loss 0.0715, run ...`` from the
    study's champion record (None without one)."""
    if not isinstance(record, dict) or not isinstance(record.get("choice"), dict):
        return None
    choice = record["choice"]
    try:
        members = [(int(m["trial"]), float(m["weight"])) for m in choice["members"]]
        score = f"{choice['metric']} {float(choice['score']):.6g}"
    except (KeyError, TypeError, ValueError):
        return None
    if len(members) == 1:
        what = f"trial {members[0][0]}"
    else:
        weights = ", ".join(f"{n}: {w:.2f}" for n, w in members)
        what = f"ensemble of {len(members)} trials ({weights})"
    return f"{what}: {score}, run {record.get('run_id')}"


@dataclass(frozen=True)
class RecordedGoal:
    """A study's objective as the sweep that created it pinned it (a :class:`Goal`)."""

    metric: Sequence[str]
    directions: Sequence[str]
    selection_metric: str


def recorded_goal(study: optuna.Study) -> RecordedGoal:
    """The objective the sweep pinned on ``study`` when it created it; a
    :class:`RunNotFoundError` for a study no sweep pinned (give its sweep file)."""
    pinned = study.user_attrs.get(MEANING_ATTR)
    try:
        metric = [str(m) for m in pinned["objective.metric"]]
        directions = [d.name.lower() for d in study.directions]
    except (KeyError, TypeError, AttributeError):
        metric, directions = [], []
    if not metric or len(metric) != len(directions):
        raise RunNotFoundError(
            f"study {study.study_name!r} records no objective of a sweep: give its sweep file"
        )
    select_by = pinned.get("objective.select_by") or metric[0]
    return RecordedGoal(metric, directions, str(select_by))
