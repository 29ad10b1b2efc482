"""What a sweep report shows, as plain values (collected by :mod:`.collect`, rendered by
:mod:`.markdown`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optuna.trial import FrozenTrial

from sweeps.report.study_plots import StudyPlots

__all__: list[str] = []  # nothing here for other packages


@dataclass
class Champion:
    """The champion as the study records it (``choice``: see
    :class:`sweeps.results.champion.Choice`), with its run's metrics and its test scores."""

    run_id: str | None
    choice: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)  # a single trial's searched params
    test: dict[str, float] = field(default_factory=dict)
    gap_warning: str | None = None
    folds: int = 1  # how each trial was scored: K-fold (K >= 2) or one validation split

    @property
    def weights(self) -> dict[int, float]:
        """Member trial -> weight."""
        return {int(m["trial"]): float(m["weight"]) for m in self.choice.get("members", [])}


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
    top: list[FrozenTrial]  # the best trials by the study's value (every member among them)
    champion: Champion | None
    pareto: list[int]
    plots: StudyPlots

    @property
    def metric_index(self) -> int:
        """The position of the selection metric among the objectives."""
        return list(self.metrics).index(self.selection_metric)
