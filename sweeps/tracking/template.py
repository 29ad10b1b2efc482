"""A new local MLflow store starts as a copy of an empty, migrated one.

Creating a SQLite tracking store runs MLflow's schema migrations: about a second, paid by
every new sweep folder, every test and every benchmark run. The first store created with a
given MLflow version is kept (empty) in the user's cache; later new stores copy it in
milliseconds. A copy MLflow does not accept is thrown away and the store created as usual.
The cache is ``$SWEEPS_CACHE_DIR``, else ``$XDG_CACHE_HOME/sweeps``, else ``~/.cache/sweeps``;
an unwritable cache just means no template.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from sweeps.infra.sqlite import BUSY_TIMEOUT_S

__all__: list[str] = []  # nothing here for other packages


def template_path() -> Path:
    """Where the empty store of this MLflow version is kept."""
    root = os.environ.get("SWEEPS_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "sweeps"
    )
    version = importlib.metadata.version("mlflow")
    return Path(root) / f"mlflow-{version}-empty.db"


def is_new(db: Path) -> bool:
    """Whether ``db`` is not a store yet (absent or empty)."""
    return not db.exists() or db.stat().st_size == 0


def copy_template(db: Path) -> bool:
    """Copy the template to ``db`` (which must be new); whether there was one."""
    template = template_path()
    if not template.is_file():
        return False
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, db)
    return True


def discard(db: Path) -> None:
    """Remove a store file and its WAL companions."""
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        path.unlink(missing_ok=True)


def keep_as_template(db: Path) -> None:
    """Save the just-migrated, still empty store ``db`` as the template (atomically; any
    failure leaves no template).

    Copied through SQLite's backup API on a read-only connection: a writable connection,
    closed as the store's last one, checkpoints the write-ahead log and deletes it from under
    this process's pooled connections; a worker that then forked its writer lost every run the
    writer wrote (a cold start of four workers on SQLite, the first one's trials)."""
    template = template_path()
    with contextlib.suppress(OSError, sqlite3.Error):
        template.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=template.parent, suffix=".db")
        os.close(fd)
        try:
            _backup(db, Path(tmp))
            os.replace(tmp, template)
        finally:
            Path(tmp).unlink(missing_ok=True)  # a failed copy leaves nothing in the cache


def _backup(db: Path, target_path: Path) -> None:
    """Copy the SQLite database ``db`` to ``target_path``, reading it read-only."""
    read_only = f"file:{db}?mode=ro"
    with (
        contextlib.closing(sqlite3.connect(read_only, uri=True, timeout=BUSY_TIMEOUT_S)) as source,
        contextlib.closing(sqlite3.connect(target_path)) as target,
    ):
        source.backup(target)
