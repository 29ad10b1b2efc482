"""End of a sweep: select the winner and summarise the study on the parent run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sweeps.infra.locks import StorageLock
from sweeps.report.write import publish_report
from sweeps.results.winner import finalize_winner
from sweeps.search.dataset import SweepData
from sweeps.search.sweep import Sweep
from sweeps.study.selection import pareto_front, selected_trial, states
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


def dataset_records(data: SweepData) -> list[DatasetRecord]:
    """The three splits with our full-data digest and each split's row hash."""
    hashes = data.split.hashes()
    source = str(data.table.path or data.table.name)
    rows = {"train": data.split.train, "validation": data.split.validation, "test": data.split.test}
    return [
        DatasetRecord(name, data.table.fingerprint, hashes[name], len(idx), source)
        for name, idx in rows.items()
    ]


def summarise(sweep: Sweep) -> SweepResult:
    """Select the winner and record the study's summary on the parent run."""
    cfg, study = sweep.cfg, sweep.study
    result = SweepResult(
        cfg.study_name, sweep.parent_run_id, sweep.experiment_id, sweep.tracker.uri, states(study)
    )
    best = selected_trial(study, cfg.objective)
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
    """Summarise, test and package the winner once, and close the parent run.

    Holds the storage's init lock, so that workers finishing together conclude one at a time
    (the second finds the winner already tested and packaged).
    """
    with StorageLock(sweep.storage_url, "init").hold():
        result = summarise(sweep)
        best = selected_trial(sweep.study, sweep.cfg.objective)
        if best is not None:
            report = finalize_winner(sweep, best)
            result.test_metrics = report.test_metrics
            result.notes += report.notes
        result.notes += publish_report(sweep)  # study plots and report.md, on every resume
        sweep.close()
    return result
