"""Close the MLflow runs that their worker could not close.

- :func:`close_stale_runs`: the runs of trials whose worker died (Optuna fails them as stale);
- :func:`close_orphan_runs`: on (re)start, RUNNING runs of trials that are no longer running: a
  worker stopped by a store that failed, or interrupted while it closed a run.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

import optuna
from mlflow.exceptions import MlflowException
from optuna.trial import FrozenTrial, TrialState

from sweeps.errors import StoreError
from sweeps.records import (
    REASON_ATTR,
    TRIAL,
    TRIAL_NUMBER_TAG,
    TrialTags,
    runs_of,
    trial_ended_tags,
)
from sweeps.tracking.interface import RunRecord, TrackingStore

__all__ = ["close_orphan_runs", "close_stale_runs"]

REASON = "worker lost: heartbeat stale"
UNTOLD_REASON = f"{REASON} (its run completed, but the study storage never recorded it)"
ORPHAN_REASON = "its worker stopped before it could close the run"
#: A run of another machine's worker is closed only when its trial ended this long ago: that
#: worker may still be writing it through its background writer.
FOREIGN_GRACE_S = 600.0
#: A FAIL trial without a reason of its own was failed as stale by a worker's Optuna, whose
#: stale-trial callback closes its run a moment later with the reason (:data:`REASON`); the
#: run is left to that callback this long after the trial ended.
STALE_GRACE_S = 60.0


def close_stale_runs(
    tracker: TrackingStore, experiment_id: str
) -> Callable[[optuna.Study, FrozenTrial], None]:
    """A stale-trial callback: end the trial's RUNNING run(s) KILLED, with a reason.

    Runs are found by their study and trial-number tags, so a run whose worker died before
    linking it to the trial is closed too.
    """

    def callback(study: optuna.Study, trial: FrozenTrial) -> None:
        try:
            for run in _runs_of(tracker, experiment_id, study.study_name, trial.number):
                if run.status == "RUNNING":
                    reason = REASON
                elif TrialTags.read(run.tags).state == "COMPLETE":
                    reason = UNTOLD_REASON  # closed, but the storage never heard the result
                else:
                    continue
                if not run.params:  # killed before its first write: the trial knows them
                    tracker.log_params(run.run_id, trial.params)
                tags = trial_ended_tags(trial.number, "FAIL", reason)
                tracker.log_values(run.run_id, tags=tags)
                tracker.end_run(run.run_id, "KILLED")
        except (MlflowException, StoreError):
            return  # the tracking server is unreachable: `sweeps status` still shows the trial

    return callback


def close_orphan_runs(tracker: TrackingStore, experiment_id: str, study: optuna.Study) -> int:
    """Close every RUNNING trial run of ``study`` whose trial has ended; return how many.

    A FAIL trial's run ends KILLED with the trial's reason, a PRUNED one's FINISHED as pruned;
    a COMPLETE trial's run is closed by its worker before the trial completes, so none is
    orphaned. Runs of another worker still alive on this machine are left alone, those of
    other machines' workers until :data:`FOREIGN_GRACE_S` after their trial ended, and those
    of trials just failed as stale until :data:`STALE_GRACE_S` after (the worker that failed
    them is closing them). Call it before this process runs trials.
    """
    runs = _running(tracker, experiment_id, study.study_name)
    if not runs:
        return 0
    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    closed = 0
    for run in runs:
        trial = trials.get(_number(run))
        if trial is None or trial.state not in (TrialState.FAIL, TrialState.PRUNED):
            continue
        if not _worker_gone(TrialTags.read(run.tags).worker, trial) or _being_closed(trial):
            continue
        state = trial.state.name
        reason = str(trial.user_attrs.get(REASON_ATTR) or ORPHAN_REASON)
        tags = trial_ended_tags(trial.number, state, reason)
        tracker.log_values(run.run_id, tags=tags)
        tracker.end_run(run.run_id, "FINISHED" if state == "PRUNED" else "KILLED")
        closed += 1
    return closed


def _runs_of(
    tracker: TrackingStore, experiment_id: str, study: str, number: int
) -> list[RunRecord]:
    """The runs of trial ``number`` (one, unless its worker died before linking it)."""
    query = runs_of(TRIAL, study, **{TRIAL_NUMBER_TAG: number})
    return tracker.search(experiment_id, query, (), 1000)


def _running(tracker: TrackingStore, experiment_id: str, study: str) -> list[RunRecord]:
    query = f"{runs_of(TRIAL, study)} and attributes.status = 'RUNNING'"
    return tracker.search(experiment_id, query, (), 1000)


def _number(run: RunRecord) -> int:
    number = TrialTags.read(run.tags).number
    return -1 if number is None else number


def _being_closed(trial: FrozenTrial) -> bool:
    """Whether the worker that failed ``trial`` as stale is about to close its run: a FAIL
    trial with no reason of its own (every other failure records one first) that ended
    less than :data:`STALE_GRACE_S` ago."""
    if trial.state != TrialState.FAIL or trial.user_attrs.get(REASON_ATTR):
        return False
    return time.time() - _ended(trial) < STALE_GRACE_S


def _ended(trial: FrozenTrial) -> float:
    return trial.datetime_complete.timestamp() if trial.datetime_complete else 0.0


def _worker_gone(worker: str, trial: FrozenTrial) -> bool:
    """Whether the worker that wrote a run (``host:pid``) can no longer close it."""
    host, _, pid = worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():  # this process has no trial running yet
        return int(pid) == os.getpid() or not _alive(int(pid))
    return time.time() - _ended(trial) > FOREIGN_GRACE_S


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
