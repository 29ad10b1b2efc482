"""One small matrix product, once per process, before the first epoch.

OpenBLAS's single-thread GEMM can run several times slower until some product in the process has
packed a wide right-hand side into its work buffer (here N=1024, K=256: about 1 MB of it); from
then on it stays fast. So the first epochs of a fit would pay for a state of the library, not
for the network. Results are bit-identical either way (only the speed changes), two BLAS threads
do not show it, and the product below is cheap and harmless on a BLAS without this behaviour.
The measured figures: README (Benchmarks) and ``benchmarks/blas_warmup.py``.
"""

from __future__ import annotations

import functools

import numpy as np


@functools.cache
def warm_gemm_buffer() -> None:
    """Run one ``(64, 256) @ (256, 1024)`` float32 product (the first call in a process only)."""
    np.ones((64, 256), dtype=np.float32) @ np.ones((256, 1024), dtype=np.float32)
