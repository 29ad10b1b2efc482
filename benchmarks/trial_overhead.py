"""Where a sweep's overhead per trial goes: Optuna's storage calls inside a real sweep.

``sweep_throughput.py`` reports the overhead per trial, ``(trials - training) / n``, and
``optuna_floor.py`` what Optuna alone costs a trial on a bare objective. This one runs the
quickstart with the peer's work (one split, no ensemble) in a child process in which every
call sweeps' study makes to Optuna's storage (``optuna.storages._CachedStorage``, the layer
``optuna.Study`` talks to) is counted and timed, and prints, per storage method, the calls and
milliseconds per trial, beside the overhead per trial and the time the trials waited for the
tracking writer (``SWEEPS_TIMINGS``). What is left is sweeps' own work and Optuna's outside its
storage (sampling, pruning arithmetic).

A nested call (one storage method calling another) counts once, in the outer method. The
table covers the whole command: the few calls made before the first trial and by the
conclusion (about 0.3 per trial in a 40-trial sweep) are in it too.

Run: ``python benchmarks/trial_overhead.py [--trials 40]``.
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SETS = ("selection.folds=1", "selection.ensemble=false")


def _timed_storage(table: dict[str, list[float]]) -> None:
    """Time every public method of Optuna's cached storage into ``table`` (name -> [calls,
    seconds]); calls made inside another timed call are not counted again."""
    from optuna.storages._cached_storage import _CachedStorage

    depth = [0]

    def wrap(name: str, method: Any) -> Any:
        @functools.wraps(method)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if depth[0]:
                return method(*args, **kwargs)
            depth[0] += 1
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                depth[0] -= 1
                entry = table[name]
                entry[0] += 1
                entry[1] += time.perf_counter() - start

        return timed

    for name, method in list(vars(_CachedStorage).items()):
        if callable(method) and not name.startswith("__"):
            setattr(_CachedStorage, name, wrap(name, method))


def child(trials: int, out: str) -> None:
    """Run the sweep in this process with the storage timed; write the table to ``out``."""
    table: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0])
    _timed_storage(table)
    from sweeps.cli import main

    argv = ["run", str(ROOT / "conf/quickstart.yaml"), "--quiet", "--trials", str(trials)]
    for assignment in SETS:
        argv += ["--set", assignment]
    try:
        main(argv)  # exits with the command's code
    finally:
        Path(out).write_text(json.dumps(table))


def measure(trials: int) -> tuple[dict[str, list[float]], dict[str, float]]:
    """The storage table and the sweep's phase timings, from a child process."""
    with tempfile.TemporaryDirectory(prefix="sweeps-trial-overhead-") as tmp:
        table, timings = Path(tmp) / "table.json", Path(tmp) / "timings.json"
        cmd = [sys.executable, __file__, "--child", str(table), "--trials", str(trials)]
        env = {**os.environ, "SWEEPS_TIMINGS": str(timings)}
        subprocess.run(cmd, cwd=tmp, env=env, check=True, capture_output=True)
        return json.loads(table.read_text()), json.loads(timings.read_text())


def report(table: dict[str, list[float]], timings: dict[str, float], trials: int) -> None:
    """Print the table, per trial, beside the overhead it is part of."""
    overhead = 1000 * (timings["trials"] - timings["training"]) / trials
    storage = 1000 * sum(seconds for _, seconds in table.values()) / trials
    waits = 1000 * timings.get("writer.waits", 0.0) / trials
    print(f"overhead per trial {overhead:.1f} ms ((trials - training) / {trials})")
    print(f"  Optuna storage calls {storage:.1f} ms ({storage / overhead:.0%})")
    print(f"  waits for the tracking writer {waits:.1f} ms ({waits / overhead:.0%})")
    rest = overhead - storage - waits
    print(f"  the rest (sampling, pruning, sweeps' own work) {rest:.1f} ms ({rest / overhead:.0%})")
    print(f"{'storage method':38} {'calls/trial':>11} {'ms/trial':>9} {'ms/call':>8}")
    for name, (calls, seconds) in sorted(table.items(), key=lambda kv: -kv[1][1]):
        per_call = 1000 * seconds / calls if calls else 0.0
        print(f"{name:38} {calls / trials:11.2f} {1000 * seconds / trials:9.2f} {per_call:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.trials, args.child)
        return
    print(f"load average (1 min): {os.getloadavg()[0]:.1f}")
    table, timings = measure(args.trials)
    report(table, timings, args.trials)


if __name__ == "__main__":
    main()
