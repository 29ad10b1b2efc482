"""What the progress bar says beside the trial count: the best value so far and how many
trials were pruned or failed."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from optuna.trial import FrozenTrial, TrialState

from sweeps.study.selection import Goal

__all__: list[str] = []  # nothing here for other packages


@dataclass
class Progress:
    """Counts and the best value of finished trials, for one objective metric (several:
    no best value is shown, only the counts)."""

    metric: str | None
    minimize: bool
    best: float = math.nan
    best_number: int = -1
    pruned: int = 0
    failed: int = 0

    @classmethod
    def of(cls, goal: Goal, trials: Iterable[FrozenTrial] = ()) -> Progress:
        """A progress for ``goal``, counting ``trials`` already finished."""
        single = len(goal.metric) == 1
        progress = cls(goal.metric[0] if single else None, goal.directions[0] == "minimize")
        for trial in trials:
            progress.add(trial)
        return progress

    def add(self, trial: FrozenTrial) -> None:
        """Count one finished trial."""
        self.count(trial.number, trial.state, trial.values)

    def count(self, number: int, state: TrialState, values: Sequence[float] | None) -> None:
        """Count trial ``number``, ended in ``state`` with ``values`` (when COMPLETE)."""
        if state == TrialState.PRUNED:
            self.pruned += 1
        elif state == TrialState.FAIL:
            self.failed += 1
        elif state == TrialState.COMPLETE and self.metric is not None and values:
            value = float(values[0])
            better = value < self.best if self.minimize else value > self.best
            if math.isnan(self.best) or better:
                self.best, self.best_number = value, number

    def postfix(self) -> str:
        """``best trial so far 7: val_loss 0.0678, 3 pruned, 1 failed`` (parts that say nothing
        left out). The champion is chosen after the last trial; this is one trial's value."""
        best = f"best trial so far {self.best_number}: {self.metric} {self.best:.4g}"
        parts = [] if math.isnan(self.best) else [best]
        parts += [f"{self.pruned} pruned"] if self.pruned else []
        parts += [f"{self.failed} failed"] if self.failed else []
        return ", ".join(parts)
