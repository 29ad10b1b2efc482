"""Work done by a forked child while the parent goes on (drawing plots at a sweep's end).

The child inherits what it needs by fork (nothing is pickled), ignores the terminal's Ctrl-C
(the parent handles it) and reports a failure as its exit code, never as a traceback on the
user's terminal; it must not touch the stores. The parent asks :meth:`ForkedJob.succeeded` when
it needs the result and does the work itself if the child failed.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable

from sweeps.infra.heap import settle

__all__ = ["ForkedJob"]

JOIN_TIMEOUT_S = 600.0


class ForkedJob:
    """``work()`` running in a forked child process."""

    def __init__(self, work: Callable[[], None], name: str) -> None:
        context = multiprocessing.get_context("fork")
        self._proc = context.Process(target=_child, args=(work,), name=name, daemon=True)
        settle()  # neither process's collector then copies the pages they share
        self._proc.start()

    def succeeded(self, timeout: float = JOIN_TIMEOUT_S) -> bool:
        """Wait for the child (killed after ``timeout`` seconds); whether it finished cleanly."""
        self._proc.join(timeout)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join()
        return self._proc.exitcode == 0

    def alive(self) -> bool:
        """Whether the child still runs."""
        return self._proc.is_alive()

    def cancel(self) -> None:
        """Stop the child if it still runs (its work is abandoned: the caller is failing)."""
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join()


def _child(work: Callable[[], None]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        work()
    except BaseException:
        os._exit(1)
