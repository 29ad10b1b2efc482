"""Measure how much wall time goes into MLflow calls, name the store when one fails, and upload
a run's artifacts without reading the run back."""

from __future__ import annotations

import functools
import shutil
import time
from typing import Any

from mlflow import MlflowClient
from mlflow.entities import Run
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

from sweeps.tracking.failures import store_failure

__all__: list[str] = []  # nothing here for other packages


class TimedClient:
    """An ``MlflowClient`` proxy that adds the duration of every call to ``seconds``; a call
    that fails because store ``uri`` is unreachable or unwritable raises
    :class:`~sweeps.errors.StoreError` (see :func:`~sweeps.tracking.failures.store_failure`)."""

    def __init__(self, client: MlflowClient, uri: str | None = None) -> None:
        self._client = client
        self._uri = uri or str(client.tracking_uri)
        self.seconds = 0.0
        self.calls = 0
        self._artifact_uris: dict[str, str] = {}  # runs created here, until their upload

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr
        return self._timed(attr, name)

    def _timed(self, call: Any, name: str) -> Any:
        @functools.wraps(call)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return call(*args, **kwargs)
            except Exception as exc:
                failure = store_failure(exc, self._uri, name)
                if failure is None:
                    raise
                raise failure from exc
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += 1

        return timed

    def create_run(self, *args: Any, **kwargs: Any) -> Run:
        """``MlflowClient.create_run``; the run's artifact location is kept for its upload."""
        run: Run = self.__getattr__("create_run")(*args, **kwargs)
        self._artifact_uris[run.info.run_id] = run.info.artifact_uri
        return run

    def set_terminated(self, run_id: str, *args: Any, **kwargs: Any) -> None:
        """``MlflowClient.set_terminated``; a run closed without artifacts is forgotten too."""
        self._artifact_uris.pop(run_id, None)
        self.__getattr__("set_terminated")(run_id, *args, **kwargs)

    def upload_and_remove(self, run_id: str, folder: str) -> None:
        """Upload ``folder``'s files as artifacts of ``run_id``, then delete the folder.

        A run created through this client is uploaded to the artifact location its creation
        returned (``log_artifacts`` would read the whole run back to find it: a trial's
        params, tags and metrics, once per trial)."""
        uri = self._artifact_uris.pop(run_id, None)
        try:
            if uri is None:
                self.log_artifacts(run_id, folder)
            else:
                repository = get_artifact_repository(uri, tracking_uri=self._client.tracking_uri)
                self._timed(repository.log_artifacts, "log_artifacts")(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
