"""When a tracking store fails: bounded waits, one named error, no secret and no flood of lines.

MLflow retries an unreachable server for minutes (7 retries, exponential back-off up to 2
minutes, 120 s timeouts) and urllib3 logs a warning per retry. :func:`bound_http` sets, for this
process and the processes it starts, unless the user set them:

- ``MLFLOW_HTTP_REQUEST_MAX_RETRIES=3``, ``..._BACKOFF_FACTOR=1``, ``..._BACKOFF_JITTER=0.5``,
  ``..._TIMEOUT=20``: a request to a server that refuses connections (killed) fails after about
  7 s (waits of 0, 2 and 4 s); one that does not answer at all after at most 4 x 20 s + 7.5 s,
  about 90 s;
- ``MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT=true`` (always): MLflow's own ``View run ... at:
  URL`` lines print the tracking URI with its password, and cost a request per run.

urllib3's retry warnings and MLflow's logged tracebacks of database errors are silenced: the
failure reaches the user once, as a :class:`~sweeps.errors.StoreError` naming the store
(redacted), through :func:`store_failure`.
"""

from __future__ import annotations

import logging
import os
import re

from mlflow.exceptions import MlflowException

from sweeps.errors import StoreError
from sweeps.infra.urls import redact, redact_text

__all__: list[str] = []  # nothing here for other packages

HTTP_BOUNDS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "3",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER": "0.5",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "20",
}
QUIET_LOGGERS = {"urllib3.connectionpool": logging.ERROR, "mlflow.store.db.utils": logging.CRITICAL}
#: How MLflow words a request that never got an answer (refused, timed out, reset, 5xx).
_UNREACHABLE = re.compile(r"^API request to \S+ failed with (timeout )?exception")
_CAUSE = re.compile(r"\[Errno -?\d+\] ([^\"')]+)|(Read timed out|timed out|too many \d+ error)")
#: Client methods that write files (an OSError there means the artifact store is unwritable).
FILE_WRITES = frozenset({"log_artifact", "log_artifacts", "log_dict", "log_text", "log_image"})


def bound_http() -> None:
    """Bound MLflow's HTTP retries (unless set) and keep its run URLs and retry chatter quiet."""
    for name, value in HTTP_BOUNDS.items():
        os.environ.setdefault(name, value)
    os.environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] = "true"
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)


def store_failure(exc: BaseException, uri: str, method: str) -> StoreError | None:
    """The :class:`StoreError` that ``exc``, raised by client ``method``, means for store
    ``uri`` (unreachable, unavailable or unwritable), or None for any other error."""
    where = f"tracking store {redact(uri)}"
    if isinstance(exc, MlflowException):
        text = str(exc.message)
        if _UNREACHABLE.match(text):
            return StoreError(f"{where}: unreachable ({_cause(text)})")
        if exc.error_code == "TEMPORARILY_UNAVAILABLE":
            return StoreError(f"{where}: database unavailable ({_first_line(text)})")
    if isinstance(exc, OSError) and method in FILE_WRITES:
        return StoreError(f"{where}: cannot write artifacts ({_first_line(str(exc))})")
    return None


def _cause(text: str) -> str:
    found = _CAUSE.search(text)
    if found:
        return (found.group(1) or found.group(2)).strip()
    return _first_line(text)[:200]


def _first_line(text: str) -> str:
    return redact_text((text.strip().splitlines() or ["unknown error"])[0])
