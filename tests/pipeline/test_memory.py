"""A 1,000,000 x 100 float table loads, splits and preprocesses under 3x its size (~30 s)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "data_memory.py"
MAX_PEAK_RATIO = 3.0


@pytest.mark.slow
def test_parquet_million_rows_peak_memory_under_three_times_the_table() -> None:
    command = [sys.executable, str(BENCHMARK), "--source", "parquet", "--json"]
    out = subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)
    result = json.loads(out.stdout)
    assert result["table_bytes"] >= 1_000_000 * 100 * 8
    assert result["peak_ratio"] < MAX_PEAK_RATIO, result
