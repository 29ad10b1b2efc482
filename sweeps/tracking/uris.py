"""Where a tracking store is and where its artifacts go (no MLflow import: commands resolve
these before they decide to open a store)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from sweeps.infra.sqlite import sqlite_file

__all__ = ["artifact_root_for", "resolve_tracking_uri"]

DEFAULT_TRACKING_URI = "sqlite:///mlruns/mlflow.db"
#: A store of this file name keeps its artifacts in ``artifacts/`` beside it (as always).
DEFAULT_DB_NAME = "mlflow.db"


def resolve_tracking_uri(flag: str | None, configured: str | None) -> str:
    """``--tracking-uri``, else the config's, else ``MLFLOW_TRACKING_URI``, else the local store."""
    return flag or configured or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def artifact_root_for(uri: str, configured: str | None = None) -> str | None:
    """Where a new experiment keeps artifacts: beside a SQLite store, in a folder named after
    it (``x/foo.db``: ``x/foo-artifacts/``, so two stores in one folder never mix their
    artifacts; the default ``mlruns/mlflow.db`` keeps ``mlruns/artifacts/``); else the server
    decides."""
    if configured:
        return configured if urlparse(configured).scheme else Path(configured).resolve().as_uri()
    db = sqlite_file(uri)
    if db is None:
        return None
    folder = "artifacts" if db.name == DEFAULT_DB_NAME else f"{db.stem}-artifacts"
    return (db.resolve().parent / folder).as_uri()
