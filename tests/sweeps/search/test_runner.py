"""The worker loop and signals: a Ctrl-C anywhere in a trial's life leaves it on record, closed.

Optuna creates the trial before our objective runs and records its end after the objective
returns; a signal in either gap must not leave the trial RUNNING (retried as stale later, its
work done twice, and the interrupted worker's count of what is done off by one). The signal is
sent from inside Optuna, by a sampler hook that runs in exactly that gap.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from typing import Any

import optuna
import pytest
from optuna.trial import FrozenTrial, TrialState

from sweeps.errors import Interrupted
from sweeps.infra import signals
from sweeps.search.runner import run_worker
from tests.sweeps.search.test_objective import memory_sweep, trial_runs


class SignallingSampler(optuna.samplers.RandomSampler):
    """A random sampler that sends this process SIGINT in Optuna's ``before_trial`` (the trial
    exists, our objective has not started) or ``after_trial`` (the objective returned, Optuna
    has not recorded the trial's end)."""

    def __init__(self, hook: str) -> None:
        super().__init__(seed=0)
        self.hook = hook

    def before_trial(self, study: optuna.Study, trial: FrozenTrial) -> None:
        """SIGINT once the trial is created, if that is the hook."""
        super().before_trial(study, trial)
        if self.hook == "before_trial":
            os.kill(os.getpid(), signal.SIGINT)

    def after_trial(
        self,
        study: optuna.Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        """SIGINT before Optuna records the trial's end, if that is the hook."""
        if self.hook == "after_trial":
            os.kill(os.getpid(), signal.SIGINT)
        super().after_trial(study, trial, state, values)


def _interrupted_sweep(hook: str) -> Any:
    sweep = memory_sweep(selection={"folds": 1})
    sweep.study.sampler = SignallingSampler(hook)
    with pytest.raises(Interrupted):
        run_worker(sweep, show_progress=False)
    return sweep


def test_a_signal_once_optuna_created_the_trial_fails_it_with_its_run_closed(
    sweeps_signals: None,
) -> None:
    sweep = _interrupted_sweep("before_trial")
    (trial,) = sweep.study.trials
    assert trial.state == TrialState.FAIL
    assert trial.user_attrs["reason"] == "interrupted"
    (run,) = trial_runs(sweep)
    assert run.status == "KILLED" and run.tags["sweeps.reason"] == "interrupted"
    assert trial.user_attrs["mlflow_run_id"] == run.run_id


def test_a_signal_before_optuna_records_a_completed_trial_keeps_it_complete(
    sweeps_signals: None,
) -> None:
    sweep = _interrupted_sweep("after_trial")
    (trial,) = sweep.study.trials  # the next trial was not started
    assert trial.state == TrialState.COMPLETE and trial.value is not None
    (run,) = trial_runs(sweep)
    assert run.status == "FINISHED" and run.tags["sweeps.state"] == "COMPLETE"


def test_without_a_signal_the_loop_runs_the_budget(sweeps_signals: None) -> None:
    sweep = memory_sweep(selection={"folds": 1}, study={"n_trials": 2, "pruner": {"type": "none"}})
    sweep.study.sampler = SignallingSampler("none")
    outcome = run_worker(sweep, show_progress=False)
    assert (outcome.ran, outcome.study_done) == (2, True)
    assert [t.state for t in sweep.study.trials] == [TrialState.COMPLETE] * 2
    signals.check()  # nothing remembered


def test_a_signal_inside_a_store_call_during_training_waits_until_the_call_is_done(
    monkeypatch: pytest.MonkeyPatch, sweeps_signals: None
) -> None:
    sweep = memory_sweep(selection={"folds": 1})
    storage = sweep.study._storage
    report = storage.set_trial_intermediate_value

    def sigint_then_report(trial_id: int, step: int, value: float) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # the handler runs before the write below
        report(trial_id, step, value)

    monkeypatch.setattr(storage, "set_trial_intermediate_value", sigint_then_report)
    with pytest.raises(Interrupted):
        run_worker(sweep, show_progress=False)
    (trial,) = sweep.study.trials
    assert trial.state == TrialState.FAIL and trial.user_attrs["reason"] == "interrupted"
    assert list(trial.intermediate_values) == [1]  # the write went through; epoch 2 never ran
    (run,) = trial_runs(sweep)
    assert run.status == "KILLED" and run.tags["sweeps.epochs_reached"] == "1"
