"""Every study of a storage at a glance: trials by state and the best value so far, read with
three aggregate queries whatever the number of studies and trials.

Optuna's public readers (``get_all_study_summaries``, ``get_n_trials``) load every trial of
every study with its params and attributes: seconds on a storage of 10,000 trials. These
queries count in the database instead; with the heartbeat query of
:mod:`sweeps.study.status` they are the only reads of Optuna's schema in sweeps (read-only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlalchemy
from sqlalchemy.exc import SQLAlchemyError

from sweeps.errors import StoreError
from sweeps.infra.urls import redact
from sweeps.study.storage import require_storage

__all__ = ["STATES", "StudyOverview", "study_overviews"]

STATES = ("COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING")
COUNTS_SQL = sqlalchemy.text(
    "SELECT s.study_name, t.state, COUNT(*) FROM trials t "
    "JOIN studies s ON s.study_id = t.study_id GROUP BY s.study_name, t.state"
)
# the first objective's best value among COMPLETE trials, either way (the caller knows which)
BEST_SQL = sqlalchemy.text(
    "SELECT s.study_name, MIN(v.value), MAX(v.value) FROM trial_values v "
    "JOIN trials t ON t.trial_id = v.trial_id JOIN studies s ON s.study_id = t.study_id "
    "WHERE t.state = 'COMPLETE' AND v.objective = 0 GROUP BY s.study_name"
)
ATTR_SQL = sqlalchemy.text(
    "SELECT s.study_name, a.value_json FROM study_user_attributes a "
    "JOIN studies s ON s.study_id = a.study_id WHERE a.key = :key"
)


@dataclass
class StudyOverview:
    """One study: trials by state, the first objective's lowest and highest COMPLETE values,
    and the value of the user attribute asked for (e.g. the sweep's parent run id)."""

    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    lowest: float | None = None
    highest: float | None = None
    attr: object = None

    def best(self, direction: str) -> float | None:
        """The best COMPLETE value of the first objective in ``direction``."""
        return self.highest if direction == "maximize" else self.lowest


def study_overviews(url: str, attr: str) -> dict[str, StudyOverview]:
    """Every study of the storage at ``url`` by name, with user attribute ``attr``.

    Never creates a storage: a missing SQLite file is a RunNotFoundError; a database without
    Optuna's tables is a StoreError."""
    require_storage(url)
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.NullPool)
    try:
        with engine.connect() as conn:
            counts = conn.execute(COUNTS_SQL).all()
            best = conn.execute(BEST_SQL).all()
            attrs = conn.execute(ATTR_SQL, {"key": attr}).all()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        first = reason[0] if reason else type(exc).__name__
        raise StoreError(f"study storage {redact(url)}: not readable ({first})") from None
    finally:
        engine.dispose()
    return _assemble(counts, best, attrs)


def _assemble(
    counts: list[sqlalchemy.Row], best: list[sqlalchemy.Row], attrs: list[sqlalchemy.Row]
) -> dict[str, StudyOverview]:
    studies: dict[str, StudyOverview] = {}
    for name, state, n in counts:
        studies.setdefault(name, StudyOverview(name)).counts[str(state)] = int(n)
    for name, lowest, highest in best:
        study = studies.setdefault(name, StudyOverview(name))
        study.lowest, study.highest = _float(lowest), _float(highest)
    for name, value in attrs:
        studies.setdefault(name, StudyOverview(name)).attr = json.loads(value)
    return studies


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
