"""The command line: fast start-up (commands load when they run), the shared flags where they
mean something, flags as typed values."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import click
import pytest

from sweeps.cli import cli
from tests.sweeps.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
SHARED = {"--set", "--study", "--storage", "--tracking-uri"}
#: Which shared flags each command takes: exactly the stores it uses.
FLAGS = {
    "run": SHARED,
    "init": SHARED,
    "worker": SHARED,
    "status": {"--set", "--study", "--storage"},
    "list": {"--storage", "--tracking-uri"},
    "best": {"--set", "--study", "--tracking-uri"},
    "compare": {"--tracking-uri"},
    "export": {"--set", "--study", "--tracking-uri"},
    "predict": {"--tracking-uri"},
    "reproduce": {"--tracking-uri"},
    "ui": {"--set", "--tracking-uri"},
    "report": SHARED,
    "dashboard": {"--set", "--study", "--storage"},
}


@pytest.mark.parametrize("name", sorted(FLAGS))
def test_each_command_takes_the_shared_flags_it_uses(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    offered = {opt for p in command.params for opt in p.opts} & SHARED
    assert offered == FLAGS[name]


def test_help_imports_no_command_and_no_heavy_library() -> None:
    code = (
        "import sys; from sweeps.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('optuna', 'mlflow', 'sklearn', 'pandas', 'matplotlib') "
        "if m in sys.modules]\n"
        "loaded = [m for m in sys.modules if m.startswith('sweeps.commands.')]\n"
        "print(heavy, loaded)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[] []"
    assert "status     Trials by state" in out.stdout


@pytest.mark.parametrize("name", ["2024", "no", "null"])
def test_a_study_name_that_yaml_would_retype_is_taken_as_given(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = f"sqlite:///{tmp_path / 'optuna.db'}"
    code = run_cli(
        "status", str(ROOT / "conf/quickstart.yaml"), "--study", name, "--storage", storage
    )
    assert code == 2
    assert capsys.readouterr().err == (
        f"sweeps: error: no study storage at {tmp_path / 'optuna.db'}: run the sweep first\n"
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "uri",
    [
        "http://user:secret123@127.0.0.1:{port}",
        "postgresql+psycopg://bob:secret123@127.0.0.1:{port}/db",
    ],
)
def test_an_unreachable_tracking_store_is_one_redacted_line_and_writes_nothing(
    uri: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    storage = f"sqlite:///{tmp_path / 'optuna.db'}"
    config = str(ROOT / "conf/quickstart.yaml")
    code = run_cli("run", config, "--tracking-uri", uri.format(port=port), "--storage", storage)
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err and "secret123" not in err
    assert err.startswith("sweeps: error: tracking store ") and ":***@127.0.0.1" in err
    assert "cannot reach it" in err
    assert not (tmp_path / "optuna.db").exists()


def test_the_ui_line_never_shows_a_password() -> None:
    from sweeps.commands.show import ui_command

    line = ui_command("http://user:secret123@mlflow.example:5000", "conf/x.yaml")
    assert line == "http://user:***@mlflow.example:5000"


def test_an_unexpected_error_is_one_redacted_line_with_the_hint(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sweeps.commands.status as status

    def boom(*_args: object) -> None:
        raise RuntimeError("API request to http://u:hunter2@host/api failed\nsecond line")

    monkeypatch.setattr(status, "resolve_config", boom)
    assert run_cli("status", str(ROOT / "conf/quickstart.yaml")) == 1
    err = capsys.readouterr().err
    assert err == (
        "sweeps: error: RuntimeError: API request to http://u:***@host/api failed "
        "(run again with --debug for the traceback)\n"
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["nope"], "sweeps: error: No such command 'nope'. (see: sweeps --help)"),
        (["run"], "sweeps: error: Missing argument 'CONFIG'. (see: sweeps run --help)"),
        (
            ["reproduce", "abc", "--seeds", "1000"],
            "sweeps: error: Invalid value for '--seeds': 1000 is not in the range 2<=x<=100. "
            "(see: sweeps reproduce --help)",
        ),
    ],
)
def test_a_usage_mistake_is_one_line_and_exit_2(
    args: list[str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(*args) == 2
    assert capsys.readouterr().err == line + "\n"
