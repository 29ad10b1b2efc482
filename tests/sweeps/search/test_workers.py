"""Scale-out on one machine with real processes: concurrent cold starts, kill -9, signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Container, Iterator, Sequence
from pathlib import Path

import pytest
from mlflow import MlflowClient
from optuna.trial import FrozenTrial, TrialState

from tests.conftest import Stores
from tests.sweeps.helpers import run_cli, write_config
from tests.sweeps.workers import (
    TrialWatch,
    finish,
    load,
    logical_trials,
    start,
    study_exists,
    wait_for,
)

pytestmark = pytest.mark.slow
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


@pytest.fixture
def spawned() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts; any still alive at the end (a failed test) are killed and reaped."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def slow_config(
    folder: Path, n_trials: int, epochs: int = 60, writer: bool | None = None, **study: object
) -> Path:
    """Trials of about a second, fast heartbeats, so workers can be killed mid-trial;
    ``writer`` forces the tracking writer on or off (None: the `auto` default)."""
    model = {
        "optimizer": "adam",
        "max_epochs": epochs,
        "early_stopping_patience": None,
        "batch_size": 8,
        "hidden_layer_sizes": [64, 64],
    }
    space = {"learning_rate": {"type": "float", "low": 1e-4, "high": 1e-3, "log": True}}
    settings = {
        "n_trials": n_trials,
        "pruner": {"type": "none"},
        "heartbeat_interval": 1,
        "grace_period": 3,
        **study,
    }
    tracking = {} if writer is None else {"background": writer}
    return write_config(folder, model=model, space=space, study=settings, tracking=tracking)


def assert_consistent(client: MlflowClient, storage_url: str, budget: int) -> list:
    """Exact budget, unique numbers, nothing RUNNING, one parent, one run per counted trial."""
    study = load(storage_url)
    trials = study.get_trials(deepcopy=False)
    assert all(t.state in FINISHED for t in trials), [t.state for t in trials]
    counted = logical_trials(study)
    assert len(counted) == budget
    assert len({t.number for t in trials}) == len(trials)
    experiment = client.get_experiment_by_name("tiny")
    runs = client.search_runs([experiment.experiment_id], max_results=1000)
    parents = [r for r in runs if r.data.tags.get("sweeps.role") == "parent"]
    assert len(parents) == 1
    children = [r for r in runs if r.data.tags.get("sweeps.role") == "trial"]
    assert all(r.data.tags["mlflow.parentRunId"] == parents[0].info.run_id for r in children)
    assert not [r for r in runs if r.info.status == "RUNNING"]
    linked = {t.user_attrs["mlflow_run_id"] for t in counted}
    assert linked <= {r.info.run_id for r in children}
    return children


def test_four_workers_cold_start_on_sqlite(
    tmp_path: Path, spawned: list[subprocess.Popen[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # truly cold: no empty-store template yet (the first worker makes it while the others
    # wait; making it once deleted the first worker's log of writes under its writer)
    monkeypatch.setenv("SWEEPS_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "mlruns"
    flags = ["--tracking-uri", f"sqlite:///{root}/mlflow.db", "--storage", f"sqlite:///{root}/o.db"]
    config = slow_config(tmp_path, 8)
    procs = [start("worker", config, flags, "--quiet") for _ in range(4)]
    spawned.extend(procs)
    assert finish(procs) == [0, 0, 0, 0]
    client = MlflowClient(tracking_uri=flags[1])
    children = assert_consistent(client, flags[3], budget=8)
    assert len(children) == 8
    workers = {t.user_attrs["worker"] for t in load(flags[3]).trials}
    assert len(workers) >= 2
    assert len(client.search_model_versions("name = 'tiny'")) == 1


def _running_in(
    trials: Sequence[FrozenTrial], pids: Container[int], epochs: tuple[int, int] | None = None
) -> tuple[int, int] | None:
    """(trial number, pid) of a RUNNING trial whose worker is one of ``pids``; with
    ``epochs`` (low, high), only a trial whose last reported epoch is in that range, so a
    kill lands mid-training (not while it is being started or closed)."""
    for trial in trials:
        if trial.state != TrialState.RUNNING:
            continue
        pid = int(str(trial.user_attrs.get("worker", ":0")).rsplit(":", 1)[1])
        step = trial.last_step
        if epochs is not None and (step is None or not epochs[0] <= step < epochs[1]):
            continue
        if pid in pids:
            return trial.number, pid
    return None


def _running_worker(storage_url: str, pids: Container[int]) -> tuple[int, int] | None:
    return _running_in(load(storage_url).get_trials(deepcopy=False), pids)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_kill_9_workers_mid_trial_including_the_last(
    backend: str,
    stores: Stores,
    tmp_path: Path,
    spawned: list[subprocess.Popen[str]],
    request: pytest.FixtureRequest,
) -> None:
    url = stores.storage_url if backend == "sqlite" else request.getfixturevalue("pg_database")
    flags = ["--tracking-uri", stores.tracking_uri, "--storage", url]
    budget = 8
    # workers default to no writer (one per core); on SQLite they fork one anyway, so a
    # kill -9 also hits workers whose writer holds writes handed over but not yet performed
    # a kill may hit a trial that is itself a retry: allow one retry per kill
    # 400 epochs, killed between epochs 40 and 360: a window of a second or more even when the
    # machine is loaded and the last trials run side by side (a shorter one was missed at times)
    config = slow_config(tmp_path, budget, epochs=400, writer=backend == "sqlite", max_retry=3)
    procs = {}
    for _ in range(2):
        proc = start("worker", config, flags, "--quiet")
        spawned.append(proc)
        procs[proc.pid] = proc
    killed: list[int] = []

    def kill_one(ready: Callable[[list[FrozenTrial]], bool]) -> None:
        """Once ``ready`` holds, SIGKILL the worker of a running trial and start another."""
        found: list[tuple[int, int] | None] = [None]

        def running() -> bool:
            trials = watch.trials()
            found[0] = _running_in(trials, procs, (40, 360)) if ready(trials) else None
            return found[0] is not None

        try:
            wait_for(running, timeout=240, poll=0.02)
        except AssertionError:
            states = [(t.number, t.state.name, t.last_step) for t in watch.trials()]
            codes = {pid: p.poll() for pid, p in procs.items()}
            raise AssertionError(f"no trial to kill; trials {states}; workers {codes}") from None
        number, pid = found[0]  # type: ignore[misc]
        os.kill(pid, signal.SIGKILL)
        procs.pop(pid).communicate()
        killed.append(number)
        fresh = start("worker", config, flags, "--quiet")
        spawned.append(fresh)
        procs[fresh.pid] = fresh

    wait_for(lambda: study_exists(url))
    watch = TrialWatch(url)
    kill_one(lambda trials: len(trials) >= 3)
    kill_one(lambda trials: len(logical_trials(trials)) >= 5)
    kill_one(lambda trials: len(logical_trials(trials)) >= budget)  # during the last trial(s)
    assert finish(list(procs.values())) == [0] * len(procs)

    client = MlflowClient(tracking_uri=stores.tracking_uri)
    assert_consistent(client, url, budget)
    study = load(url)
    retried = {n for t in study.trials for n in t.system_attrs.get("retry_history", [])}
    for number in killed:
        trial = study.trials[number]
        assert trial.state == TrialState.FAIL
        assert number in retried
        run = client.get_run(trial.user_attrs["mlflow_run_id"])
        assert run.info.status == "KILLED" and run.info.end_time is not None
        assert run.data.tags["sweeps.reason"] == "worker lost: heartbeat stale"
        assert run.data.params["learning_rate"] == str(trial.params["learning_rate"])


def _interrupt_second_trial(
    command: str, config: Path, stores: Stores, spawned: list[subprocess.Popen[str]]
) -> str:
    """Start ``sweeps COMMAND``, send SIGINT once its second trial runs; its standard error
    (after checking it exited 130)."""
    proc = start(command, config, stores.flags(), "--quiet")
    spawned.append(proc)
    wait_for(lambda: study_exists(stores.storage_url))
    wait_for(lambda: len(load(stores.storage_url).trials) >= 2)
    wait_for(lambda: _running_worker(stores.storage_url, {proc.pid: proc}) is not None)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    return err


def test_sigint_closes_the_trial_and_a_rerun_resumes(
    stores: Stores, tmp_path: Path, spawned: list[subprocess.Popen[str]]
) -> None:
    config = slow_config(tmp_path, 5)
    err = _interrupt_second_trial("run", config, stores, spawned)

    study = load(stores.storage_url)
    interrupted = [t for t in study.trials if t.user_attrs.get("reason") == "interrupted"]
    assert len(interrupted) == 1 and interrupted[0].state == TrialState.FAIL
    # the last lines say how many trials are done and left, and how to go on
    states = [t.state for t in study.trials]
    assert TrialState.RUNNING not in states and TrialState.WAITING not in states
    done, complete = len(states), states.count(TrialState.COMPLETE)
    pruned = states.count(TrialState.PRUNED)
    counts = ", ".join(
        f"{n} {name}"
        for n, name in (
            (complete, "complete"),
            (pruned, "pruned"),
            (done - complete - pruned, "failed"),
        )
        if n
    )
    assert err.splitlines()[-2:] == [
        f"sweeps: interrupted by SIGINT: {done} of 5 trials done ({counts}), {5 - done} left",
        f"sweeps: run the same command again to run the {5 - done} left, then conclude",
    ]
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    assert client.get_run(interrupted[0].user_attrs["mlflow_run_id"]).info.status == "KILLED"
    parent_id = study.user_attrs["mlflow_parent_run_id"]
    assert client.get_run(parent_id).info.status == "KILLED"

    rerun = start("run", config, stores.flags(), "--quiet")
    spawned.append(rerun)
    assert finish([rerun]) == [0]
    assert_consistent(client, stores.storage_url, budget=5)
    assert load(stores.storage_url).user_attrs["mlflow_parent_run_id"] == parent_id
    assert client.get_run(parent_id).info.status == "FINISHED"


def test_sigterm_stops_a_worker_with_143(
    stores: Stores, tmp_path: Path, spawned: list[subprocess.Popen[str]]
) -> None:
    config = slow_config(tmp_path, 20, epochs=2000)  # one trial takes far longer than the test
    proc = start("worker", config, stores.flags(), "--quiet")
    spawned.append(proc)
    wait_for(lambda: study_exists(stores.storage_url))
    wait_for(lambda: "mlflow_run_id" in getattr(_first_trial(stores.storage_url), "user_attrs", {}))
    proc.send_signal(signal.SIGTERM)
    assert finish([proc], timeout=30) == [143]
    (trial,) = load(stores.storage_url).trials
    assert trial.state == TrialState.FAIL and trial.user_attrs["reason"] == "interrupted"
    run = MlflowClient(tracking_uri=stores.tracking_uri).get_run(trial.user_attrs["mlflow_run_id"])
    assert run.info.status == "KILLED" and run.info.end_time is not None


def _first_trial(storage_url: str) -> object:
    trials = load(storage_url).trials
    return trials[0] if trials else None


def test_run_jobs_init_and_status(
    stores: Stores,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    spawned: list[subprocess.Popen[str]],
) -> None:
    config = slow_config(tmp_path, 6)
    assert run_cli("init", str(config), *stores.flags()) == 0
    parent_id = load(stores.storage_url).user_attrs["mlflow_parent_run_id"]
    assert parent_id in capsys.readouterr().out
    assert run_cli("init", str(config), *stores.flags()) == 0  # idempotent
    assert load(stores.storage_url).user_attrs["mlflow_parent_run_id"] == parent_id

    proc = start("run", config, stores.flags(), "--jobs", "2", "--quiet")
    spawned.append(proc)
    assert finish([proc]) == [0]
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    children = assert_consistent(client, stores.storage_url, budget=6)
    assert {r.data.tags["mlflow.parentRunId"] for r in children} == {parent_id}
    assert len({r.data.tags["sweeps.worker"] for r in children}) == 2

    assert run_cli("status", str(config), *stores.study_flags()) == 0
    out = capsys.readouterr().out
    best = load(stores.storage_url).best_trial
    assert "budget       6 trials, 6 counted, 0 left" in out
    assert "workers      0 alive" in out
    assert f"best trial   trial {best.number}: val_loss {best.value:.6g}" in out


def test_status_of_a_missing_study_is_one_line(
    stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    assert run_cli("status", str(config), *stores.study_flags()) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sweeps: error: no study storage at ") and "\n" not in err
    assert not (stores.root / "optuna.db").exists()


def test_a_worker_killed_while_sampling_does_not_hold_the_budget_for_ever(
    stores: Stores, tmp_path: Path, spawned: list[subprocess.Popen[str]]
) -> None:
    """``ask()`` creates the RUNNING trial and samples before Optuna's heartbeat thread
    starts; a worker killed in between must leave a trial that goes stale, not one the last
    worker waits on for ever."""
    config = slow_config(tmp_path, 2)
    assert run_cli("init", str(config), *stores.flags()) == 0
    script = textwrap.dedent(
        f"""
        import os, signal, optuna
        from sweeps.study.storage import make_storage
        storage = make_storage({stores.storage_url!r}, heartbeat_interval=10)
        optuna.load_study(study_name="tiny", storage=storage).ask()
        os.kill(os.getpid(), signal.SIGKILL)  # dies before any objective or heartbeat thread
        """
    )
    orphan = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert orphan.returncode == -9, orphan.stderr
    assert [t.state for t in load(stores.storage_url).trials] == [TrialState.RUNNING]

    worker = start("worker", config, stores.flags(), "--quiet")
    spawned.append(worker)
    assert finish([worker], timeout=90) == [0]
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    assert_consistent(client, stores.storage_url, budget=2)
    study = load(stores.storage_url)
    assert study.trials[0].state == TrialState.FAIL
    assert 0 in {n for t in study.trials for n in t.system_attrs.get("retry_history", [])}


def test_sigint_to_a_worker_says_what_the_study_has_done_and_left(
    stores: Stores, tmp_path: Path, spawned: list[subprocess.Popen[str]]
) -> None:
    err = _interrupt_second_trial("worker", slow_config(tmp_path, 5), stores, spawned)
    trials = load(stores.storage_url).trials
    done = len(trials)
    lines = err.splitlines()[-2:]
    states = [(t.number, t.state.name, t.user_attrs.get("reason")) for t in trials]
    assert lines[0].startswith(f"sweeps: interrupted by SIGINT: {done} of 5 trials done ("), (
        states,
        err,
    )
    assert lines[0].endswith(f"), {5 - done} left")
    assert (
        lines[1] == f"sweeps: run the same command again to run the {5 - done} left, then conclude"
    )
