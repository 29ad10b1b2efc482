"""What a sweep's end reports: the study's counts on the parent run, and :class:`SweepResult`,
the values the CLI prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sweeps.core.dataset import SweepData
from sweeps.core.sweep import Sweep
from sweeps.records import BEST_SO_FAR, PARETO_FRONT_TAG, REASON_ATTR
from sweeps.study.history import best_so_far, missing_points
from sweeps.study.selection import pareto_front, states
from sweeps.tracking import DatasetRecord

if TYPE_CHECKING:
    from sweeps.results.champion import Choice
    from sweeps.results.testing import Tested

__all__ = ["SweepResult"]


@dataclass
class SweepResult:
    """What the CLI shows after a sweep."""

    study_name: str
    parent_run_id: str
    experiment_id: str
    tracking_uri: str
    counts: dict[str, int]
    pareto_numbers: list[int] = field(default_factory=list)
    champion: Choice | None = None
    champion_run_id: str | None = None
    tested: Tested | None = None
    version: str | None = None
    best_params: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    failure: str | None = None  # why no trial completed, when none did

    @property
    def test_metrics(self) -> dict[str, float]:
        """The champion's test metrics (empty before it was tested)."""
        return self.tested.metrics if self.tested is not None else {}


def dataset_records(data: SweepData) -> list[DatasetRecord]:
    """The three splits with our full-data digest and each split's row hash."""
    hashes = data.split.hashes()
    source = str(data.table.path or data.table.name)
    rows = {"train": data.split.train, "validation": data.split.validation, "test": data.split.test}
    return [
        DatasetRecord(name, data.table.fingerprint, hashes[name], len(idx), source)
        for name, idx in rows.items()
    ]


def summarise(sweep: Sweep, choice: Choice | None) -> SweepResult:
    """Record the study's counts, trials table and datasets on the parent run."""
    cfg, study = sweep.cfg, sweep.study
    result = SweepResult(
        cfg.study_name, sweep.parent_run_id, sweep.experiment_id, sweep.tracker.uri, states(study)
    )
    metrics: dict[str, float] = {f"trials_{k.lower()}": v for k, v in result.counts.items()}
    tags: dict[str, object] = {}
    if choice is not None:
        metrics[f"champion_{choice.metric}"] = choice.score
        trials = {t.number: t for t in study.get_trials(deepcopy=False)}
        result.best_params = dict(trials[choice.members[0].trial].params)
    result.pareto_numbers = [t.number for t in pareto_front(study)]
    if result.pareto_numbers:
        tags[PARETO_FRONT_TAG] = result.pareto_numbers
    tracker, parent = sweep.tracker, sweep.parent_run_id
    tracker.log_values(parent, metrics, tags)
    log_best_so_far(sweep)
    tracker.log_table(parent, study.trials_dataframe(), "trials.csv")
    tracker.log_datasets(parent, dataset_records(sweep.data))
    return result


def log_best_so_far(sweep: Sweep) -> None:
    """The parent's ``best_so_far/<metric>`` line, step = trial number (the points a previous
    conclusion did not log)."""
    key = BEST_SO_FAR + sweep.cfg.objective.metric[0]
    logged = sweep.tracker.metric_history(sweep.parent_run_id, key)
    points = missing_points(best_so_far(sweep.study), logged)
    if points:
        sweep.tracker.log_history(sweep.parent_run_id, key, points)


def nothing_completed(sweep: Sweep) -> str | None:
    """Why a sweep has no champion: its trials by state and the first one's reason (None while
    trials may still complete, or before any ran)."""
    trials = sweep.study.get_trials(deepcopy=False)
    ended = [t for t in trials if t.state.is_finished()]
    if not ended or len(ended) < len(trials):
        return None
    counts = ", ".join(f"{n} {s.lower()}" for s, n in states(sweep.study).items() if n)
    reason = ended[0].user_attrs.get(REASON_ATTR, "no reason recorded")
    return f"no trial completed ({counts}); trial {ended[0].number}: {reason}"
