"""The one place sweeps limits BLAS threads (trials, reproductions, benchmarks)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

__all__ = ["blas_limit"]


@contextmanager
def blas_limit(n: int | None) -> Iterator[None]:
    """Limit BLAS to ``n`` threads in this process for the block (None leaves it alone)."""
    if n is None:
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield
