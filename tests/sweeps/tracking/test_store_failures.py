"""How store failures are named: which MLflow and database errors mean the store is gone, the
HTTP bounds our processes set, and the runs a stopped worker leaves, closed on (re)start (real
SQLite stores and studies; the faults themselves are in test_store_faults.py)."""

from __future__ import annotations

import datetime as dt
import os
import socket

import optuna
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import TEMPORARILY_UNAVAILABLE as UNAVAILABLE
from optuna.trial import TrialState, create_trial
from sqlalchemy.exc import OperationalError

from sweeps.errors import ConfigError, StoreError
from sweeps.study.storage import storage_errors
from sweeps.tracking import MemoryTracker, Tracker, close_orphan_runs, close_stale_runs
from sweeps.tracking.failures import HTTP_BOUNDS, bound_http, store_failure
from sweeps.tracking.reaper import FOREIGN_GRACE_S, ORPHAN_REASON, STALE_GRACE_S, UNTOLD_REASON
from tests.conftest import Stores

URI = "http://alice:s3cret@mlflow.example:5000"
CLOSED = "server closed the connection"
TIMED_OUT = f"API request to {URI}/x failed with timeout exception Read timed out."
REFUSED = (
    f"API request to {URI}/api/2.0/mlflow/runs/create failed with exception "
    "HTTPConnectionPool(host='mlflow.example', port=5000): Max retries exceeded with url: "
    '/api/2.0/mlflow/runs/create (Caused by NewConnectionError("HTTPConnection(host='
    "'mlflow.example', port=5000): Failed to establish a new connection: [Errno 111] "
    'Connection refused"))'
)


@pytest.mark.parametrize(
    ("exc", "method", "message"),
    [
        (MlflowException(REFUSED), "create_run", "unreachable (Connection refused)"),
        (
            MlflowException(
                f"API request to {URI}/x failed with timeout exception Read timed out."
            ),
            "log_batch",
            "unreachable (Read timed out)",
        ),
        (
            MlflowException(f"(psycopg.OperationalError) {CLOSED}", error_code=UNAVAILABLE),
            "search_runs",
            f"database unavailable ((psycopg.OperationalError) {CLOSED})",
        ),
        (NotADirectoryError(20, "Not a directory"), "log_artifacts", "cannot write artifacts"),
    ],
)
def test_failures_that_mean_the_store_is_gone_are_named_and_redacted(
    exc: Exception, method: str, message: str
) -> None:
    failure = store_failure(exc, URI, method)
    assert isinstance(failure, StoreError)
    assert str(failure).startswith("tracking store http://alice:***@mlflow.example:5000: ")
    assert message in str(failure)
    assert "s3cret" not in str(failure)


@pytest.mark.parametrize(
    ("exc", "method"),
    [
        (MlflowException("Run abc not found", error_code="RESOURCE_DOES_NOT_EXIST"), "get_run"),
        (MlflowException("Invalid param", error_code="INVALID_PARAMETER_VALUE"), "log_batch"),
        (FileNotFoundError(2, "No such file"), "download_artifacts"),
        (ValueError("x"), "log_artifacts"),
    ],
)
def test_other_errors_are_left_to_their_callers(exc: Exception, method: str) -> None:
    assert store_failure(exc, URI, method) is None


def test_http_bounds_respect_the_users_values(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in HTTP_BOUNDS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "300")
    monkeypatch.setenv("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "false")
    bound_http()
    assert os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] == "300"
    assert os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "3"
    assert os.environ["MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"] == "1"
    assert os.environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] == "true"  # it prints passwords


def test_a_database_failure_anywhere_in_the_chain_names_the_storage() -> None:
    url = "postgresql+psycopg://bob:pw@db.example/optuna?sslpassword=k3y"
    dead = OperationalError("SELECT 1", {}, Exception("connection refused"))
    with pytest.raises(StoreError) as caught, storage_errors(url):
        try:
            raise dead
        except OperationalError:
            raise UnboundLocalError("cannot access local variable 'updated_state'") from None
    text = str(caught.value)
    assert text.startswith("study storage postgresql+psycopg://bob:***@db.example/optuna?")
    assert "sslpassword=***" in text and "connection refused" in text
    assert "pw@" not in text and "k3y" not in text


@pytest.mark.parametrize("exc", [ValueError("not a database error"), ConfigError("ours")])
def test_other_errors_pass_through_storage_errors(exc: Exception) -> None:
    with pytest.raises(type(exc)), storage_errors("sqlite:///x.db"):
        raise exc


# ---- runs a stopped worker left behind --------------------------------------------------------


DEAD_PID = 4_000_000  # above the kernel's pid_max: never a live process


def _setup(stores: Stores) -> tuple[Tracker, str, str, optuna.Study]:
    tracker = Tracker(stores.tracking_uri)
    experiment = tracker.experiment_id("orphans")
    assert experiment is not None
    parent = tracker.create_parent(experiment, "orphans", {}, {})
    study = optuna.create_study(study_name="orphans", storage=stores.storage_url)
    return tracker, experiment, parent, study


def _trial(
    study: optuna.Study, state: TrialState, reason: str | None = None, age_s: float = 0.0
) -> int:
    now = dt.datetime.now()
    trial = create_trial(
        state=state,
        value=0.5 if state == TrialState.COMPLETE else None,
        params={"x": 1.0},
        distributions={"x": optuna.distributions.FloatDistribution(0, 2)},
        user_attrs={"reason": reason} if reason else {},
    )
    trial.datetime_start = now - dt.timedelta(seconds=age_s + 1)
    if state == TrialState.RUNNING:
        trial.datetime_complete = None
    else:
        trial.datetime_complete = now - dt.timedelta(seconds=age_s)
    study.add_trial(trial)
    return study.trials[-1].number


def _run(
    tracker: Tracker | MemoryTracker,
    experiment: str,
    parent: str,
    number: int,
    worker: str,
    **tags: str,
) -> str:
    tags = {"sweeps.study": "orphans", "sweeps.trial_number": str(number), **tags}
    tags["sweeps.worker"] = worker
    run = tracker.start_run(experiment, f"trial-{number:03d}", tags, {"x": 1}, parent)
    run.flush()
    run_id = run.resolved_id()
    assert run_id is not None
    return run_id


def test_orphan_runs_are_closed_with_their_trials_state(stores: Stores) -> None:
    tracker, experiment, parent, study = _setup(stores)
    here = socket.gethostname()
    gone = f"{here}:{DEAD_PID}"
    failed = _trial(study, TrialState.FAIL, reason="tracking store http://h: unreachable")
    pruned = _trial(study, TrialState.PRUNED)
    silent = _trial(study, TrialState.FAIL, age_s=STALE_GRACE_S + 1)  # long failed, no reason
    ids = {
        "failed": _run(tracker, experiment, parent, failed, gone, **{"sweeps.state": "RUNNING"}),
        "pruned": _run(tracker, experiment, parent, pruned, gone, **{"sweeps.state": "PRUNED"}),
        "silent": _run(tracker, experiment, parent, silent, gone),
    }
    assert close_orphan_runs(tracker, experiment, study) == 3
    client = MlflowClient(stores.tracking_uri)
    runs = {k: client.get_run(v) for k, v in ids.items()}
    assert runs["failed"].info.status == "KILLED"
    assert runs["failed"].data.tags["sweeps.state"] == "FAIL"
    assert runs["failed"].data.tags["sweeps.reason"] == "tracking store http://h: unreachable"
    assert runs["failed"].info.run_name == f"trial-{failed:03d} fail"
    assert runs["pruned"].info.status == "FINISHED"
    assert runs["pruned"].data.tags["sweeps.state"] == "PRUNED"
    assert runs["pruned"].info.run_name == f"trial-{pruned:03d} pruned"
    assert runs["silent"].data.tags["sweeps.reason"] == ORPHAN_REASON
    assert client.get_run(parent).info.status == "RUNNING"  # the parent is not a trial's run
    assert close_orphan_runs(tracker, experiment, study) == 0


def test_a_trial_just_failed_as_stale_is_left_to_the_worker_that_failed_it(
    stores: Stores,
) -> None:
    """The race of a kill -9: worker A's Optuna fails a dead worker's trial as stale (FAIL, no
    reason), and before A's stale callback closes the run, a worker starting meanwhile looks
    for orphans. It leaves the run, and A's callback closes it with why."""
    tracker, experiment, parent, study = _setup(stores)
    number = _trial(study, TrialState.FAIL)  # just failed as stale
    run_id = _run(tracker, experiment, parent, number, f"{socket.gethostname()}:{DEAD_PID}")
    assert close_orphan_runs(tracker, experiment, study) == 0
    client = MlflowClient(stores.tracking_uri)
    assert client.get_run(run_id).info.status == "RUNNING"
    close_stale_runs(tracker, experiment)(study, study.trials[number])  # A's callback
    run = client.get_run(run_id)
    assert run.info.status == "KILLED"
    assert run.data.tags["sweeps.reason"] == "worker lost: heartbeat stale"


def test_a_pruned_run_interrupted_while_closing_is_closed_as_its_trial_failed(
    stores: Stores,
) -> None:
    """Ctrl-C while a pruned trial's run was being closed: the run says PRUNED and RUNNING,
    Optuna FAIL (the interrupt). A later start closes it as the study has it."""
    tracker, experiment, parent, study = _setup(stores)
    number = _trial(study, TrialState.FAIL, reason="interrupted")
    gone = f"{socket.gethostname()}:{DEAD_PID}"
    run_id = _run(tracker, experiment, parent, number, gone, **{"sweeps.state": "PRUNED"})
    assert close_orphan_runs(tracker, experiment, study) == 1
    run = MlflowClient(stores.tracking_uri).get_run(run_id)
    tags = run.data.tags
    assert run.info.status == "KILLED"
    assert (tags["sweeps.state"], tags["sweeps.reason"]) == ("FAIL", "interrupted")


def test_runs_that_may_still_be_written_are_left_alone(stores: Stores) -> None:
    tracker, experiment, parent, study = _setup(stores)
    here, gone = socket.gethostname(), f"{socket.gethostname()}:{DEAD_PID}"
    alive = f"{here}:{os.getppid()}"
    left = [
        _run(tracker, experiment, parent, _trial(study, TrialState.RUNNING), gone),
        _run(tracker, experiment, parent, _trial(study, TrialState.COMPLETE), gone),
        _run(tracker, experiment, parent, _trial(study, TrialState.FAIL), alive),
        _run(tracker, experiment, parent, _trial(study, TrialState.FAIL), "elsewhere:12"),
    ]
    old = _run(
        tracker, experiment, parent,
        _trial(study, TrialState.FAIL, age_s=FOREIGN_GRACE_S + 60), "elsewhere:13",
    )  # fmt: skip
    assert close_orphan_runs(tracker, experiment, study) == 1
    client = MlflowClient(stores.tracking_uri)
    assert [client.get_run(r).info.status for r in left] == ["RUNNING"] * 4
    assert client.get_run(old).info.status == "KILLED"


def test_a_stale_trial_whose_run_completed_is_failed_on_its_run_too(stores: Stores) -> None:
    """The worker closed the run COMPLETE, then lost the study storage before telling it."""
    tracker, experiment, parent, study = _setup(stores)
    number = _trial(study, TrialState.FAIL)
    run_id = _run(tracker, experiment, parent, number, "gone:1", **{"sweeps.state": "COMPLETE"})
    tracker.end_run(run_id, "FINISHED")
    close_stale_runs(tracker, experiment)(study, study.trials[number])
    run = MlflowClient(stores.tracking_uri).get_run(run_id)
    assert run.info.status == "KILLED"
    tags = run.data.tags
    assert (tags["sweeps.state"], tags["sweeps.reason"]) == ("FAIL", UNTOLD_REASON)


def test_the_memory_store_reaps_alike() -> None:
    tracker = MemoryTracker()
    experiment = tracker.experiment_id("orphans")
    assert experiment is not None
    parent = tracker.create_parent(experiment, "orphans", {}, {})
    study = optuna.create_study(study_name="orphans")
    number = _trial(study, TrialState.PRUNED)
    run_id = _run(tracker, experiment, parent, number, f"{socket.gethostname()}:{DEAD_PID}")
    assert close_orphan_runs(tracker, experiment, study) == 1
    assert tracker.runs[run_id].status == "FINISHED"
