"""SIGINT and SIGTERM end work cleanly: the running trial fails with reason ``interrupted``.

The handler raises :class:`~sweeps.errors.Interrupted` at once, and also remembers the signal:
an exception raised while Python runs a finalizer or a weakref callback is printed and dropped,
so the training loop and the worker loop call :func:`check` at safe points as well. Inside
:func:`deferred` blocks (a trial's whole life in Optuna: created, its run opened, its run
closed, its end recorded) the handler only remembers a first signal: it is raised by the next
:func:`check`, once the trial and its run are on record or properly closed. An :func:`allowed`
block inside one (the training) raises at once again.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
from collections.abc import Iterator
from types import FrameType

from sweeps.errors import Interrupted

__all__ = ["allowed", "check", "deferred", "exit_quietly_on_signal", "install"]

_received: list[int] = []
_deferring: list[bool] = []  # innermost last: True in deferred(), False in allowed()


def _handler(signum: int, _frame: FrameType | None) -> None:
    _received.append(signum)
    if not (_deferring and _deferring[-1]) or len(_received) > 1:  # a second is never deferred
        raise Interrupted(signum)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Within the block a first signal is remembered, not raised; the next :func:`check` raises
    it (for work that must not stop halfway, such as creating or closing a run). A second
    signal raises at once, so a stuck block can always be interrupted."""
    _deferring.append(True)
    try:
        yield
    finally:
        _deferring.pop()


@contextlib.contextmanager
def allowed() -> Iterator[None]:
    """Within the block a signal raises at once, even inside a :func:`deferred` block (work
    that may stop anywhere, such as training); one remembered before it raises on entering."""
    check()
    _deferring.append(False)
    try:
        yield
    finally:
        _deferring.pop()


def install() -> None:
    """Route SIGINT and SIGTERM to :class:`Interrupted` for this process; SIGQUIT (Ctrl-\\)
    dumps every thread's stack to stderr, for a process that seems stuck."""
    _received.clear()
    with contextlib.suppress(OSError, ValueError):  # stderr without a file (captured output)
        faulthandler.register(signal.SIGQUIT, all_threads=True)
    signal.signal(signal.SIGINT, _handler)
    signal.signal(signal.SIGTERM, _handler)


def check() -> None:
    """Raise :class:`Interrupted` if a signal arrived and its exception may have been lost."""
    if _received:
        raise Interrupted(_received[-1])


def exit_quietly_on_signal() -> None:
    """Once a command's work is done and reported, SIGINT/SIGTERM end the process at once
    with status 0 (nothing is left to interrupt)."""

    def done(_signum: int, _frame: FrameType | None) -> None:
        os._exit(0)

    signal.signal(signal.SIGINT, done)
    signal.signal(signal.SIGTERM, done)
