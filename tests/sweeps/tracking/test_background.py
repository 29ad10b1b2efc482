"""The background tracking writer against a real MLflow SQLite store and real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric
from pydantic import ValidationError

from sweeps.errors import StoreError
from sweeps.search.parallel import writer_for
from sweeps.spec.schema import TrackingConfig
from sweeps.tracking import Tracker
from sweeps.tracking.background import BackgroundWriter
from sweeps.tracking.handles import PendingRun
from tests.conftest import Stores


def test_a_trial_run_written_in_the_background_is_complete_and_in_order(
    stores: Stores,
) -> None:
    tracker = Tracker(stores.tracking_uri)
    experiment = tracker.experiment_id("bg")
    assert experiment is not None
    with tracker.background():
        assert tracker.writer is not None
        tracker.writer.wait_ready()
        run = tracker.start_run(experiment, "trial-000", {"sweeps.role": "x"}, {"width": 8})
        assert isinstance(run.run_id, PendingRun)
        for epoch in range(1, 4):
            run.add_metrics({"val_loss": 1.0 / epoch}, step=epoch)
        run.add_json({"estimator": {"width": 8}}, "trial_config.json")
        staged = run._folder
        run.finish("FINISHED", {"final_val_loss": 1 / 3}, {"sweeps.state": "COMPLETE"})
        run_id = run.resolved_id()
    assert tracker.writer is None
    assert not staged.exists()  # the writer removed the staging folder after uploading it
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    logged = client.get_run(run_id)
    assert logged.info.status == "FINISHED" and logged.info.end_time is not None
    assert logged.data.params == {"width": "8"}
    assert logged.data.tags["sweeps.state"] == "COMPLETE"
    history = client.get_metric_history(run_id, "val_loss")
    assert [(m.step, m.value) for m in history] == [(1, 1.0), (2, 0.5), (3, 1 / 3)]
    assert [a.path for a in client.list_artifacts(run_id)] == ["trial_config.json"]


def test_runs_are_written_directly_until_the_writer_is_ready(stores: Stores) -> None:
    tracker = Tracker(stores.tracking_uri)
    experiment = tracker.experiment_id("bg")
    assert experiment is not None
    with tracker.background():
        run = tracker.start_run(experiment, "early", {}, {})
        if tracker.writer is not None and not tracker.writer.ready:
            pytest.skip("the fork became ready before the first run (no direct run to check)")
        run.finish("FINISHED")
    assert isinstance(run.run_id, str)  # a real id at once: nothing waited for the fork


def test_a_failed_write_raises_a_store_error_naming_the_call(stores: Stores) -> None:
    writer = BackgroundWriter(stores.tracking_uri)
    try:
        writer.log_batch("no-such-run", metrics=[Metric("m", 1.0, 0, 0)])
        with pytest.raises(StoreError, match=r"^tracking store: log_batch: .*no-such-run"):
            writer.sync()
        with pytest.raises(StoreError, match=r"^tracking store: log_batch: .*no-such-run"):
            writer.open_run("987654", "trial-x", {})  # nothing is written after a failure
    finally:
        writer.close()
    assert writer._proc.exitcode == 0


def test_after_a_failed_write_the_writer_performs_nothing(stores: Stores) -> None:
    """A store that failed is presumed gone: queued writes are not retried one by one."""
    tracker = Tracker(stores.tracking_uri)
    experiment = tracker.experiment_id("bg")
    assert experiment is not None
    writer = BackgroundWriter(stores.tracking_uri)
    try:
        writer.log_batch("no-such-run", metrics=[Metric("m", 1.0, 0, 0)])
        handle = writer.open_run(experiment, "after", {})
        writer.set_terminated(handle, "FINISHED")
        with pytest.raises(StoreError, match="no-such-run"):
            writer.sync()
    finally:
        writer.close()
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    assert client.search_runs([experiment]) == []


def test_a_dead_writer_is_an_error_not_a_hang(stores: Stores) -> None:
    writer = BackgroundWriter(stores.tracking_uri)
    writer.wait_ready()
    writer._proc.kill()
    writer._proc.join()
    with pytest.raises(StoreError, match="writer process exited unexpectedly"):
        writer.sync()
    with pytest.raises(StoreError, match="exited unexpectedly"):
        writer.log_batch("any", metrics=[])  # no hang, no silent loss
    writer.close()  # releases the pipes; nothing more to report
    assert writer.closed and writer._proc.exitcode == -signal.SIGKILL


def test_the_writer_has_its_own_session_so_ctrl_c_does_not_reach_it(stores: Stores) -> None:
    writer = BackgroundWriter(stores.tracking_uri)
    try:
        writer.wait_ready()
        assert os.getsid(writer._proc.pid) == writer._proc.pid != os.getsid(0)
    finally:
        writer.close()
    assert writer._proc.exitcode == 0


def test_writes_handed_over_before_a_kill_9_still_land(stores: Stores, tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os, signal
        from mlflow.entities import Metric
        from sweeps.tracking import Tracker
        tracker = Tracker({stores.tracking_uri!r})
        experiment = tracker.experiment_id("bg")
        with tracker.background():
            tracker.writer.wait_ready()
            run = tracker.start_run(experiment, "orphan", {{}}, {{}})
            for step in range(1, 501):
                run.add_metrics({{"val_loss": float(step)}}, step=step)
            run.finish("FINISHED")
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == -9, proc.stderr
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    experiment = client.get_experiment_by_name("bg")
    deadline = time.monotonic() + 60
    while True:
        runs = client.search_runs([experiment.experiment_id], "attributes.run_name = 'orphan'")
        if runs and runs[0].info.status == "FINISHED":
            break
        assert time.monotonic() < deadline, "the orphaned writer did not finish the run"
        time.sleep(0.2)
    assert len(client.get_metric_history(runs[0].info.run_id, "val_loss")) == 500


def test_auto_forks_a_writer_only_while_cores_are_left() -> None:
    cores = len(os.sched_getaffinity(0))
    auto = TrackingConfig()
    assert auto.background == "auto"
    assert writer_for(auto.background, cores - 1) is (cores > 1)
    assert writer_for(auto.background, cores) is False
    assert writer_for(TrackingConfig(background=True).background, cores) is True
    assert writer_for(TrackingConfig(background=False).background, 1) is False
    with pytest.raises(ValidationError):
        TrackingConfig(background="sometimes")
