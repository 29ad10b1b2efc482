"""N worker processes on this machine sharing one study (processes, not threads: the GIL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Literal

from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from sweeps.core.sweep import Sweep
from sweeps.errors import Interrupted, SweepsError
from sweeps.search.progress import Progress
from sweeps.study.budget import budget_of

__all__: list[str] = []  # nothing here for other packages

POLL_SECONDS = 0.5
STOP_GRACE_SECONDS = 15.0


def writer_for(background: bool | Literal["auto"], workers_here: int) -> bool:
    """Whether each of ``workers_here`` workers on this machine forks a tracking writer
    (MLflow writes off the trials' critical path): ``auto`` does when cores are left for
    the writers, since on a full machine they only compete with the workers."""
    if isinstance(background, bool):
        return background
    return workers_here < len(os.sched_getaffinity(0))


def worker_command(config: Path, blas: int | None) -> list[str]:
    """The command line of one local worker of the resolved config file ``config``."""
    cmd = [sys.executable, "-m", "sweeps", "worker", str(config), "--quiet", "--no-conclude"]
    return cmd + (["--blas-threads", str(blas)] if blas else [])


def write_resolved(sweep: Sweep, jobs: int, folder: Path) -> Path:
    """The sweep's config exactly as this process resolved it (study name, both stores, the
    budget, the writer choice for ``jobs`` workers), for workers to read: values, not flags.
    Readable by this user only (a store URL may hold a password)."""
    resolved = sweep.cfg.model_dump(mode="json")
    resolved["study"].update(name=sweep.cfg.study_name, storage=sweep.storage_url)
    resolved["tracking"].update(
        uri=sweep.tracker.uri, background=writer_for(sweep.cfg.tracking.background, jobs)
    )
    path = folder / "resolved.json"
    path.touch(mode=0o600)
    path.write_text(json.dumps(resolved))
    return path


def run_workers(sweep: Sweep, jobs: int, blas: int | None, *, show_progress: bool = True) -> None:
    """Start ``jobs`` workers, show the study's progress, and wait for all of them.

    On SIGINT/SIGTERM the same signal is passed on to every worker, which closes its trial
    and run; workers that do not stop within a grace period are killed.
    """
    with tempfile.TemporaryDirectory(prefix="sweeps-workers-") as tmp:
        cmd = worker_command(write_resolved(sweep, jobs, Path(tmp)), blas)
        procs = [subprocess.Popen(cmd) for _ in range(jobs)]
        try:
            _watch(sweep, procs, show_progress)
        except Interrupted as exc:
            _stop(procs, exc.signum)
            raise
    failed = [p.returncode for p in procs if p.returncode != 0]
    if failed:
        raise SweepsError(f"{len(failed)} of {jobs} workers failed (exit codes {failed})")


def _watch(sweep: Sweep, procs: list[subprocess.Popen[bytes]], show_progress: bool) -> None:
    total = sweep.cfg.study.n_trials
    with tqdm(total=total, disable=not show_progress, unit="trial") as bar:
        while any(p.poll() is None for p in procs):
            _show(sweep, bar, done=False)
            time.sleep(POLL_SECONDS)
        _show(sweep, bar, done=True)


def _show(sweep: Sweep, bar: tqdm, done: bool) -> None:
    """The study's finished trials and what they say, read once (nothing while the storage
    does not answer: the workers report that themselves)."""
    try:
        trials = sweep.study.get_trials(deepcopy=False)
    except SQLAlchemyError:
        return
    counted, waiting, running = budget_of(trials)
    bar.n = counted if done else counted - waiting - running
    bar.set_postfix_str(Progress.of(sweep.cfg.objective, trials).postfix(), refresh=False)
    bar.refresh()


def _stop(procs: list[subprocess.Popen[bytes]], signum: int) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signum)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
