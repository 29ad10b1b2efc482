"""Parallel scaling: trials per minute of the quickstart with 1 and 2 workers, on SQLite and on
PostgreSQL, in one run; plus the storage's own cost per trial.

Each configuration runs ``sweeps run conf/quickstart.yaml --jobs N`` on fresh stores. Trials per
minute are measured inside the study (first trial start to last trial end), so process start-up
and the winner's packaging do not count. The storage overhead is a trial's worth of Optuna calls
(ask, 30 x report + should_prune, three user attributes, tell) timed without any training.

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth); skips it otherwise.
Run: ``python benchmarks/parallel_scaling.py [--trials N]`` (60 by default: at 30 the rates vary
by a quarter between identical runs). Target: 2 workers >= 1.7x one.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import optuna

from sweeps.infra.sqlite import engine_kwargs

ROOT = Path(__file__).resolve().parents[1]
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"


@contextmanager
def pg_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database URL, or None when no server answers."""
    try:
        import psycopg

        admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True)
    except Exception:
        yield None
        return
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def trials_per_minute(storage: str, folder: Path, jobs: int, trials: int, background: str) -> float:
    """Run the quickstart with ``jobs`` workers; trials per minute inside the study."""
    cmd = [
        sys.executable, "-m", "sweeps", "run", str(ROOT / "conf/quickstart.yaml"),
        "--jobs", str(jobs), "--trials", str(trials), "--quiet",
        "--storage", storage, "--tracking-uri", f"sqlite:///{folder}/mlflow.db",
        "--set", f"tracking.background={background}",
    ]  # fmt: skip
    subprocess.run(cmd, check=True, cwd=folder, stdout=subprocess.DEVNULL)
    study = optuna.load_study(study_name="quickstart", storage=storage)
    start = min(t.datetime_start for t in study.trials)
    end = max(t.datetime_complete for t in study.trials)
    return 60 * len(study.trials) / (end - start).total_seconds()


def storage_seconds_per_trial(storage: str, epochs: int = 30, repeats: int = 20) -> float:
    """Wall time of one trial's Optuna storage traffic, without training, with the engine
    settings sweeps uses (WAL and synchronous=NORMAL on SQLite)."""
    rdb = optuna.storages.RDBStorage(storage, engine_kwargs=engine_kwargs(storage))
    study = optuna.create_study(
        storage=rdb, study_name="overhead", pruner=optuna.pruners.MedianPruner()
    )
    start = time.perf_counter()
    for _ in range(repeats):
        trial = study.ask()
        trial.suggest_float("x", 0, 1)
        for key in ("mlflow_run_id", "worker", "estimator"):
            trial.set_user_attr(key, "value")
        for epoch in range(1, epochs + 1):
            trial.report(1.0 / epoch, epoch)
            trial.should_prune()
        study.tell(trial, 0.5)
    return (time.perf_counter() - start) / repeats


@contextmanager
def storage_url(kind: str, folder: Path) -> Iterator[str | None]:
    """A fresh study storage of ``kind`` (None: no PostgreSQL server)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder}/optuna.db"
        return
    with pg_database() as url:
        yield url


def measure(
    kind: str, tmp: Path, trials: int, background: str
) -> tuple[str, list[float], float | None]:
    """Rates with 1 and 2 workers and the storage cost per trial, for one storage kind."""
    rates = []
    for jobs in (1, 2):
        folder = tmp / f"{kind}-{jobs}-{background}"
        folder.mkdir()
        with storage_url(kind, folder) as url:
            if url is None:
                return kind, [], None
            rates.append(trials_per_minute(url, folder, jobs, trials, background))
    with storage_url(kind, tmp / f"{kind}-1-{background}") as url:
        overhead_url = url.replace("optuna.db", "overhead.db") if url else None
        overhead = storage_seconds_per_trial(overhead_url) if overhead_url else None
    return kind, rates, overhead


def main() -> None:
    """Measure every configuration and print rates, ratios and overheads."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=60)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for kind in ("sqlite", "postgresql"):
            for background in ("auto", "false"):
                _, rates, overhead = measure(kind, Path(tmp), args.trials, background)
                rows.append((f"{kind} ({background})", rates, overhead))
    print(f"quickstart, {args.trials} trials per configuration, 2 cores")
    print("auto (default): a tracking writer per worker only while cores are left (1 worker here);")
    print("false: every MLflow write in the worker itself")
    for kind, rates, overhead in rows:
        if len(rates) < 2:
            print(f"{kind:19s} skipped: no server")
            continue
        print(
            f"{kind:19s} 1 worker {rates[0]:6.1f} trials/min   2 workers {rates[1]:6.1f} trials/min"
            f"   scaling {rates[1] / rates[0]:.2f}x (target >= 1.7x)"
            f"   storage overhead {1000 * overhead:.0f} ms/trial (30 epochs)"
        )


if __name__ == "__main__":
    main()
