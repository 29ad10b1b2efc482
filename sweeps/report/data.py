"""What a sweep report shows, as plain values (collected by :mod:`.collect`, rendered by
:mod:`.markdown`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optuna.trial import FrozenTrial

from sweeps.report.study_plots import StudyPlots


@dataclass
class Winner:
    """The selected trial with its validation metrics and its one test evaluation."""

    number: int
    run_id: str | None
    params: dict[str, Any]
    values: dict[str, float]
    validation: dict[str, float] = field(default_factory=dict)
    test: dict[str, float] = field(default_factory=dict)


@dataclass
class ReportData:
    """Everything the report shows, as plain values."""

    study_name: str
    description: str
    parent_run_id: str | None
    config: dict[str, Any]
    metrics: tuple[str, ...]
    directions: tuple[str, ...]
    selection_metric: str
    counts: dict[str, int]
    top: list[FrozenTrial]
    winner: Winner | None
    pareto: list[int]
    plots: StudyPlots
