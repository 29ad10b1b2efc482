"""The descriptions MLflow shows on the sweep's runs (``mlflow.note.content``), rewritten once
the champion is tested: the champion run says what it is, how it was chosen and its scores;
the parent says which table, the budget and what became of it, and the same of the champion.
"""

from __future__ import annotations

from sweeps.core.sweep import Sweep
from sweeps.records import NOTE_TAG
from sweeps.results.champion import Choice
from sweeps.results.champion_run import describe
from sweeps.results.testing import Tested
from sweeps.study.budget import recorded_budget
from sweeps.study.selection import states

__all__ = ["scores_text", "write_notes"]


def scores_text(tested: Tested | None) -> str:
    """`` Test (scored once): test_loss 0.0462, test_accuracy 0.991.`` (empty before the test)."""
    if tested is None or not tested.metrics:
        return ""
    values = ", ".join(f"{k} {v:.4g}" for k, v in tested.metrics.items())
    return f" Test, scored once on the held-out test rows: {values}."


def sweep_text(sweep: Sweep) -> str:
    """``Sweep quickstart on breast_cancer (569 rows, classification, 30 input features), scored
    on 5-fold cross-validation; 40 trials of a budget of 40: 26 complete, 14 pruned.``"""
    data, cfg = sweep.data, sweep.cfg
    folds = len(data.folds)
    scored = f"{folds}-fold cross-validation" if folds else "one validation split"
    table = (
        f"{data.table.name} ({data.description.rows} rows, {data.task}, "
        f"{data.description.input_features} input features)"
    )
    counts = states(sweep.study)
    done = ", ".join(f"{n} {state.lower()}" for state, n in counts.items() if n)
    budget = recorded_budget(sweep.study, cfg.study.n_trials)
    of = f" of a budget of {budget}" if budget is not None else ""
    objective = zip(cfg.objective.metric, cfg.objective.directions, strict=True)
    return (
        f"Sweep {cfg.study_name} on {table}, each trial scored on {scored}; "
        f"{sum(counts.values())} trials{of}: {done}. Objective: "
        + ", ".join(f"{metric} ({direction})" for metric, direction in objective)
        + "."
    )


def parent_note(sweep: Sweep, choice: Choice, run_id: str, tested: Tested | None) -> str:
    """The parent's description: the sweep, then its champion and scores."""
    champion = describe(sweep, choice) + scores_text(tested)
    return f"{sweep_text(sweep)} {champion} Champion run {run_id}."


def write_notes(sweep: Sweep, run_id: str, choice: Choice, tested: Tested | None) -> None:
    """Describe the champion run and the parent with the test scores."""
    note = describe(sweep, choice) + scores_text(tested)
    sweep.tracker.log_values(run_id, tags={NOTE_TAG: note})
    parent = parent_note(sweep, choice, run_id, tested)
    sweep.tracker.log_values(sweep.parent_run_id, tags={NOTE_TAG: parent})
