"""N worker processes on this machine sharing one study (processes, not threads: the GIL)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Sequence

from tqdm import tqdm

from sweeps.errors import Interrupted, SweepsError
from sweeps.search.runner import Sweep
from sweeps.study.budget import budget_state

POLL_SECONDS = 0.5
STOP_GRACE_SECONDS = 15.0


def worker_command(config: str, args: Sequence[str], blas: int | None) -> list[str]:
    """The command line of one local worker."""
    cmd = [sys.executable, "-m", "sweeps", "worker", config, *args, "--quiet", "--no-conclude"]
    return cmd + (["--blas-threads", str(blas)] if blas else [])


def run_workers(
    sweep: Sweep,
    config: str,
    jobs: int,
    args: Sequence[str],
    blas: int | None,
    *,
    show_progress: bool = True,
) -> None:
    """Start ``jobs`` workers, show the study's progress, and wait for all of them.

    On SIGINT/SIGTERM the same signal is passed on to every worker, which closes its trial
    and run; workers that do not stop within a grace period are killed.
    """
    cmd = worker_command(config, args, blas)
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
            counted, waiting, running = budget_state(sweep.study)
            bar.n = counted - waiting - running
            bar.refresh()
            time.sleep(POLL_SECONDS)
        bar.n = budget_state(sweep.study)[0]
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
