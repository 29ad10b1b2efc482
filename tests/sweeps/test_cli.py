"""The command line: fast start-up (commands load when they run), the shared flags where they
mean something, flags as typed values."""

from __future__ import annotations

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
