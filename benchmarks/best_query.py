"""How fast ``sweeps best`` ranks a study of 10,000 trials.

Builds a temporary MLflow SQLite store holding one sweep: a parent run and ``--runs`` trial runs
(80 % COMPLETE, 20 % PRUNED), each with the tags and params a real trial carries, a per-epoch
history of ``--epochs`` x 3 metrics and its final metrics, written with one ``create_run`` and
one ``log_batch`` per run from ``--workers`` processes. Then it times:

- the query behind ``sweeps best`` (one sorted, limited ``search_runs``), in this process;
- the whole command ``sweeps best --experiment bench --top K --format json`` in a fresh process
  (Python start-up and imports included);
- a naive ranking that pages through every trial run and sorts in Python, for the ratio.

It checks that the command's best trial is the naive ranking's best.

Run: ``python benchmarks/best_query.py [--runs 10000] [--keep DIR]``. Not part of the test suite.
Building 10,000 runs takes a few minutes on 2 cores (MLflow spends ~40 ms of CPU per run).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

STUDY = "bench"
SPACE = {
    "learning_rate": '{"type":"float","low":0.0001,"high":0.1,"log":true,"step":null}',
    "width": '{"type":"int","low":8,"high":256,"log":true,"step":1}',
}
PROVENANCE = {f"sweeps.version.pkg{i}": f"1.{i}.0" for i in range(10)}


def fast_sqlite() -> None:
    """No fsync per commit while building the throw-away store (benchmark only)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _no_sync(dbapi_conn: object, _record: object) -> None:
        dbapi_conn.execute("PRAGMA synchronous=OFF")  # type: ignore[attr-defined]


def create_store(root: Path) -> tuple[str, str, str]:
    """Migrate a store, create the experiment and the sweep's parent run."""
    from mlflow import MlflowClient
    from mlflow.entities import Param

    from sweeps.infra.sqlite import enable_wal

    uri = f"sqlite:///{root / 'mlflow.db'}"
    enable_wal(root / "mlflow.db")
    client = MlflowClient(uri)
    exp = client.create_experiment(STUDY, artifact_location=(root / "artifacts").as_uri())
    tags = {"sweeps.role": "parent", "sweeps.study": STUDY, "sweeps.directions": "minimize"}
    parent = client.create_run(exp, run_name=STUDY, tags=tags).info.run_id
    params = [Param("metric", "val_loss")] + [Param(f"space.{k}", v) for k, v in SPACE.items()]
    client.log_batch(parent, params=params)
    return uri, exp, parent


def write_trials(args: tuple[str, str, str, range, int]) -> int:
    """Create the trial runs numbered ``numbers`` (one worker process)."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    uri, exp, parent, numbers, epochs = args
    fast_sqlite()
    client = MlflowClient(uri)
    now = int(time.time() * 1000)
    for number in numbers:
        rng = np.random.default_rng(number)
        complete = rng.random() < 0.8
        tags = {
            **PROVENANCE,
            "mlflow.parentRunId": parent,
            "sweeps.role": "trial",
            "sweeps.study": STUDY,
            "sweeps.trial_number": str(number),
            "sweeps.state": "COMPLETE" if complete else "PRUNED",
            "sweeps.data.fingerprint": "0" * 64,
        }
        run = client.create_run(exp, run_name=f"trial-{number:05d}", tags=tags)
        curve = np.sort(rng.random(epochs))[::-1]
        metrics = [
            Metric(name, float(value), now, step)
            for step, value in enumerate(curve, start=1)
            for name in ("train_loss", "val_loss", "val_accuracy")
        ]
        if complete:
            finals = {"val_loss": curve[-1], "train_loss": curve[-1], "n_params": 100}
            metrics += [Metric(k, float(v), now, 0) for k, v in finals.items()]
        params = [
            Param("learning_rate", repr(float(10 ** rng.uniform(-4, -1)))),
            Param("width", str(int(rng.integers(8, 257)))),
            Param("max_epochs", str(epochs)),
        ]
        client.log_batch(run.info.run_id, metrics=metrics, params=params)
    return len(numbers)


def build(root: Path, runs: int, epochs: int, workers: int) -> str:
    """The whole store; returns its URI."""
    uri, exp, parent = create_store(root)
    slices = [range(i, runs, workers) for i in range(workers)]
    start = time.perf_counter()
    with Pool(workers) as pool:
        done = sum(pool.map(write_trials, [(uri, exp, parent, s, epochs) for s in slices]))
    seconds = time.perf_counter() - start
    print(f"built {done} trial runs ({epochs} epochs x 3 metrics each) in {seconds:.0f} s")
    return uri


def time_query(uri: str, top: int, repeats: int) -> tuple[float, float, list]:
    """Seconds of the first query behind ``sweeps best`` (it may refresh SQLite's planner
    statistics) and the best of ``repeats`` more."""
    from sweeps.results.best import ranking_from_parent, top_trials
    from sweeps.tracking import open_existing

    tracker = open_existing(uri)
    ranking = ranking_from_parent(tracker, STUDY)
    times, trials = [], []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        trials = top_trials(tracker, ranking, top)
        times.append(time.perf_counter() - start)
    return times[0], min(times[1:]), trials


def time_command(uri: str, top: int) -> tuple[float, float, dict]:
    """Wall times of the CLI in a fresh process and of its imports alone, and its JSON output."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sweeps.cli"], check=True)
    imports = time.perf_counter() - start
    cmd = [sys.executable, "-c", "from sweeps.cli import main; main()", "best"]
    cmd += ["--experiment", STUDY, "--top", str(top)]
    cmd += ["--format", "json", "--tracking-uri", uri]
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, imports, json.loads(out.stdout)


def time_naive(uri: str) -> tuple[float, float]:
    """Page through every COMPLETE trial run and sort in Python; returns (seconds, best value)."""
    from mlflow import MlflowClient

    client = MlflowClient(uri)
    exp = client.get_experiment_by_name(STUDY).experiment_id
    where = "tags.`sweeps.role` = 'trial' and tags.`sweeps.state` = 'COMPLETE'"
    start = time.perf_counter()
    values, token = [], None
    while True:
        page = client.search_runs([exp], where, max_results=1000, page_token=token)
        values += [r.data.metrics["val_loss"] for r in page]
        token = page.token
        if not token:
            break
    return time.perf_counter() - start, min(values)


def main() -> None:
    """Build (or reuse) the store, time the three ways, print the figures and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Build the store here, or reuse it if present.")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="sweeps-best-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    if (root / "mlflow.db").exists():
        uri = f"sqlite:///{root / 'mlflow.db'}"
        print(f"reusing {uri}")
    else:
        uri = build(root, args.runs, args.epochs, args.workers)
    first_s, query_s, trials = time_query(uri, args.top, args.repeats)
    command_s, imports_s, doc = time_command(uri, args.top)
    naive_s, naive_best = time_naive(uri)
    assert doc["trials"][0]["value"] == naive_best == trials[0].value, "rankings disagree"
    print(f"first query (refreshes stale statistics): {first_s * 1000:8.1f} ms")
    print(f"query (top {args.top}, best of {args.repeats}):         {query_s * 1000:8.1f} ms")
    print(f"sweeps best --format json, fresh process: {command_s:8.2f} s")
    print(f"  of which importing sweeps.cli:          {imports_s:8.2f} s")
    print(f"naive: page all COMPLETE runs + sort:    {naive_s:8.2f} s")
    print(f"ratio naive / query: {naive_s / query_s:.0f}x")


if __name__ == "__main__":
    main()
