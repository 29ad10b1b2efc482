"""Running `sweeps` commands in a child process whose address space is capped, so that a sweep
file asking for terabytes fails the test with a MemoryError instead of swapping the machine.

The child imports everything a command uses, then caps its address space at what it holds plus
:data:`HEADROOM`, runs each job in turn and prints one JSON result per job.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HEADROOM = 1 << 30  # 1 GiB above what the child holds once its imports are done

CHILD = """
import contextlib, io, json, os, resource, sys
from pathlib import Path
import mlflow, optuna, pandas, sklearn  # imported before the cap: they are not under test
import sweeps.commands.reproduce, sweeps.commands.run
# what those commands import when they run
import sweeps.commands.show, sweeps.reproduce.retrain, sweeps.results.conclude, sweeps.search.launch
from sweeps.cli import main
from sweeps.spec.reading import load_config

jobs, headroom = json.loads(sys.argv[1]), int(sys.argv[2])
status = Path("/proc/self/status").read_text().splitlines()
held = next(int(line.split()[1]) for line in status if line.startswith("VmSize:")) * 1024
resource.setrlimit(resource.RLIMIT_AS, (held + headroom, held + headroom))


def run(job):
    os.chdir(job.get("cwd", "."))
    out, err = io.StringIO(), io.StringIO()
    result = {"code": 0, "error": None}
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            if job["mode"] == "validate":
                load_config(job["args"][0])
            else:
                main(job["args"])
        except SystemExit as exc:
            result["code"] = exc.code
        except BaseException as exc:  # MemoryError above all: what the cap turns swapping into
            result["error"] = f"{type(exc).__name__}: {exc}"[:300]
    return {**result, "out": out.getvalue(), "err": err.getvalue()}


results = [run(job) for job in jobs]
try:
    bytearray(2 * headroom)
    control = "allocated"
except MemoryError:
    control = "MemoryError"
print(json.dumps({"results": results, "control": control}))
"""


def run_capped(jobs: list[dict[str, Any]], cwd: Path, timeout: float = 300) -> dict[str, Any]:
    """Run ``jobs`` (``{"mode": "cli" | "validate", "args": [...], "cwd": ...}``) in one
    capped child;
    return ``{"results": [{code, error, out, err}, ...], "control": ...}``."""
    command = [sys.executable, "-c", CHILD, json.dumps(jobs), str(HEADROOM)]
    done = subprocess.run(
        command, cwd=cwd, check=True, capture_output=True, text=True, timeout=timeout
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
