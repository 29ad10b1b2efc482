"""Close the MLflow runs of trials whose worker died (Optuna failed them as stale)."""

from __future__ import annotations

from collections.abc import Callable

import optuna
from mlflow.exceptions import MlflowException
from optuna.trial import FrozenTrial

from sweeps.tracking.runs import tags_of
from sweeps.tracking.store import Tracker

REASON = "worker lost: heartbeat stale"


def close_stale_run(tracker: Tracker) -> Callable[[optuna.Study, FrozenTrial], None]:
    """A stale-trial callback that ends the trial's run KILLED with a reason and an end time."""

    def callback(study: optuna.Study, trial: FrozenTrial) -> None:
        run_id = trial.user_attrs.get("mlflow_run_id")
        if run_id is None:
            return
        try:
            if tracker.client.get_run(run_id).info.status != "RUNNING":
                return
            tags = {"sweeps.state": "FAIL", "sweeps.reason": REASON}
            tracker.client.log_batch(run_id, tags=tags_of(tags))
            tracker.client.set_terminated(run_id, "KILLED")
        except MlflowException:
            return

    return callback
