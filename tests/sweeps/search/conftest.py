"""Fixtures of the search tests."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from sweeps.infra import signals


@pytest.fixture
def sweeps_signals() -> Iterator[None]:
    """sweeps' SIGINT/SIGTERM handlers for one test, Python's defaults restored after it."""
    signals.install()
    try:
        yield
    finally:
        signals.install()  # forgets the signals received
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
