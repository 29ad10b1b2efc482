"""The digest of a logged model's files, recorded in the tracking store when the model is logged
and checked before a downloaded copy is read.

It is the SHA-256 of one line per file, sorted by path: ``<path relative to the model folder>``,
a NUL, the file's own SHA-256 in hex, a newline. A file added, removed, renamed or changed
(``MLmodel``, the skops file, the bundled code) changes it. It lives in the store (the run's
tag :data:`~sweeps.records.MODEL_DIGEST_TAG`, copied into the tags of every model version
registered from the run), so whoever can only write the artifact store cannot make a changed
model pass.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

from sweeps.errors import UntrustedModelError
from sweeps.records import MODEL_DIGEST_TAG

__all__: list[str] = []  # nothing here for other packages

_BLOCK = 1 << 20
_HEX = re.compile(r"[0-9a-f]{64}")


def folder_sha256(folder: Path) -> str:
    """The digest of every file under ``folder`` (see the module docstring)."""
    lines = hashlib.sha256()
    files = sorted((p.relative_to(folder).as_posix(), p) for p in folder.rglob("*") if p.is_file())
    for name, path in files:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while block := fh.read(_BLOCK):
                digest.update(block)
        lines.update(f"{name}\0{digest.hexdigest()}\n".encode())
    return lines.hexdigest()


def check_folder(folder: Path, tags: Mapping[str, str], label: str, holder: str) -> None:
    """Raise :class:`UntrustedModelError` unless ``folder``'s digest is the one recorded in
    ``tags`` (those of ``holder``: "the run", "the model version")."""
    expected = tags.get(MODEL_DIGEST_TAG, "")
    if not _HEX.fullmatch(expected):
        raise UntrustedModelError(
            f"{label}: no digest of the model's files is recorded on {holder} "
            f"(tag {MODEL_DIGEST_TAG}); refusing to load it"
        )
    if folder_sha256(folder) != expected:
        raise UntrustedModelError(
            f"{label}: the model's files differ from the digest recorded on {holder} when it "
            f"was logged (tag {MODEL_DIGEST_TAG}); refusing to load it"
        )
