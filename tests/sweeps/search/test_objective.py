"""Fast tests of our own seams: the objective on ``optuna.trial.FixedTrial`` and winner
confirmation, against the in-memory tracking store (the MLflow store has its own tests)."""

from __future__ import annotations

import os
import signal
from typing import Any

import numpy as np
import optuna
import pytest

from sweeps.core.dataset import load_sweep_data
from sweeps.core.sweep import Sweep
from sweeps.errors import Interrupted
from sweeps.infra import signals
from sweeps.records import WINNER_ATTR
from sweeps.results import testing
from sweeps.results.conclude import conclude
from sweeps.results.confirm import confirm_winner
from sweeps.results.registry import Score, promote_if_better, register
from sweeps.search.objective import Objective
from sweeps.spec.schema import SweepConfig
from sweeps.tracking import MemoryTracker

SPACE = {
    "learning_rate": {"type": "float", "low": 1e-3, "high": 1e-1, "log": True},
    "l1": {"type": "categorical", "choices": [0.0, 1e-3, 1e-2]},
}


def memory_sweep(**overrides: Any) -> Sweep:
    """A breast-cancer sweep whose study and tracking store live in memory."""
    raw: dict[str, Any] = {
        "name": "fast",
        "seed": 5,
        "data": {"source": "builtin", "name": "breast_cancer"},
        "model": {"optimizer": "adam", "max_epochs": 8, "hidden_layer_sizes": [8]},
        "space": SPACE,
        "study": {"n_trials": 6, "pruner": {"type": "none"}},
        **overrides,
    }
    cfg = SweepConfig.model_validate(raw)
    tracker = MemoryTracker()
    experiment = tracker.experiment_id(cfg.name)
    assert experiment is not None
    parent = tracker.create_parent(experiment, cfg.study_name, {}, {})
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    data = load_sweep_data(cfg)
    return Sweep(cfg, data, tracker, "memory", study, experiment, parent)


def trial_runs(sweep: Sweep) -> list[Any]:
    tracker = sweep.tracker
    assert isinstance(tracker, MemoryTracker)
    return [r for r in tracker.runs.values() if r.tags.get("sweeps.role") == "trial"]


def test_a_fixed_trial_is_one_child_run_with_params_curves_and_final_metrics() -> None:
    sweep = memory_sweep(selection={"folds": 1})
    value = Objective(sweep)(optuna.trial.FixedTrial({"learning_rate": 0.01, "l1": 0.0}))
    (run,) = trial_runs(sweep)
    assert run.status == "FINISHED"
    assert run.tags["mlflow.parentRunId"] == sweep.parent_run_id
    assert run.tags["sweeps.state"] == "COMPLETE"
    assert run.params["learning_rate"] == "0.01"
    assert run.metrics["val_loss"] == value
    tracker = sweep.tracker
    assert isinstance(tracker, MemoryTracker)
    epochs = {step for name, _, step in tracker.history[run.run_id] if name == "epoch/val_loss"}
    assert epochs == set(range(1, int(run.metrics["n_epochs"]) + 1))
    assert "weights.npz" in tracker.artifacts[run.run_id]


def test_cross_validated_trials_log_each_fold_and_their_mean() -> None:
    sweep = memory_sweep(selection={"folds": 3})
    value = Objective(sweep)(optuna.trial.FixedTrial({"learning_rate": 0.01, "l1": 0.0}))
    (run,) = trial_runs(sweep)
    folds = [run.metrics[f"folds/val_loss_fold{i}"] for i in range(3)]
    assert len(set(folds)) == 3
    assert value == pytest.approx(sum(folds) / 3)
    assert run.metrics["val_loss"] == pytest.approx(value)
    assert run.metrics["folds/val_loss_std"] == pytest.approx(np.std(folds, ddof=1))
    # the curves are the first fold's, and their name says so
    assert "fold0/val_loss" in run.metrics and not any(k.startswith("epoch/") for k in run.metrics)
    assert sorted(k for k in run.metrics if "val_loss" in k) == [
        "fold0/val_loss", "folds/val_loss_fold0", "folds/val_loss_fold1",
        "folds/val_loss_fold2", "folds/val_loss_std", "val_loss",
    ]  # fmt: skip
    assert run.tags["sweeps.folds.k"] == "3"
    assert {f"sweeps.folds.{i}.validation" for i in range(3)} <= set(run.tags)


def test_the_share_of_zero_weights_is_logged_and_rises_with_l1() -> None:
    sweep = memory_sweep(selection={"folds": 1})
    objective = Objective(sweep)
    for l1 in (0.0, 1e-3, 1e-2):
        objective(optuna.trial.FixedTrial({"learning_rate": 0.01, "l1": l1}))
    shares = [r.metrics["zero_weight_share"] for r in trial_runs(sweep)]
    assert shares[0] == 0.0
    assert shares[0] < shares[1] < shares[2]


def _run_study(sweep: Sweep, n: int) -> None:
    objective = Objective(sweep)
    sweep.study.optimize(objective, n_trials=n)


def test_winner_confirmation_is_deterministic_under_the_sweep_seed() -> None:
    sweep = memory_sweep(
        selection={"folds": 1, "ensemble": False, "confirm": {"top": 3, "seeds": 2}}
    )
    _run_study(sweep, 5)
    first = confirm_winner(sweep)
    assert first is not None and len(first.candidates) == 3
    record = sweep.study.user_attrs[WINNER_ATTR]
    assert record["winner"] == first.trial.number
    sweep.study.set_user_attr(WINNER_ATTR, None)  # forget it: confirm again from scratch
    again = confirm_winner(sweep)
    assert again is not None
    assert again.as_dict() == first.as_dict()
    assert all(len(set(c.seeds)) == 2 for c in again.candidates)


def test_confirmation_picks_the_best_mean_not_the_luckiest_trial() -> None:
    sweep = memory_sweep(
        selection={"folds": 1, "ensemble": False, "confirm": {"top": 3, "seeds": 2}}
    )
    _run_study(sweep, 5)
    confirmation = confirm_winner(sweep)
    assert confirmation is not None
    best_mean = min(c.mean for c in confirmation.candidates)
    (chosen,) = [c for c in confirmation.candidates if c.number == confirmation.trial.number]
    assert chosen.mean == best_mean
    ranked = sorted(sweep.study.trials, key=lambda t: t.values[0])
    assert [c.number for c in confirmation.candidates] == [t.number for t in ranked[:3]]


@pytest.mark.parametrize(
    ("metric", "scores"), [("val_loss", (0.3, 0.4, 0.2)), ("val_accuracy", (0.8, 0.7, 0.9))]
)
def test_the_alias_moves_only_to_a_better_recorded_score_on_the_same_data(
    metric: str, scores: tuple[float, float, float]
) -> None:
    sweep = memory_sweep(selection={"folds": 1})
    tracker = sweep.tracker
    assert isinstance(tracker, MemoryTracker)
    first, worse, better = scores

    def register_and_crown(run_id: str, value: float) -> str:
        version = register(sweep, run_id, Score(metric, value), f"champion {run_id}")
        assert register(sweep, run_id, Score(metric, value), "again") == version  # idempotent
        return promote_if_better(sweep, version, Score(metric, value))

    assert register_and_crown("r1", first) == "model fast version 1 is the first champion"
    note = register_and_crown("r2", worse)
    assert (
        note.startswith("version 2 does not beat champion version 1") and "alias unchanged" in note
    )
    assert tracker.aliases["fast"] == "1"
    note = register_and_crown("r3", better)
    assert note.startswith("version 3 beats the champion") and tracker.aliases["fast"] == "3"
    assert tracker.models["fast"][2].tags["sweeps.score"] == repr(better)
    assert tracker.descriptions[("fast", "3")] == "again"


def test_a_trial_interrupted_while_the_sampler_chooses_still_gets_a_closed_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sweeps.search.objective as objective

    def interrupted(*_args: object) -> None:
        raise Interrupted(signal.SIGINT)

    sweep = memory_sweep(selection={"folds": 1})
    monkeypatch.setattr(objective, "suggest", interrupted)
    with pytest.raises(Interrupted):
        Objective(sweep)(optuna.trial.FixedTrial({"learning_rate": 0.01, "l1": 0.0}))
    (run,) = trial_runs(sweep)
    assert run.status == "KILLED"
    assert run.tags["sweeps.state"] == "FAIL" and run.tags["sweeps.reason"] == "interrupted"
    assert run.tags["sweeps.epochs_reached"] == "0"


def test_a_second_signal_is_never_deferred(sweeps_signals: None) -> None:
    with pytest.raises(Interrupted), signals.deferred():
        os.kill(os.getpid(), signal.SIGINT)  # remembered
        os.kill(os.getpid(), signal.SIGINT)  # raised
        pytest.fail("a second signal was deferred")


def test_a_signal_while_the_run_is_opened_fails_the_trial_on_record(
    monkeypatch: pytest.MonkeyPatch, sweeps_signals: None
) -> None:
    sweep = memory_sweep(selection={"folds": 1})
    start_run = sweep.tracker.start_run

    def start_run_then_sigint(*args: Any, **kwargs: Any) -> Any:
        run = start_run(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # handled before this function returns
        return run

    monkeypatch.setattr(sweep.tracker, "start_run", start_run_then_sigint)
    trial = optuna.trial.FixedTrial({"learning_rate": 0.01, "l1": 0.0})
    with pytest.raises(Interrupted):
        Objective(sweep)(trial)
    (run,) = trial_runs(sweep)
    assert run.status == "KILLED"
    assert run.tags["sweeps.state"] == "FAIL" and run.tags["sweeps.reason"] == "interrupted"
    assert run.params["learning_rate"] == "0.01"
    assert trial.user_attrs["reason"] == "interrupted"


def test_a_signal_while_a_completed_trial_is_closed_stops_the_next_one(
    monkeypatch: pytest.MonkeyPatch, sweeps_signals: None
) -> None:
    import sweeps.search.objective as objective

    close = objective._close_complete

    def sigint_then_close(*args: Any) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        close(*args)

    sweep = memory_sweep(selection={"folds": 1})
    monkeypatch.setattr(objective, "_close_complete", sigint_then_close)
    value = Objective(sweep)(optuna.trial.FixedTrial({"learning_rate": 0.01, "l1": 0.0}))
    assert 0 < value < 1
    (run,) = trial_runs(sweep)
    assert run.status == "FINISHED" and run.tags["sweeps.state"] == "COMPLETE"
    with pytest.raises(Interrupted):
        signals.check()


def test_the_reports_learning_curves_hold_every_epoch_not_only_optunas_reports() -> None:
    from sweeps.report.write import epoch_curves

    sweep = memory_sweep(selection={"folds": 1}, study={"n_trials": 2, "report_every": 3})
    _run_study(sweep, 2)
    curves = epoch_curves(sweep.study, sweep.cfg, sweep.tracker)
    assert sorted(curves) == [t.number for t in sweep.study.trials] == [0, 1]
    for trial in sweep.study.trials:
        state, points = curves[trial.number]
        assert state == trial.state.name
        assert [step for step, _ in points] == list(range(1, len(points) + 1))
        assert set(trial.intermediate_values) == {s for s, _ in points if s % 3 == 0}


def test_not_asking_the_pruner_during_its_warm_up_changes_no_decision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sweeps.search.objective as objective
    from sweeps.study.samplers import make_pruner

    options = {"n_startup_trials": 2, "n_warmup_steps": 4}

    def run(ask_always: bool) -> tuple[list[tuple[str, dict[int, float]]], int]:
        study_cfg = {
            "n_trials": 10,
            "report_every": 1,
            "pruner": {"type": "median", "options": options},
        }
        sweep = memory_sweep(selection={"folds": 1}, study=study_cfg)
        sweep.study = optuna.create_study(
            sampler=optuna.samplers.RandomSampler(seed=0), pruner=make_pruner("median", options)
        )
        asked = []
        real = optuna.trial.Trial.should_prune
        monkeypatch.setattr(
            optuna.trial.Trial, "should_prune", lambda t: asked.append(1) or real(t)
        )
        if ask_always:
            monkeypatch.setattr(objective, "silent_steps", lambda *_: 0)
        _run_study(sweep, 10)
        monkeypatch.undo()
        return [(t.state.name, t.intermediate_values) for t in sweep.study.trials], len(asked)

    always, asked_always = run(ask_always=True)
    skipping, asked_less = run(ask_always=False)
    assert skipping == always  # same states, same reports
    assert {state for state, _ in always} >= {"COMPLETE", "PRUNED"}
    assert asked_less < asked_always


WINNER_PLOTS = {"plots/learning_curves.png", "plots/confusion_matrix.png"}


def _champion_plots(sweep: Sweep) -> dict[str, bytes]:
    _run_study(sweep, 2)
    conclude(sweep)
    tracker = sweep.tracker
    assert isinstance(tracker, MemoryTracker)
    run_id = sweep.study.user_attrs["sweeps_champion"]["run_id"]
    artifacts = tracker.artifacts[run_id]
    assert "model" in artifacts
    return {k: v for k, v in artifacts.items() if k.startswith("plots/")}


def test_the_champions_plots_are_drawn_by_a_child_and_redrawn_here_if_it_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = {"folds": 1}
    parent, real, drawn_by = os.getpid(), testing.draw_plots, []

    def draw(*args: Any) -> None:
        drawn_by.append(os.getpid())  # seen here only when this process draws
        real(*args)

    import sweeps.results.conclude as conclusion

    monkeypatch.setattr(conclusion, "draw_plots", draw)
    plots = _champion_plots(memory_sweep(selection=settings))
    assert set(plots) >= WINNER_PLOTS and all(v.startswith(b"\x89PNG") for v in plots.values())
    assert drawn_by == []  # the child drew them

    def fails_in_the_child(*args: Any) -> None:
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        draw(*args)

    monkeypatch.setattr(conclusion, "draw_plots", fails_in_the_child)
    again = _champion_plots(memory_sweep(selection=settings))
    assert set(again) == set(plots) and drawn_by == [parent]
