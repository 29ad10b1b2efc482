"""Where a command's wall time goes, for ``benchmarks/sweep_throughput.py`` and
``benchmarks/cli_latency.py``.

With ``SWEEPS_TIMINGS=FILE`` set, each :func:`phase` adds its seconds to a table written to
FILE as JSON when the process ends: ``startup`` (interpreter start to the first phase: Python
and the ``sweeps`` group), ``command`` (every command: parsing, its imports, its work), and
the phases within it that a command marks (``imports``, ``load``, ``stores``, ``trials``,
...). Phases nest, so they do not add up to the wall time; what the process spends after
``command`` (its exit) is the wall time less ``startup`` and ``command``. Without the
variable, a phase costs two clock reads.
"""

from __future__ import annotations

import atexit
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["add", "phase"]

ENV = "SWEEPS_TIMINGS"
_seconds: dict[str, float] = {}
_first: list[float] = []


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Add the block's wall seconds to phase ``name``."""
    start = time.perf_counter()
    if not _first:
        _first.append(start)
    try:
        yield
    finally:
        _seconds[name] = _seconds.get(name, 0.0) + time.perf_counter() - start


def add(name: str, seconds: float) -> None:
    """Add ``seconds`` measured elsewhere to phase ``name``."""
    _seconds[name] = _seconds.get(name, 0.0) + seconds


def _write() -> None:
    path = os.environ.get(ENV)
    if not path or not _first:
        return
    startup = _first[0] - _process_start()
    Path(path).write_text(json.dumps({"startup": startup, **_seconds}, indent=1))


def _process_start() -> float:
    """perf_counter() at interpreter start, from the process's CPU-independent age."""
    with open("/proc/self/stat") as stat:
        ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as uptime:
        up = float(uptime.read().split()[0])
    age = up - ticks / os.sysconf("SC_CLK_TCK")
    return time.perf_counter() - age


atexit.register(_write)
