"""End of a sweep: confirm the winner, summarise the study on the parent run, test the winner."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optuna.trial import FrozenTrial

from sweeps.infra.locks import StorageLock
from sweeps.infra.timings import phase
from sweeps.report.write import publish_report, start_plots
from sweeps.results.confirm import Confirmation, confirm_winner
from sweeps.results.winner import finalize_winner
from sweeps.search.dataset import SweepData
from sweeps.search.sweep import Sweep
from sweeps.study.selection import pareto_front, states
from sweeps.tracking import DatasetRecord


@dataclass
class SweepResult:
    """What the CLI shows after a sweep."""

    study_name: str
    parent_run_id: str
    experiment_id: str
    tracking_uri: str
    counts: dict[str, int]
    best_number: int | None = None
    best_values: dict[str, float] = field(default_factory=dict)
    best_params: dict[str, Any] = field(default_factory=dict)
    best_run_id: str | None = None
    test_metrics: dict[str, float] = field(default_factory=dict)
    pareto_numbers: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    confirmation: Confirmation | None = None
    gap: tuple[str, float, str, float] | None = None
    failure: str | None = None  # why no trial completed, when none did


def dataset_records(data: SweepData) -> list[DatasetRecord]:
    """The three splits with our full-data digest and each split's row hash."""
    hashes = data.split.hashes()
    source = str(data.table.path or data.table.name)
    rows = {"train": data.split.train, "validation": data.split.validation, "test": data.split.test}
    return [
        DatasetRecord(name, data.table.fingerprint, hashes[name], len(idx), source)
        for name, idx in rows.items()
    ]


def summarise(sweep: Sweep, best: FrozenTrial | None) -> SweepResult:
    """Record the study's summary and its winner ``best`` on the parent run."""
    cfg, study = sweep.cfg, sweep.study
    result = SweepResult(
        cfg.study_name, sweep.parent_run_id, sweep.experiment_id, sweep.tracker.uri, states(study)
    )
    metrics: dict[str, float] = {f"trials_{k.lower()}": v for k, v in result.counts.items()}
    tags: dict[str, object] = {}
    if best is not None:
        result.best_number = best.number
        result.best_values = dict(zip(cfg.objective.metric, best.values, strict=True))
        result.best_params = dict(best.params)
        result.best_run_id = best.user_attrs.get("mlflow_run_id")
        metrics.update({f"best_{k}": v for k, v in result.best_values.items()})
        tags.update(
            {
                "sweeps.best_trial": best.number,
                "sweeps.best_run_id": result.best_run_id,
                "sweeps.best_params": best.params,
            }
        )
    result.pareto_numbers = [t.number for t in pareto_front(study)]
    if result.pareto_numbers:
        tags["sweeps.pareto_front"] = result.pareto_numbers
    tracker, parent = sweep.tracker, sweep.parent_run_id
    tracker.log_values(parent, metrics, tags)
    tracker.log_table(parent, study.trials_dataframe(), "trials.csv")
    tracker.log_datasets(parent, dataset_records(sweep.data))
    return result


def conclude(sweep: Sweep) -> SweepResult:
    """Confirm the winner, summarise, test and package it once, and close the parent run.

    Holds the storage's init lock, so that workers finishing together conclude one at a time
    (the second finds the winner already confirmed, tested and packaged).
    """
    with (
        StorageLock(sweep.storage_url, "init").hold(),
        tempfile.TemporaryDirectory(prefix="sweeps-report-") as tmp,
    ):
        report_folder = Path(tmp)
        with phase("plots"):  # drawn by a child while the winner is confirmed and tested
            plots = start_plots(sweep.study, sweep.cfg, sweep.tracker, report_folder)
        with phase("confirm"):
            confirmation = confirm_winner(sweep)
        best = confirmation.trial if confirmation is not None else None
        with phase("summary"):
            result = summarise(sweep, best)
        if confirmation is not None:
            result.confirmation = confirmation
            record_confirmation(sweep, confirmation)
            with phase("winner"):
                report = finalize_winner(sweep, confirmation.trial, confirmation.score())
            result.test_metrics = report.test_metrics
            result.gap = record_gap(sweep, confirmation, report.test_metrics)
            result.notes += report.notes
        with phase("report"):
            result.notes += publish_report(sweep, report_folder, plots)  # on every resume
        result.failure = None if confirmation is not None else nothing_completed(sweep)
        sweep.close("FAILED" if result.failure else "FINISHED")
    return result


def nothing_completed(sweep: Sweep) -> str | None:
    """Why a sweep has no winner: its trials by state and the first one's reason (None while
    trials may still complete, or before any ran)."""
    trials = sweep.study.get_trials(deepcopy=False)
    ended = [t for t in trials if t.state.is_finished()]
    if not ended or len(ended) < len(trials):
        return None
    counts = ", ".join(f"{n} {s.lower()}" for s, n in states(sweep.study).items() if n)
    reason = ended[0].user_attrs.get("reason", "no reason recorded")
    return f"no trial completed ({counts}); trial {ended[0].number}: {reason}"


def record_confirmation(sweep: Sweep, confirmation: Confirmation) -> None:
    """The candidates' seed spreads on their runs, the whole comparison on the parent run."""
    if not confirmation.candidates:
        return
    runs = {t.number: t.user_attrs.get("mlflow_run_id") for t in sweep.study.get_trials()}
    metric = confirmation.metric
    for candidate in confirmation.candidates:
        run_id = runs.get(candidate.number)
        if run_id is not None:
            spread = {
                f"confirm_mean_{metric}": candidate.mean,
                f"confirm_std_{metric}": candidate.std,
            }
            sweep.tracker.log_values(run_id, spread)
    sweep.tracker.log_json(sweep.parent_run_id, confirmation.as_dict(), "confirmation.json")


def record_gap(
    sweep: Sweep, confirmation: Confirmation, test: dict[str, float]
) -> tuple[str, float, str, float] | None:
    """``(val metric, value, test metric, value)`` of the winner, logged as ``gap_<metric>``
    (test minus validation) on the parent run and the winner's run."""
    metric = confirmation.metric
    test_name = "test_" + metric.removeprefix("val_")
    if not metric.startswith("val_") or test_name not in test:
        return None
    value = float(confirmation.trial.values[sweep.cfg.objective.metric.index(metric)])
    gap = {f"gap_{metric.removeprefix('val_')}": test[test_name] - value}
    sweep.tracker.log_values(sweep.parent_run_id, gap)
    run_id = confirmation.trial.user_attrs.get("mlflow_run_id")
    if run_id is not None:
        sweep.tracker.log_values(run_id, gap)
    return metric, value, test_name, test[test_name]
