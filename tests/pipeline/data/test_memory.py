"""A 1,000,000 x 100 float table loads, splits and preprocesses under 3x its size (~30 s)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[3] / "benchmarks" / "data_memory.py"
MAX_PEAK_RATIO = 3.0


@pytest.mark.slow
def test_parquet_million_rows_peak_memory_under_three_times_the_table() -> None:
    command = [sys.executable, str(BENCHMARK), "--source", "parquet", "--json"]
    out = subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)
    result = json.loads(out.stdout)
    assert result["table_bytes"] >= 1_000_000 * 100 * 8
    assert result["peak_ratio"] < MAX_PEAK_RATIO, result


# A text column unique on every row must not be one-hot encoded into rows x levels: 28,000
# training rows would make a 3.1 GB float32 matrix. The fit runs in a child process whose address
# space is capped at 1 GiB above what it holds after loading, so a regression fails fast with a
# MemoryError instead of swapping; tracemalloc bounds what prepare() allocates.
PROBE = """
import json, resource, sys, tracemalloc
from pathlib import Path
import numpy as np, pandas as pd
from pipeline import build_table, prepare, split_table

n, options = 40_000, json.loads(sys.argv[1])
rng = np.random.default_rng(0)
frame = pd.DataFrame(rng.standard_normal((n, 5)), columns=[f"x{i}" for i in range(5)])
frame["id"] = [f"row-{i:06d}" for i in range(n)]
frame["label"] = np.where(frame["x0"] > 0, "yes", "no")
table = build_table(frame, target="label", task=None, name="ids", fingerprint="", **options)
split = split_table(table, seed=0)
status = Path("/proc/self/status").read_text().splitlines()
held = next(int(line.split()[1]) for line in status if line.startswith("VmSize:")) * 1024
resource.setrlimit(resource.RLIMIT_AS, (held + (1 << 30), held + (1 << 30)))
tracemalloc.start()
try:
    data = prepare(table, split)
except MemoryError:
    print(json.dumps({"memory_error": True}))
    raise SystemExit(0)
print(json.dumps({"peak": tracemalloc.get_traced_memory()[1], "features": data.n_features}))
"""


def run_probe(**options: object) -> dict[str, int]:
    """Prepare the 40,000-row identifier table in a capped child process; return its figures."""
    command = [sys.executable, "-c", PROBE, json.dumps(options)]
    out = subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmSize from /proc")
def test_identifier_text_column_fits_in_bounded_memory() -> None:
    result = run_probe()
    assert result["features"] == 5 + 1  # the id column is one (constant) infrequent feature
    assert result["peak"] < 64 << 20, result  # prepared arrays are 40,000 x 6 float32


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmSize from /proc")
def test_without_the_cap_the_probe_runs_out_of_its_address_space() -> None:
    assert run_probe(max_levels=None, min_level_rows=1) == {"memory_error": True}
