"""The champion's one evaluation on the test split, its validation-to-test gap, and its plots.

The gap is judged against the spread the search measured: the standard deviation of the
champion's score over the folds (or over bootstrap draws of one validation split). A test score
worse than the validation score by more than twice that spread is warned about: it is more
than a fold's own noise explains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import test_rows
from pipeline.models.evaluation import evaluate
from sweeps.core.sweep import Sweep
from sweeps.records import GAP_WARNING_TAG, MAXIMIZED, spread_metric
from sweeps.results.champion import Choice
from sweeps.tracking import TrackingStore

__all__: list[str] = []  # nothing here for other packages

#: How many spreads a worse test score may lie from the validation score before a warning.
GAP_SPREADS = 2.0


@dataclass
class Tested:
    """The champion's test metrics and its gap ``(val metric, value, test metric, value)``."""

    metrics: dict[str, float] = field(default_factory=dict)
    gap: tuple[str, float, str, float] | None = None
    warning: str | None = None
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_run(cls, tracker: TrackingStore, run_id: str, sweep: Sweep, choice: Choice) -> Tested:
        """What the test step recorded on the champion run."""
        run = tracker.run(run_id)
        logged = run.metrics if run is not None else {}
        metrics = {k: v for k, v in sorted(logged.items()) if k.startswith("test_")}
        return judged(metrics, choice, _spread(sweep, choice))


def test_champion(sweep: Sweep, choice: Choice, run_id: str, model: Any) -> Tested:
    """Score ``model`` once on the test rows; log the test metrics and the gap on the champion
    run and the parent run."""
    data = sweep.data
    X_test, y_test = test_rows(data.table, data.split)
    metrics = evaluate(model, X_test, y_test, data.task, "test_")
    tested = judged(metrics, choice, _spread(sweep, choice))
    logged = dict(metrics)
    if tested.gap is not None:
        val_name, val, _, test = tested.gap
        logged[f"gap_{val_name.removeprefix('val_')}"] = test - val
    tags = {GAP_WARNING_TAG: tested.warning} if tested.warning else {}
    for run in (run_id, sweep.parent_run_id):
        sweep.tracker.log_values(run, logged, tags)
    return tested


def judged(metrics: dict[str, float], choice: Choice, spread: float | None) -> Tested:
    """The gap between the champion's validation score and its test score, and a warning
    when the test score is worse by more than :data:`GAP_SPREADS` spreads."""
    tested = Tested(metrics)
    metric = choice.metric
    test_name = "test_" + metric.removeprefix("val_")
    if not metric.startswith("val_") or test_name not in metrics:
        return tested
    val, test = choice.score, metrics[test_name]
    tested.gap = (metric, val, test_name, test)
    worse = val - test if metric in MAXIMIZED else test - val
    if spread is not None and math.isfinite(spread) and worse > GAP_SPREADS * spread:
        tested.warning = (
            f"the champion's {test_name} {test:.4g} is worse than its {metric} {val:.4g} by "
            f"{worse:.3g}, more than {GAP_SPREADS:g} x the spread its folds measured "
            f"({spread:.3g}): the validation score flatters it"
        )
    return tested


def _spread(sweep: Sweep, choice: Choice) -> float | None:
    """The champion's spread, or for one trial the spread of its folds' values (its run's
    ``<metric>_std``)."""
    if choice.spread is not None:
        return choice.spread
    run = sweep.tracker.run(choice.members[0].run_id)
    if run is None:
        return None
    legacy = f"{choice.metric}_std"  # the name an older sweeps logged
    return run.metrics.get(spread_metric(choice.metric), run.metrics.get(legacy))


def draw_plots(sweep: Sweep, model: Any, folder: Path, choice: Choice | None = None) -> None:
    """The champion's learning curves (every member fold model, coloured by the member trial
    of ``choice``) and test-set plots as PNG files in ``folder`` (run in a forked child while
    the model is saved)."""
    from sweeps.results.model_plots import (  # matplotlib: loaded when drawing
        classification_plots,
        learning_curves,
        regression_plots,
    )

    data = sweep.data
    X_test, y_test = test_rows(data.table, data.split)
    members = model.members() if hasattr(model, "members") else [model[-1]]
    learning_curves(members, folder / "learning_curves.png", member_labels(choice, len(members)))
    plots = classification_plots if data.task == "classification" else regression_plots
    plots(model, X_test, y_test, folder)


def member_labels(choice: Choice | None, models: int) -> list[str]:
    """The member trial of each of the ensemble's ``models`` (fold by fold, members in the
    choice's order within each fold); none when they do not line up."""
    if choice is None or models % len(choice.members):
        return []
    if len(choice.members) == 1:
        return [f"trial {choice.members[0].trial}"] * models
    names = [f"trial {m.trial} (weight {m.weight:.2f})" for m in choice.members]
    return names * (models // len(names))
