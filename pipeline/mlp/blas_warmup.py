"""One small matrix product, once per process, before the first epoch: OpenBLAS's single-thread
GEMM runs about 3x slower until some product has packed a wide right-hand side (here N=1024,
K=256: about 1 MB of its work buffer).

Measured with the numpy wheel's OpenBLAS 0.3.31 (Haswell kernels) on this project's 2-core
AMD EPYC machine, one BLAS thread: ``(4096, 256) @ (256, 256)`` in float32 takes 50 ms per call
until such a product has run in the process, then 14 ms, and stays there; one epoch of a
3x256 MLP on 100k x 50 goes from 7.4 s to 2.6 s. Results are bit-identical either way (only
the speed changes), and two BLAS threads do not show it. The product below costs under 2 ms,
and nothing on a BLAS without this behaviour.
"""

from __future__ import annotations

import functools

import numpy as np


@functools.cache
def warm_gemm_buffer() -> None:
    """Run one ``(64, 256) @ (256, 1024)`` float32 product (the first call in a process only)."""
    np.ones((64, 256), dtype=np.float32) @ np.ones((256, 1024), dtype=np.float32)
