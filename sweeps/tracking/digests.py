"""Every JSON artifact sweeps logs carries the SHA-256 of its exact bytes as a run tag, and
every one it reads back is checked against it.

Artifacts and run data live in different places (files beside a SQLite store, or an artifact
store a tracking server serves, with no authentication of its own), so a file changed where the
artifacts are (a ``learning_rate`` or ``na_values`` edited in a trial's ``trial_config.json``)
no longer matches the digest the run recorded when it was logged: :func:`verified_json` refuses
it in one line naming the run and the file, before it is parsed. An artifact logged before
digests were recorded (no tag) is parsed but reported unverified, so callers can refuse
settings in it that only a verified file may hold (the size limits ``reproduce`` trusts).
Parsing is strict and bounded either way: a duplicated key or nesting deeper than a sweep
file's is an error, never a RecursionError.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sweeps.errors import ConfigError
from sweeps.infra import strict_json

__all__: list[str] = []  # nothing here for other packages

#: A logged JSON artifact is a config or a summary: anything larger is not one of ours.
MAX_JSON_BYTES = 10_000_000


def json_text(obj: Any) -> str:
    """The exact text sweeps logs for ``obj``."""
    return json.dumps(obj, indent=2, default=str)


def sha256(data: bytes | str) -> str:
    """Hex SHA-256 of ``data`` (text as UTF-8)."""
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


@dataclass(frozen=True)
class LoggedJson:
    """A JSON artifact as read back: its value, and whether its digest was on record."""

    value: Any
    verified: bool


def read_bounded(local: Path) -> bytes:
    """A logged JSON file's bytes, never more than one past :data:`MAX_JSON_BYTES` (which
    :func:`verified_json` refuses): an oversized file is not read whole."""
    with local.open("rb") as fh:
        return fh.read(MAX_JSON_BYTES + 1)


def verified_json(run_id: str, path: str, data: bytes, logged: str | None) -> LoggedJson:
    """Artifact ``path`` of run ``run_id`` parsed, once its bytes match the digest the run
    ``logged`` (None: none was recorded); :class:`ConfigError` naming the run and the file
    for a changed, oversized or invalid file."""
    where = f"run {run_id}: {path}"
    if len(data) > MAX_JSON_BYTES:
        raise ConfigError(f"{where} is larger than {MAX_JSON_BYTES:,} bytes: not one sweeps logged")
    if logged is not None and sha256(data) != logged:
        raise ConfigError(
            f"{where} was changed after it was logged (its SHA-256 is {sha256(data)[:12]}..., "
            f"the run recorded {logged[:12]}...): refusing to use it"
        )
    try:
        return LoggedJson(strict_json.loads(data.decode()), logged is not None)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where} is unusable: {' '.join(str(exc).split())[:200]}") from None
