"""Sweep throughput, whole process against whole process: ``sweeps run conf/quickstart.yaml``
as a user runs it, against a naive peer script (``naive_peer.py``: Optuna TPE + scikit-learn's
``MLPClassifier.partial_fit`` + per-epoch ``mlflow.log_metric``, then the best retrained,
tested and logged as a model), same trial count, epoch cap (80) and patience (10).

Our sweep runs in two modes, each against the same peer runs:

- ``default``: the quickstart file as shipped. On breast cancer (fewer than 2,000 non-test rows)
  that means 5-fold cross-validation per trial (five models per trial where the peer trains
  one) and a champion chosen by ensemble selection over the top trials' out-of-fold
  predictions;
- ``one-split``: the same work as the peer (``selection.folds=1``, ``selection.ensemble=false``):
  one model per trial on one validation split, the best trial's model kept as trained.

Each side runs as its own process in a fresh folder (new stores: the first sweep of a project;
our empty-store template lives in this run's own cache, warmed by one sweep first), several
sweep seeds, interleaved. Reports:

- the **whole-process** ratio of trials per minute (start-up and conclusion included);
- the **in-process** ratio (the trials alone, as the old in-process benchmark measured);
- where our wall time goes (``SWEEPS_TIMINGS``): every phase the command recorded (start-up,
  imports, loading data, stores, trials, the conclusion's parts), the MLP's own training time
  (epochs), and derived from them: the overhead per trial, ``(trials - training) / n`` (what
  Optuna, MLflow and the writer cost a trial), the fixed costs before the first trial, the
  time after the last one (the conclusion) and the process's exit (wall time less
  ``startup`` and ``command``).
- the floor under the overhead per trial (``optuna_floor.py``): what Optuna alone costs a
  trial with the same space, sampler and pruner, on its in-memory storage and on a SQLite
  file set up as ours, and what sweeps adds above it (``trial_overhead.py`` splits our own
  overhead per trial into Optuna's storage calls, the waits for the tracking writer and the
  rest).

Run: ``python benchmarks/sweep_throughput.py [--trials 40] [--seeds 3] [--modes MODE,...]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from optuna_floor import floors

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MODES = {
    "default": [],
    "one-split": ["selection.folds=1", "selection.ensemble=false"],
}
BEFORE_TRIALS = ("startup", "imports", "load", "stores")


def run_ours(
    folder: Path, trials: int, seed: int, env: dict[str, str], sets: list[str]
) -> dict[str, float]:
    """``sweeps run`` in ``folder`` with ``--set`` overrides ``sets``; its wall time and phase
    timings."""
    folder.mkdir(parents=True)
    timings = folder / "timings.json"
    cmd = [str(BIN / "sweeps"), "run", str(ROOT / "conf/quickstart.yaml"), "--quiet"]
    cmd += ["--trials", str(trials), "--set", f"seed={seed}"]
    for assignment in sets:
        cmd += ["--set", assignment]
    start = time.perf_counter()
    subprocess.run(cmd, cwd=folder, env={**env, "SWEEPS_TIMINGS": str(timings)}, check=True,
                   capture_output=True)  # fmt: skip
    wall = time.perf_counter() - start
    return {"wall": wall, **json.loads(timings.read_text())}


def run_peer(folder: Path, trials: int, seed: int, env: dict[str, str]) -> dict[str, float]:
    """The peer script in ``folder``; its wall time and phase timings."""
    folder.mkdir(parents=True)
    cmd = [sys.executable, "-W", "ignore", str(ROOT / "benchmarks/naive_peer.py")]
    start = time.perf_counter()
    done = subprocess.run([*cmd, str(folder), str(trials), str(seed)], cwd=folder, env=env,
                          check=True, capture_output=True, text=True)  # fmt: skip
    wall = time.perf_counter() - start
    return {"wall": wall, **json.loads(done.stdout.strip().splitlines()[-1])}


def rate(trials: int, seconds: list[float]) -> float:
    """Trials per minute over all runs."""
    return 60 * trials * len(seconds) / sum(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--modes", default=",".join(MODES), help="our modes, comma-separated")
    args = parser.parse_args()
    modes = args.modes.split(",")
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="sweeps-throughput-") as tmp:
        env = {**os.environ, "SWEEPS_CACHE_DIR": f"{tmp}/cache"}
        env.pop("MLFLOW_TRACKING_URI", None)
        run_ours(Path(tmp) / "warm", 2, 0, env, [])  # the empty-store template, made once
        ours: dict[str, list[dict]] = {mode: [] for mode in modes}
        peer = []
        for seed in range(args.seeds):
            for mode in modes:
                folder = Path(tmp) / f"{mode}-{seed}"
                ours[mode].append(run_ours(folder, args.trials, seed, env, MODES[mode]))
            peer.append(run_peer(Path(tmp) / f"peer-{seed}", args.trials, seed, env))
        floor = floors(args.trials)
    print(f"load average (1 min): {load:.1f} before, {os.getloadavg()[0]:.1f} after")
    for mode in modes:
        print(f"\n== ours: {mode} ({' '.join(MODES[mode]) or 'the quickstart file as is'})")
        report(args, ours[mode], peer, floor)


def report(
    args: argparse.Namespace, ours: list[dict], peer: list[dict], floor: dict[str, float]
) -> None:
    """The ratios and our breakdown."""
    n = args.trials
    print(f"{args.seeds} sweeps x {n} trials each side")
    whole = rate(n, [r["wall"] for r in ours]) / rate(n, [r["wall"] for r in peer])
    inner = rate(n, [r["trials"] for r in ours]) / rate(n, [r["trials"] for r in peer])
    for name, runs in (("ours", ours), ("peer", peer)):
        walls = ", ".join(f"{r['wall']:.1f}" for r in runs)
        whole_rate, trial_rate = (
            rate(n, [r["wall"] for r in runs]),
            rate(n, [r["trials"] for r in runs]),
        )
        print(f"{name}: {whole_rate:6.1f} trials/min whole process (walls {walls} s), "
              f"{trial_rate:6.1f} in the trials")  # fmt: skip
    print(f"whole-process ratio (ours / peer)  {whole:.2f}x   (goal >= 6x)")
    print(f"in-process ratio (trials only)     {inner:.2f}x")
    print("our wall time, median seconds per sweep:")
    phases = [p for p in dict.fromkeys(k for r in ours for k in r) if p not in ("wall", "best")]
    for phase in phases:
        values = [r.get(phase, 0.0) for r in ours]
        print(f"  {phase:20} {statistics.median(values):7.2f}")
    print_derived(ours, n, floor)
    wall = statistics.median(r["wall"] for r in ours)
    training = statistics.median(r.get("training", float("nan")) for r in ours)
    print(f"  {'wall':10} {wall:7.2f}   wall / training {wall / training:.2f}x (goal <= 2x)")
    bests = [(r["best"] if "best" in r else float("nan")) for r in peer]
    print(f"peer best val_loss per seed {', '.join(f'{b:.4f}' for b in bests)}")


def print_derived(ours: list[dict], n: int, floor: dict[str, float]) -> None:
    """Overhead per trial, fixed costs before the first trial, the conclusion, the exit."""
    before = [sum(r.get(p, 0.0) for p in BEFORE_TRIALS) for r in ours]
    per_trial = [(r["trials"] - r["training"]) / n for r in ours]
    ends = [r["startup"] + r["command"] for r in ours]  # the command's last line
    after = [e - b - r["trials"] for r, b, e in zip(ours, before, ends, strict=True)]
    leaving = [r["wall"] - e for r, e in zip(ours, ends, strict=True)]
    rows = {
        "overhead per trial": (statistics.median(per_trial) * 1000, "ms", "(goal <= 15 ms)"),
        "before the 1st trial": (statistics.median(before), "s", ""),
        "after the last trial": (statistics.median(after), "s", "(the conclusion)"),
        "process exit": (statistics.median(leaving), "s", ""),
    }
    fixed = statistics.median(b + a + e for b, a, e in zip(before, after, leaving, strict=True))
    rows["fixed costs, all"] = (fixed, "s", "(goal <= 3 s)")
    for name, (value, unit, note) in rows.items():
        print(f"  {name:20} {value:7.2f} {unit:2} {note}")
    overhead = statistics.median(per_trial) * 1000
    print(f"  Optuna alone per trial: {floor['sqlite']:.1f} ms on SQLite as ours, "
          f"{floor['memory']:.1f} ms in memory; ours above Optuna on SQLite: "
          f"{overhead - floor['sqlite']:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
