"""Planner statistics of a local SQLite store: refreshed when missing or outgrown, never else."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sweeps.tracking.planner import refresh_statistics


def _store(path: Path, runs: int) -> str:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS runs (run_uuid TEXT PRIMARY KEY)")
    conn.execute("CREATE TABLE IF NOT EXISTS latest_metrics (key TEXT, run_uuid TEXT)")
    conn.execute("CREATE TABLE IF NOT EXISTS tags (key TEXT, run_uuid TEXT)")
    start = conn.execute("SELECT count(*) FROM runs").fetchone()[0]
    conn.executemany("INSERT INTO runs VALUES (?)", [(f"r{i}",) for i in range(start, runs)])
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


def _analysed(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT tbl, stat FROM sqlite_stat1 WHERE tbl = 'runs'").fetchall()
    finally:
        conn.close()


def test_statistics_are_written_once_per_doubling(tmp_path: Path) -> None:
    db = tmp_path / "mlflow.db"
    uri = _store(db, 999)
    assert refresh_statistics(uri) is False  # small stores plan well enough without them
    uri = _store(db, 1500)
    assert refresh_statistics(uri) is True
    assert _analysed(db) == [("runs", "1500 1")]
    assert refresh_statistics(_store(db, 2999)) is False
    assert refresh_statistics(_store(db, 3000)) is True
    assert _analysed(db) == [("runs", "3000 1")]


def test_other_stores_are_left_alone(tmp_path: Path) -> None:
    assert refresh_statistics("http://127.0.0.1:5000") is False
    missing = tmp_path / "missing.db"
    assert refresh_statistics(f"sqlite:///{missing}") is False
    assert not missing.exists()
