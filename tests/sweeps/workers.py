"""Helpers for tests that run real worker processes."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import optuna
import sqlalchemy


def start(command: str, config: Path, flags: Sequence[str], *extra: str) -> subprocess.Popen[str]:
    """Start ``python -m sweeps COMMAND CONFIG FLAGS EXTRA`` with captured output."""
    return subprocess.Popen(
        [sys.executable, "-m", "sweeps", command, str(config), *flags, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(procs: Sequence[subprocess.Popen[str]], timeout: float = 300) -> list[int]:
    """Wait for every process; return exit codes (killing stragglers after ``timeout``)."""
    deadline = time.monotonic() + timeout
    codes = []
    for proc in procs:
        try:
            proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            raise AssertionError(f"process {proc.args} hung; stderr:\n{err[-3000:]}") from None
        codes.append(proc.returncode)
    return codes


def wait_for(predicate: Callable[[], bool], timeout: float = 120, poll: float = 0.1) -> None:
    """Poll ``predicate`` until it holds, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(poll)


def storage(url: str) -> optuna.storages.RDBStorage:
    """An RDB storage that keeps no connection open between calls (nothing left to leak)."""
    return optuna.storages.RDBStorage(url, engine_kwargs={"poolclass": sqlalchemy.NullPool})


def load(storage_url: str, name: str = "tiny") -> optuna.Study:
    """The study as another process sees it."""
    return optuna.load_study(study_name=name, storage=storage(storage_url))


def study_exists(storage_url: str, name: str = "tiny") -> bool:
    """Whether a process has created the study yet."""
    try:
        return name in optuna.get_all_study_names(storage(storage_url))
    except Exception:  # the database may not exist yet
        return False


class TrialWatch:
    """Cheap repeated reads of one study's trials: one storage object, no study reloads, so a
    poll takes milliseconds and short windows (a trial of a second or two) are not missed."""

    def __init__(self, storage_url: str, name: str = "tiny") -> None:
        self.storage = storage(storage_url)
        self.study_id = self.storage.get_study_id_from_name(name)

    def trials(self) -> list[optuna.trial.FrozenTrial]:
        """Every trial as stored right now."""
        return self.storage.get_all_trials(self.study_id, deepcopy=False)


def logical_trials(
    study: optuna.Study | Sequence[optuna.trial.FrozenTrial],
) -> list[optuna.trial.FrozenTrial]:
    """Trials counted against the budget: retried originals are not counted twice."""
    trials = study.get_trials(deepcopy=False) if isinstance(study, optuna.Study) else study
    retried = {n for t in trials for n in t.system_attrs.get("retry_history", [])}
    return [t for t in trials if t.number not in retried]
