"""Start-up latency of the command line, side by side with Optuna's and MLflow's own CLIs.

A user waits for the whole process: interpreter start, imports, the command's work. This times
``sweeps --help``, ``sweeps status`` and ``sweeps best`` (on a finished 40-trial store made once
in a temporary folder) against ``optuna --help`` and ``mlflow --help`` in the same run, each
command repeated ``--repeat`` times, interleaved, and reports medians and ratios.

Goals (issue 12): ``sweeps --help`` under 0.5 s; ``status`` and ``best`` on a 40-trial store
under 1.5 s on this 2-core machine.

Run: ``python benchmarks/cli_latency.py [--repeat 7]``.
"""

from __future__ import annotations

import argparse
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


def make_store(folder: Path) -> tuple[str, str]:
    """Run a 40-trial quickstart (few epochs) into ``folder``; return its tracking URI and
    study storage URL."""
    uris = (f"sqlite:///{folder / 'mlflow.db'}", f"sqlite:///{folder / 'optuna.db'}")
    flags = ["--tracking-uri", uris[0], "--storage", uris[1]]
    sets = ["--set", "model.max_epochs=5", "--set", "selection.folds=1"]
    cmd = [str(BIN / "sweeps"), "run", str(ROOT / "conf/quickstart.yaml"), "--trials", "40"]
    subprocess.run([*cmd, "--quiet", *sets, *flags], check=True, capture_output=True)
    return uris


def commands(tracking_uri: str, storage: str) -> dict[str, list[str]]:
    """The timed command lines, by label."""
    config = str(ROOT / "conf/quickstart.yaml")
    sweeps = str(BIN / "sweeps")
    return {
        "optuna --help": [str(BIN / "optuna"), "--help"],
        "mlflow --help": [str(BIN / "mlflow"), "--help"],
        "sweeps --help": [sweeps, "--help"],
        "sweeps status (40 trials)": [sweeps, "status", config, "--storage", storage],
        "sweeps best (40 trials)": [sweeps, "best", config, "--tracking-uri", tracking_uri],
    }


def timed(cmd: list[str]) -> float:
    """Wall seconds of one run of ``cmd`` (which must succeed)."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sweeps-cli-latency-"))
    try:
        runs = commands(*make_store(folder))
        times: dict[str, list[float]] = {label: [] for label in runs}
        for _ in range(args.repeat):  # interleaved: a noisy moment hits every command
            for label, cmd in runs.items():
                times[label].append(timed(cmd))
        report(times, os.getloadavg()[0])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(times: dict[str, list[float]], load: float) -> None:
    """Medians, spread and the ratio to ``mlflow --help``."""
    reference = statistics.median(times["mlflow --help"])
    print(f"CLI latency, median of {len(next(iter(times.values())))} runs (load {load:.1f})")
    print(f"{'command':28} {'median s':>9} {'min s':>7} {'max s':>7} {'/ mlflow --help':>16}")
    for label, values in times.items():
        median = statistics.median(values)
        print(
            f"{label:28} {median:9.3f} {min(values):7.3f} {max(values):7.3f} "
            f"{median / reference:15.2f}x"
        )


if __name__ == "__main__":
    main()
