"""Measure how much wall time goes into MLflow calls."""

from __future__ import annotations

import functools
import time
from typing import Any

from mlflow import MlflowClient


class TimedClient:
    """An ``MlflowClient`` proxy that adds the duration of every call to ``seconds``."""

    def __init__(self, client: MlflowClient) -> None:
        self._client = client
        self.seconds = 0.0
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += 1

        return timed
