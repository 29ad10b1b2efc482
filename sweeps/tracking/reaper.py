"""Close the MLflow runs of trials whose worker died (Optuna failed them as stale)."""

from __future__ import annotations

from collections.abc import Callable

import optuna
from mlflow.exceptions import MlflowException
from optuna.trial import FrozenTrial

from sweeps.tracking.runs import tags_of
from sweeps.tracking.store import Tracker

REASON = "worker lost: heartbeat stale"


def close_stale_runs(
    tracker: Tracker, experiment_id: str
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
            for run in tracker.client.search_runs([experiment_id], filter_string=query):
                tags = {"sweeps.state": "FAIL", "sweeps.reason": REASON}
                tracker.client.log_batch(run.info.run_id, tags=tags_of(tags))
                tracker.client.set_terminated(run.info.run_id, "KILLED")
        except MlflowException:
            return  # the tracking server is unreachable: `sweeps status` still shows the trial

    return callback
