"""The progress bar's postfix: best so far, pruned and failed counts."""

from __future__ import annotations

import optuna
from optuna.trial import TrialState, create_trial

from sweeps.search.progress import Progress
from sweeps.spec.schema import ObjectiveConfig


def _trial(
    state: TrialState, value: float | None = None, number: int = 0
) -> optuna.trial.FrozenTrial:
    trial = (
        create_trial(state=state, value=value) if value is not None else create_trial(state=state)
    )
    trial.number = number
    return trial


def test_best_so_far_and_counts_follow_the_direction() -> None:
    trials = [
        _trial(TrialState.COMPLETE, 0.5, 0), _trial(TrialState.PRUNED), _trial(TrialState.FAIL),
        _trial(TrialState.COMPLETE, 0.2, 3), _trial(TrialState.PRUNED),
    ]  # fmt: skip
    loss = Progress.of(ObjectiveConfig(metric=("val_loss",)), trials)
    assert loss.postfix() == "best trial so far 3: val_loss 0.2, 2 pruned, 1 failed"
    accuracy = Progress.of(ObjectiveConfig(metric=("val_accuracy",)), trials)
    assert accuracy.postfix() == "best trial so far 0: val_accuracy 0.5, 2 pruned, 1 failed"


def test_nothing_to_say_before_a_trial_ends_and_no_best_for_several_objectives() -> None:
    assert Progress.of(ObjectiveConfig()).postfix() == ""
    several = Progress.of(ObjectiveConfig(metric=("val_loss", "n_params")))
    several.add(create_trial(state=TrialState.COMPLETE, values=[0.1, 50.0]))
    several.add(_trial(TrialState.PRUNED))
    assert several.postfix() == "1 pruned"
