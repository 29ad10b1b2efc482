"""`sweeps ui` / `dashboard` / `report` refusals, and the server process lifecycle, without a
browser: a tiny `python -m http.server` stands in for the MLflow UI where a real one is not the
point."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sweeps.commands.ui import mlflow_ui_command, page_url
from sweeps.errors import StoreError
from sweeps.infra.serve import is_loopback, serve, url_host
from tests.conftest import Stores
from tests.sweeps.helpers import run_cli, write_config


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
     ("0.0.0.0", False), ("192.168.1.20", False), ("example.org", False)],
)  # fmt: skip
def test_only_loopback_hosts_count_as_private(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_urls_and_the_mlflow_command() -> None:
    assert url_host("0.0.0.0") == "127.0.0.1" and url_host("::1") == "[::1]"
    base = "http://127.0.0.1:5000"
    view = "viewStateShareKey=sweeps-runs&workflowType=machine_learning"
    assert page_url(base, "7") == f"{base}/#/experiments/7/runs?{view}"
    assert page_url(base + "/", None) == f"{base}/#/experiments"
    command = mlflow_ui_command("sqlite:///m/mlflow.db", "127.0.0.1", 5001, "file:///m/a", None)
    assert command[:4] == [sys.executable, "-m", "mlflow", "ui"]
    joined = " ".join(command)
    assert "--backend-store-uri sqlite:///m/mlflow.db" in joined
    assert "--host 127.0.0.1 --port 5001 --workers 1" in joined
    assert "--default-artifact-root file:///m/a --artifacts-destination file:///m/a" in joined
    assert "--allowed-hosts" not in joined
    exposed = mlflow_ui_command("postgresql://h/db", "0.0.0.0", 80, None, "ml.example.org")
    assert exposed[-2:] == ["--allowed-hosts", "ml.example.org"]
    assert "--default-artifact-root" not in exposed


def test_ui_refuses_a_sweep_that_never_ran(
    stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    code = run_cli("ui", str(config), "--tracking-uri", stores.tracking_uri)
    assert code == 2
    err = capsys.readouterr().err
    assert err == f"sweeps: error: no experiment 'tiny' in tracking store {stores.tracking_uri}\n"


def test_ui_refuses_a_missing_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nothing" / "mlflow.db"
    assert run_cli("ui", "--tracking-uri", f"sqlite:///{missing}") == 2
    assert capsys.readouterr().err.startswith(f"sweeps: error: no tracking store at {missing}")
    assert not missing.parent.exists()


def test_ui_refuses_a_busy_port(stores: Stores, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = run_cli("ui", "--tracking-uri", stores.tracking_uri, "--port", str(port))
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_report_refuses_a_missing_storage(
    stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    assert run_cli("report", str(config), *stores.flags()) == 2
    db = stores.root / "optuna.db"
    assert (
        capsys.readouterr().err == f"sweeps: error: no study storage at {db}: run the sweep first\n"
    )
    assert not db.exists()


def test_dashboard_says_how_to_install_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if (
        shutil.which("optuna-dashboard")
        or (Path(sys.executable).parent / "optuna-dashboard").exists()
    ):
        pytest.skip("optuna-dashboard is installed here")
    assert run_cli("dashboard", str(write_config(tmp_path))) == 1
    expected = "sweeps: error: optuna-dashboard is not installed: pip install optuna-dashboard\n"
    assert capsys.readouterr().err == expected


SERVE = """
import sys
from sweeps.infra.signals import install as install_signal_handlers
from sweeps.infra.serve import serve
port = sys.argv[1]
install_signal_handlers()
serve("test server", [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", port],
      f"http://127.0.0.1:{port}/", timeout=60, on_ready=lambda: print("ready", flush=True))
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_served_process_stops_with_its_children_and_exit_0(sig: signal.Signals) -> None:
    port = free_port()
    command = [sys.executable, "-c", SERVE, str(port)]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    with subprocess.Popen(command, **pipes) as process:  # type: ignore[call-overload]
        try:
            assert process.stdout.readline() == "ready\n"
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
            process.send_signal(sig)
            assert process.wait(30) == 0
        finally:
            process.kill()
        assert "sweeps: test server stopped" in process.stderr.read()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def test_a_server_that_dies_is_an_error_with_its_last_words() -> None:
    command = [sys.executable, "-c", "import sys; print('first'); print('boom'); sys.exit(3)"]
    with pytest.raises(StoreError, match=r"^dying exited with code 3: boom$"):
        serve("dying", command, f"http://127.0.0.1:{free_port()}/", timeout=60, on_ready=print)


def test_a_server_that_never_answers_is_stopped() -> None:
    command = [sys.executable, "-c", "import time; time.sleep(60)"]
    start = time.monotonic()
    with pytest.raises(StoreError, match=r"^silent did not answer within 1 s$"):
        serve("silent", command, f"http://127.0.0.1:{free_port()}/", timeout=1, on_ready=print)
    assert time.monotonic() - start < 20
