"""Fixtures for the distributed tests: real PostgreSQL databases and a real `mlflow server`.

They skip where no PostgreSQL server answers on 127.0.0.1:5432, except when
SWEEPS_REQUIRE_POSTGRES=1 (set by .ci/run), where they fail instead: CI cannot pass by skipping.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG = "postgresql+psycopg://postgres@127.0.0.1:5432"


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True)


def _require_postgres() -> None:
    try:
        _admin_connection().close()
    except Exception as exc:
        reason = f"no PostgreSQL server on 127.0.0.1:5432 ({type(exc).__name__}: {exc})"
        if os.environ.get("SWEEPS_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"SWEEPS_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (dropped afterwards); yields its SQLAlchemy URL."""
    _require_postgres()
    name = f"sweeps_{uuid.uuid4().hex[:12]}"
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{PG}/{name}"
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 180) -> None:
    """Wait until ``url`` answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `mlflow server` on loopback: PostgreSQL backend store, served artifacts."""
    _require_postgres()
    name = f"sweeps_mlflow_{uuid.uuid4().hex[:8]}"
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    artifacts: Path = tmp_path_factory.mktemp("served-artifacts")
    port = free_port()
    log = (artifacts.parent / "mlflow-server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "mlflow", "server",
            "--backend-store-uri", f"{PG}/{name}",
            "--serve-artifacts", "--artifacts-destination", str(artifacts),
            "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/health")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        with _admin_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
