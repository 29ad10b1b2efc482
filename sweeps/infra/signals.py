"""SIGINT and SIGTERM end work cleanly: the running trial fails with reason ``interrupted``.

The handler raises :class:`~sweeps.errors.Interrupted` at once, and also remembers the signal:
an exception raised while Python runs a finalizer or a weakref callback is printed and dropped,
so the training loop and the worker loop call :func:`check` at safe points as well.
"""

from __future__ import annotations

import signal
from types import FrameType

from sweeps.errors import Interrupted

_received: list[int] = []


def _handler(signum: int, _frame: FrameType | None) -> None:
    _received.append(signum)
    raise Interrupted(signum)


def install() -> None:
    """Route SIGINT and SIGTERM to :class:`Interrupted` for this process."""
    _received.clear()
    signal.signal(signal.SIGINT, _handler)
    signal.signal(signal.SIGTERM, _handler)


def check() -> None:
    """Raise :class:`Interrupted` if a signal arrived and its exception may have been lost."""
    if _received:
        raise Interrupted(_received[-1])
