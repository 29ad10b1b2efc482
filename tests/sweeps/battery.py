"""Running `sweeps` on bad input and checking it failed properly: exit 2, exactly one line on
stderr naming the file and the key or column, no traceback, and nothing written anywhere."""

from __future__ import annotations

import copy
import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.sweeps.helpers import run_cli, write_config

DELETE = object()  # a change that removes the key


@dataclass(frozen=True)
class Failure:
    """What one bad run left behind."""

    code: int
    out: str
    err: str
    written: set[str]


def files_under(root: Path) -> set[str]:
    """Every file and folder below ``root``, relative."""
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def store_contents(root: Path) -> dict[str, str]:
    """What the stores hold: each SQLite database's rows (dumped through SQLite, so a WAL
    checkpoint by a closing connection is no change) and every other file's bytes."""
    out = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.name.endswith(("-wal", "-shm")):
            continue  # SQLite's own journal files: their content is in the dump
        if path.suffix == ".db":
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            data = "\n".join(conn.iterdump()).encode()
            conn.close()
        else:
            data = path.read_bytes()
        out[str(path.relative_to(root))] = hashlib.sha256(data).hexdigest()
    return out


def run_bad(
    root: Path,
    capsys: pytest.CaptureFixture[str],
    *args: str,
    command: str = "run",
    stores: tuple[str, ...] = ("--tracking-uri", "--storage"),
) -> Failure:
    """Run ``sweeps COMMAND ARGS`` with the ``stores`` flags pointing under ``root/mlruns``;
    return what it printed and which files appeared under ``root``."""
    before = files_under(root)
    urls = {
        "--tracking-uri": f"sqlite:///{root / 'mlruns' / 'mlflow.db'}",
        "--storage": f"sqlite:///{root / 'mlruns' / 'optuna.db'}",
    }
    flags = [part for flag in stores for part in (flag, urls[flag])]
    capsys.readouterr()
    code = run_cli(command, *args, *flags)
    captured = capsys.readouterr()
    return Failure(code, captured.out, captured.err, files_under(root) - before)


def assert_one_line(failure: Failure, start: str) -> None:
    """Exit 2, one ``sweeps: error:`` line beginning ``start``, no traceback, nothing written."""
    assert failure.code == 2, failure
    assert failure.err.startswith(f"sweeps: error: {start}"), failure.err
    assert failure.err.count("\n") == 1 and failure.err.endswith("\n"), failure.err
    assert "Traceback" not in failure.err + failure.out
    assert failure.written == set(), failure.written


def edited(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` by key path (``a.b.c``); :data:`DELETE` removes a key."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        *parents, last = key.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        if value is DELETE:
            node.pop(last, None)
        else:
            node[last] = value
    return out


def tiny_mapping(folder: Path) -> dict[str, Any]:
    """The tiny sweep of :func:`tests.sweeps.helpers.write_config` as a mapping."""
    return yaml.safe_load(write_config(folder).read_text())
