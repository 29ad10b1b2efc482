"""Peak memory of load + split + prepare on a large float table, as a multiple of the table's size.

    python benchmarks/data_memory.py                      # 1,000,000 x 100 floats from Parquet
    python benchmarks/data_memory.py --source generated   # from make_classification instead
    python benchmarks/data_memory.py --source csv         # from CSV (writing it takes minutes)
    python benchmarks/data_memory.py --rows 100000 --json # smaller, machine-readable

The measured step runs in a fresh subprocess, so its peak RSS counts only imports, load, split and
prepare. The file is written beforehand by this parent process. The
target (issue 3) is a peak under about 3x the table's in-memory size. Measured on 2 cores:
Parquet 2.46x, CSV 2.39x, generated 2.42x (of which the imports are 0.29x).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def write_table(path: Path, rows: int, cols: int, seed: int = 0) -> None:
    """Write ``rows`` x ``cols`` standard-normal floats and a binary ``target`` to ``path``."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.standard_normal((rows, cols)), copy=False)
    frame.columns = [f"x{i}" for i in range(cols)]
    frame["target"] = (frame["x0"].to_numpy() > 0).astype(np.int64)
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)


def measure(source: str, rows: int, cols: int, path: str | None) -> dict[str, float]:
    """Load, split and prepare in this process; return sizes (bytes), peak RSS and seconds."""
    from pipeline.data.preprocess import prepare
    from pipeline.data.sources import load_file, load_generated
    from pipeline.data.split import split_table

    baseline = _peak_rss()
    start = time.perf_counter()
    if source == "generated":
        table = load_generated("classification", n_samples=rows, n_features=cols)
    else:
        table = load_file(path, target="target")
    loaded = time.perf_counter()
    split = split_table(table, seed=0)
    data = prepare(table, split)
    done = time.perf_counter()
    table_bytes = int(table.X.memory_usage(index=True).sum() + table.y.memory_usage(index=True))
    return {
        "table_bytes": table_bytes,
        "baseline_rss": baseline,
        "peak_rss": _peak_rss(),
        "prepared_bytes": data.X_train.nbytes + data.X_val.nbytes,
        "load_seconds": loaded - start,
        "split_prepare_seconds": done - loaded,
    }


def run(source: str, rows: int, cols: int) -> dict[str, float]:
    """Write the file if needed, measure in a fresh subprocess, and add the peak ratios."""
    with tempfile.TemporaryDirectory() as tmp:
        path = None
        if source != "generated":
            path = Path(tmp) / f"table.{source}"
            write_table(path, rows, cols)
        command = [
            sys.executable,
            __file__,
            "--measure",
            "--source",
            source,
            "--rows",
            str(rows),
            "--cols",
            str(cols),
            "--path",
            str(path),
        ]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    result["peak_ratio"] = result["peak_rss"] / result["table_bytes"]
    extra = result["peak_rss"] - result["baseline_rss"]
    result["peak_ratio_above_imports"] = extra / result["table_bytes"]
    return result


def _peak_rss() -> int:
    """This process's peak resident set size in bytes.

    On Linux this is ``VmHWM`` from ``/proc/self/status``: ``getrusage``'s ``ru_maxrss`` is carried
    over from the parent through ``vfork`` + ``exec`` (a child of a process that once held 800 MiB
    reports at least 800 MiB), which would blame the parent's peak on the measured step.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) * 1024


def main() -> None:
    """Command line entry: print the figures (or JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=["parquet", "csv", "generated"], default="parquet")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=100)
    parser.add_argument("--path")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.source, args.rows, args.cols, args.path)))
        return
    result = run(args.source, args.rows, args.cols)
    if args.json:
        print(json.dumps(result))
        return
    mib = 1 << 20
    print(
        f"{args.source}: {args.rows:,} x {args.cols} floats, "
        f"table {result['table_bytes'] / mib:,.0f} MiB"
    )
    print(
        f"  peak RSS {result['peak_rss'] / mib:,.0f} MiB = {result['peak_ratio']:.2f}x the table "
        f"({result['peak_ratio_above_imports']:.2f}x above the "
        f"{result['baseline_rss'] / mib:,.0f} MiB of imports)"
    )
    print(
        f"  load {result['load_seconds']:.1f} s, split + prepare "
        f"{result['split_prepare_seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
