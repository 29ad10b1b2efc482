"""Latency of the command line, side by side with Optuna's and MLflow's own CLIs.

A user waits for the whole process: interpreter start, imports, the command's work, its exit.
In one run this times, each line repeated ``--repeat`` times and interleaved (a noisy moment
hits every line alike):

- ``optuna --help`` and ``mlflow --help`` (the references), and ``sweeps --help``;
- every ``sweeps COMMAND --help`` and one usage mistake per command (exit 2);
- the read-only commands on a finished 100-trial sweep (``status``, ``list``, ``best``,
  ``compare`` of two trials, ``export``) and ``predict`` of 1,000 rows with its champion.

Reports the median wall seconds, min and max, the ratio to ``optuna --help`` and, from
``SWEEPS_TIMINGS``, how much of the median the command itself took (the rest is the
interpreter's start and exit). Goals (issue 23): every ``--help`` at most 1x ``optuna --help``;
the read-only commands at most 2x; ``predict`` at most 3x.

Run: ``python benchmarks/cli_latency.py [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONFIG = str(ROOT / "conf/quickstart.yaml")
SWEEPS = str(BIN / "sweeps")
#: One usage mistake per command: click's (a missing argument, a bad value) or the command's.
USAGE = {
    "run": ["run"],
    "init": ["init"],
    "worker": ["worker"],
    "status": ["status", "--set", "seed=1"],
    "list": ["list", "--format", "nope"],
    "best": ["best", "--experiment", "x", "--set", "seed=1"],
    "compare": ["compare", "a"],
    "export": ["export"],
    "predict": ["predict", "rows.csv"],
    "reproduce": ["reproduce"],
    "ui": ["ui", "--port", "0"],
    "report": ["report", "--study", "s"],
    "dashboard": ["dashboard"],
}
GOALS = {"help": 1.0, "usage": 1.0, "read": 2.0, "predict": 3.0}


def make_store(folder: Path) -> tuple[str, str]:
    """A finished 100-trial quickstart (5 epochs, one split) in ``folder/mlruns`` and 1,000
    raw rows of its table in ``folder/rows.csv``; returns the run ids of its two best trials."""
    sets = ["model.max_epochs=5", "selection.folds=1"]
    cmd = [SWEEPS, "run", CONFIG, "--trials", "100", "--quiet"]
    for assignment in sets:
        cmd += ["--set", assignment]
    subprocess.run(cmd, cwd=folder, check=True, capture_output=True)
    rows = (
        "import numpy as np, pandas as pd; from sklearn.datasets import load_breast_cancer\n"
        "b = load_breast_cancer(); frame = pd.DataFrame(b.data, columns=b.feature_names)\n"
        "rng = np.random.default_rng(0)\n"
        "frame.iloc[rng.integers(0, len(frame), 1000)].to_csv('rows.csv', index=False)\n"
    )
    subprocess.run([sys.executable, "-c", rows], cwd=folder, check=True)
    best = subprocess.run(
        [SWEEPS, "best", CONFIG, "--top", "2", "--format", "json"],
        cwd=folder, check=True, capture_output=True, text=True,
    )  # fmt: skip
    first, second = (t["run_id"] for t in json.loads(best.stdout)["trials"][:2])
    return first, second


def commands(first: str, second: str) -> dict[str, tuple[str, list[str]]]:
    """The timed command lines, by label: ``(kind, argv)``."""
    from sweeps.commands import COMMANDS

    lines: dict[str, tuple[str, list[str]]] = {
        "optuna --help": ("ref", [str(BIN / "optuna"), "--help"]),
        "mlflow --help": ("ref", [str(BIN / "mlflow"), "--help"]),
        "sweeps --help": ("help", [SWEEPS, "--help"]),
    }
    for name in COMMANDS:
        lines[f"{name} --help"] = ("help", [SWEEPS, name, "--help"])
    for name in COMMANDS:
        lines[f"{name}: usage error"] = ("usage", [SWEEPS, *USAGE[name]])
    lines["status (100 trials)"] = ("read", [SWEEPS, "status", CONFIG])
    lines["list"] = ("read", [SWEEPS, "list"])
    lines["best (100 trials)"] = ("read", [SWEEPS, "best", CONFIG])
    lines["compare two trials"] = ("read", [SWEEPS, "compare", first, second])
    lines["export (trial 0)"] = ("read", [SWEEPS, "export", CONFIG, "--trial", "0"])
    lines["predict 1,000 rows"] = ("predict", [SWEEPS, "predict", "rows.csv", "--config", CONFIG])
    return lines


class Failed(Exception):
    """A command line exited with an unexpected code."""


def timed(kind: str, cmd: list[str], folder: Path) -> tuple[float, float | None]:
    """Wall seconds of one run of ``cmd`` in ``folder``, and the seconds its command took
    (``SWEEPS_TIMINGS``; None for the reference CLIs). A usage mistake must exit 2, anything
    else 0 (else :class:`Failed`)."""
    timings = folder / "timings.json"
    timings.unlink(missing_ok=True)
    env = {**os.environ, "SWEEPS_TIMINGS": str(timings)}
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=folder, env=env, capture_output=True)
    wall = time.perf_counter() - start
    expected = 2 if kind == "usage" else 0
    if done.returncode != expected:
        last = (done.stderr.decode().strip().splitlines() or ["(no message)"])[-1]
        raise Failed(f"exit {done.returncode}: {last}")
    command = json.loads(timings.read_text()).get("command") if timings.exists() else None
    return wall, command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sweeps-cli-latency-"))
    try:
        runs = commands(*make_store(folder))
        for label, (kind, cmd) in list(runs.items()):  # once untimed: warm caches, drop failures
            try:
                timed(kind, cmd, folder)
            except Failed as exc:
                print(f"not measured: {label}: {exc}")
                del runs[label]
        walls: dict[str, list[float]] = {label: [] for label in runs}
        inner: dict[str, list[float]] = {label: [] for label in runs}
        load = os.getloadavg()[0]
        for _ in range(args.repeat):  # interleaved: a noisy moment hits every command
            for label, (kind, cmd) in runs.items():
                wall, command = timed(kind, cmd, folder)
                walls[label].append(wall)
                if command is not None:
                    inner[label].append(command)
        report(runs, walls, inner, (load, os.getloadavg()[0]))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(
    runs: dict[str, tuple[str, list[str]]],
    walls: dict[str, list[float]],
    inner: dict[str, list[float]],
    load: tuple[float, float],
) -> None:
    """Medians, spread, the command's own share, and the ratio to ``optuna --help``."""
    reference = statistics.median(walls["optuna --help"])
    repeat = len(walls["optuna --help"])
    print(f"CLI latency, median of {repeat} runs (load average {load[0]:.1f} -> {load[1]:.1f})")
    print(f"{'command':28} {'median s':>9} {'min s':>7} {'max s':>7} {'command s':>10} "
          f"{'/ optuna --help':>16} {'goal':>6}")  # fmt: skip
    worst: dict[str, float] = {}
    for label, values in walls.items():
        kind = runs[label][0]
        median = statistics.median(values)
        own = f"{statistics.median(inner[label]):10.3f}" if inner[label] else f"{'':10}"
        goal = f"{GOALS[kind]:5.0f}x" if kind in GOALS else ""
        ratio = median / reference
        worst[kind] = max(worst.get(kind, 0.0), ratio)
        print(f"{label:28} {median:9.3f} {min(values):7.3f} {max(values):7.3f} {own} "
              f"{ratio:15.2f}x {goal:>6}")  # fmt: skip
    print("worst ratio by kind: " + ", ".join(
        f"{kind} {worst[kind]:.2f}x (goal {goal:.0f}x)"
        for kind, goal in GOALS.items() if kind in worst
    ))  # fmt: skip


if __name__ == "__main__":
    main()
