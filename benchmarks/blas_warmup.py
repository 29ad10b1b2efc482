"""A single-thread float32 GEMM before and after the one-off product of
``pipeline/mlp/blas_warmup.py``, each side in a fresh process (the slow state is per process).

Every process times ``(4096, 256) @ (256, 256)`` a few times with one BLAS thread; the "warmed"
one first runs :func:`pipeline.mlp.blas_warmup.warm_gemm_buffer` (timed too). Prints the best
call of each and their ratio; on a BLAS without the slow start the ratio is about 1.

    python benchmarks/blas_warmup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

PROBE = """
import json, sys, time
import numpy as np
from threadpoolctl import threadpool_limits
from pipeline.mlp.blas_warmup import warm_gemm_buffer

with threadpool_limits(limits=1, user_api="blas"):
    a = np.ones((4096, 256), dtype=np.float32)
    b = np.ones((256, 256), dtype=np.float32)
    out = np.empty((4096, 256), dtype=np.float32)
    start = time.perf_counter()
    if sys.argv[1] == "warmed":
        warm_gemm_buffer()
    warm = time.perf_counter() - start
    calls = []
    for _ in range(int(sys.argv[2])):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        calls.append(time.perf_counter() - start)
print(json.dumps({"warm_up": warm, "best": min(calls)}))
"""


def measure(kind: str, repeat: int) -> dict[str, float]:
    """The warm-up's time and the best GEMM call of one fresh process (``cold`` or ``warmed``)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, kind, str(repeat)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    """Print the cold and warmed GEMM times and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="GEMM calls per process")
    args = parser.parse_args()
    cold, warmed = measure("cold", args.repeat), measure("warmed", args.repeat)
    print(f"cold   (4096,256)@(256,256) f32, 1 thread: {cold['best'] * 1e3:7.2f} ms (best call)")
    print(f"warmed (4096,256)@(256,256) f32, 1 thread: {warmed['best'] * 1e3:7.2f} ms (best call)")
    print(f"the warm-up product itself: {warmed['warm_up'] * 1e3:.2f} ms")
    print(f"cold / warmed: {cold['best'] / warmed['best']:.1f}x")


if __name__ == "__main__":
    main()
