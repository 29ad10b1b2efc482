"""Measure how much wall time goes into MLflow calls."""

from __future__ import annotations

import functools
import shutil
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

    def upload_and_remove(self, run_id: str, folder: str) -> None:
        """Upload ``folder``'s files as artifacts of ``run_id``, then delete the folder."""
        try:
            self.log_artifacts(run_id, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
