"""Wall time of ``sweeps predict`` on 1,000 rows, beside ``optuna --help`` and the imports that
any predict needs, in one run.

The champion of a small churn sweep (made once in a temporary folder) scores a 1,000-row CSV
(``--model``: no sweep file to read). Beside it, in the same run and interleaved: ``python -c
pass`` (the interpreter), ``optuna --help``, and the modules predict imports, imported as it does
(the collector off): MLflow's client and its SQL stores (to find and download the model),
scikit-learn's preprocessing, our MLP and skops (to load it), pandas (to read rows). What is left
beyond that floor is predict's own work. Goal (issue 23): at most 3x ``optuna --help``.

    python benchmarks/predict_latency.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from predict_store import BIN, make_store, predict_command, write_rows

FLOOR = (  # the modules predict imports, imported as sweeps imports a command's libraries
    "from sweeps.infra import heap\n"
    "with heap.importing():\n"
    "    import sweeps.results.predict, sweeps.results.scored_output, sweeps.spec.reading\n"
    "    import mlflow.store.tracking.sqlalchemy_store\n"
    "    import mlflow.store.model_registry.sqlalchemy_store\n"
    "    from sweeps.tracking.trusted import _skops_io\n"
    "    _skops_io()\n"
    "heap.finish()\n"
)


def commands(uri: str, rows: Path, out: Path) -> dict[str, list[str]]:
    """The timed command lines, by label."""
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "optuna --help": [str(BIN / "optuna"), "--help"],
        "imports predict needs": [sys.executable, "-c", FLOOR],
        "sweeps predict 1,000 rows": predict_command(rows, uri, out),
    }


def timed(cmd: list[str]) -> float:
    """Wall seconds of one run of ``cmd`` (which must succeed)."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    """Command line entry: medians of ``--repeat`` interleaved runs, and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sweeps-predict-latency-") as tmp:
        folder = Path(tmp)
        uri = make_store(folder)
        rows = folder / "rows.csv"
        write_rows(rows, 1_000)
        timed_commands = commands(uri, rows, folder / "out.csv")
        times: dict[str, list[float]] = {label: [] for label in timed_commands}
        for _ in range(args.repeat):
            for label, cmd in timed_commands.items():
                times[label].append(timed(cmd))
    medians = {label: statistics.median(values) for label, values in times.items()}
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"median of {args.repeat}")  # fmt: skip
    optuna = medians["optuna --help"]
    for label, seconds in medians.items():
        print(f"  {label:28s} {seconds:6.2f} s  {seconds / optuna:5.1f}x optuna --help")
    extra = medians["sweeps predict 1,000 rows"] - medians["imports predict needs"]
    print(f"  predict beyond its imports   {extra:6.2f} s")


if __name__ == "__main__":
    main()
