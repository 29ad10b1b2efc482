"""Close the MLflow runs of trials whose worker died (Optuna failed them as stale)."""

from __future__ import annotations

from collections.abc import Callable

import optuna
from mlflow.exceptions import MlflowException
from optuna.trial import FrozenTrial

from sweeps.errors import StoreError
from sweeps.tracking.face import TrackingStore

REASON = "worker lost: heartbeat stale"


def close_stale_runs(
    tracker: TrackingStore, experiment_id: str
) -> Callable[[optuna.Study, FrozenTrial], None]:
    """A stale-trial callback: end the trial's RUNNING run(s) KILLED, with a reason.

    Runs are found by their study and trial-number tags, so a run whose worker died before
    linking it to the trial is closed too.
    """

    def callback(study: optuna.Study, trial: FrozenTrial) -> None:
        query = (
            f"tags.`sweeps.study` = '{study.study_name}' and "
            f"tags.`sweeps.trial_number` = '{trial.number}' and attributes.status = 'RUNNING'"
        )
        try:
            for run in tracker.search(experiment_id, query, (), 1000):
                if not run.params:  # killed before its first write: the trial knows them
                    tracker.log_params(run.run_id, trial.params)
                tracker.log_values(
                    run.run_id, tags={"sweeps.state": "FAIL", "sweeps.reason": REASON}
                )
                tracker.end_run(run.run_id, "KILLED")
        except (MlflowException, StoreError):
            return  # the tracking server is unreachable: `sweeps status` still shows the trial

    return callback
