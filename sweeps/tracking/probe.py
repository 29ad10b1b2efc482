"""Fail fast, in one line, when a tracking store cannot be reached at all.

MLflow retries an unreachable server or database for minutes (its retries ride out a short
outage in the middle of a sweep, which is what they are for); before the first write, a store
that does not answer is far more likely a wrong URI. The probe asks a few times over about half
a minute, then gives up with a :class:`~sweeps.errors.StoreError` (its URI redacted).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from urllib.parse import urlparse

from sweeps.errors import StoreError
from sweeps.infra.urls import redact, redact_text

__all__ = ["probe"]

ATTEMPTS = 3
TIMEOUT_S = 8.0
PAUSE_S = 2.0


def probe(uri: str, what: str = "tracking store") -> None:
    """Raise StoreError unless the server or database behind ``uri`` answers (local SQLite
    files and ``file:`` stores are not probed); ``what`` names it in the message."""
    scheme = urlparse(uri).scheme
    if scheme in ("http", "https"):
        check = _http
    elif scheme and scheme not in ("sqlite", "file") and "://" in uri:
        check = _database
    else:
        return
    reason = ""
    for attempt in range(ATTEMPTS):
        reason = check(uri)
        if not reason:
            return
        if attempt + 1 < ATTEMPTS:
            time.sleep(PAUSE_S)
    raise StoreError(f"{what} {redact(uri)}: cannot reach it ({reason}; tried {ATTEMPTS} times)")


def _http(uri: str) -> str:
    """'' when an MLflow server answers at ``uri`` (any HTTP status counts), else why not."""
    parsed = urlparse(uri)
    host = parsed.hostname or ""
    netloc = host if parsed.port is None else f"{host}:{parsed.port}"  # no credentials
    url = parsed._replace(netloc=netloc, path=parsed.path.rstrip("/") + "/health").geturl()
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S):
            return ""
    except urllib.error.HTTPError:
        return ""  # it answered
    except (urllib.error.URLError, OSError) as exc:
        return str(getattr(exc, "reason", exc))


def _database(uri: str) -> str:
    """'' when the database behind ``uri`` accepts a connection, else why not."""
    import sqlalchemy

    connect_args = {"connect_timeout": int(TIMEOUT_S)} if uri.startswith("postgres") else {}
    try:
        engine = sqlalchemy.create_engine(
            uri, poolclass=sqlalchemy.NullPool, connect_args=connect_args
        )
        with engine.connect():
            return ""
    except Exception as exc:  # any driver's error: the message says why
        lines = str(exc).strip().splitlines()
        return redact_text(lines[0]) if lines else type(exc).__name__
