"""Peak memory of ``sweeps predict`` on a large CSV, as a multiple of the file's size.

``sweeps predict`` streams its input: blocks of at most 65,536 rows (fewer for wide models: about
8 MiB per float64 work array) go through the model into a temporary output file, so memory
holds one block whatever the file's length. This writes a churn-like CSV of ``--rows`` rows
(2,000,000 by default: about 80 MB), scores it with a sweep's champion in a fresh process, and
reports that process's peak RSS beside the same command on 1,000 rows (the imports and the
model: what any predict costs). Goal (issues 22 and 23): the large file within 3x its size.

    python benchmarks/predict_memory.py [--rows 2000000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from predict_store import make_store, predict_command, write_rows

#: Runs the command in this interpreter and prints its peak RSS (VmHWM) when it exits.
WRAPPER = """
import atexit, sys
def peak():
    status = open("/proc/self/status").read().splitlines()
    kib = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    sys.stderr.write(f"PEAK {int(kib) * 1024}\\n")
atexit.register(peak)
from sweeps.cli import main
main(sys.argv[1:])
"""


def peak_of(command: list[str]) -> tuple[int, float]:
    """Peak RSS in bytes and wall seconds of ``sweeps`` ``command`` (its args after the
    program) run in a fresh interpreter."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command[1:]], capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - start
    line = next(x for x in done.stderr.splitlines() if x.startswith("PEAK "))
    return int(line.split()[1]), seconds


def run(rows: int) -> dict[str, float]:
    """Build the store and both files, then measure the small and the large predict."""
    with tempfile.TemporaryDirectory(prefix="sweeps-predict-memory-") as tmp:
        folder = Path(tmp)
        uri = make_store(folder)
        small, large = folder / "small.csv", folder / "large.csv"
        write_rows(small, 1_000)
        size = write_rows(large, rows)
        small_peak, small_s = peak_of(predict_command(small, uri, folder / "small-out.csv"))
        large_peak, large_s = peak_of(predict_command(large, uri, folder / "large-out.csv"))
    return {
        "rows": rows,
        "file_bytes": size,
        "peak_rss": large_peak,
        "peak_rss_1000_rows": small_peak,
        "peak_ratio": large_peak / size,
        "ratio_above_1000_rows": (large_peak - small_peak) / size,
        "seconds": large_s,
        "seconds_1000_rows": small_s,
    }


def main() -> None:
    """Command line entry: print the figures (or JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.rows)
    if args.json:
        print(json.dumps(result))
        return
    mib = 1 << 20
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"predict {args.rows:,} churn rows: file {result['file_bytes'] / mib:,.0f} MiB")
    print(
        f"  peak RSS {result['peak_rss'] / mib:,.0f} MiB = {result['peak_ratio']:.2f}x the file "
        f"({result['ratio_above_1000_rows']:.2f}x above the "
        f"{result['peak_rss_1000_rows'] / mib:,.0f} MiB of a 1,000-row predict); "
        f"{result['seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
