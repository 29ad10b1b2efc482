"""The README's two set-up commands (scripts/quickstart, scripts/test) and what CI runs.

Fast tests drive the scripts' bash functions with a stand-in interpreter; the slow test runs the
README's two commands verbatim on a fresh checkout, with a real .venv, pip and sweep.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import optuna
import pytest

ROOT = Path(__file__).resolve().parents[1]
FAKE_PYTHON = """#!/bin/sh
# A stand-in .venv/bin/python: Python 3.11 whose pip records what it is asked to install.
case "$*" in
  -c*) echo 3.11 ;;
  "-m pip install"*) {install} ;;
esac
"""
RECORDING_PYTHON = FAKE_PYTHON.format(install='echo "$*" >> "$(dirname "$0")/pip-calls"')
FAILING_PYTHON = FAKE_PYTHON.format(install="echo 'ERROR: no matching distribution'; exit 1")
# What scripts/quickstart runs before it looks for Python (the shebang's bash included).
TOOLS_BEFORE_PYTHON = ["bash", "dirname", "sha256sum", "cut", "tr", "sed", "sort", "paste"]


def quick_start_commands() -> list[str]:
    """The README quick start's first two code blocks: the sweep command, the test command."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)[:2]]


def bash(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` with the scripts' libraries sourced, in ``cwd`` (a copy of the scripts)."""
    prelude = "set -euo pipefail; . scripts/lib/env.sh; . scripts/lib/services.sh; "
    return subprocess.run(
        ["bash", "-c", prelude + script],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def scripts_copy(tmp_path: Path) -> Path:
    """A directory holding a copy of scripts/ and pyproject.toml, with no .venv."""
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


@pytest.fixture
def fake_venv(scripts_copy: Path) -> Path:
    """scripts_copy with a .venv whose python is RECORDING_PYTHON; returns its pip-calls log."""
    python = scripts_copy / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(RECORDING_PYTHON)
    python.chmod(0o755)
    return python.parent / "pip-calls"


def test_quick_start_is_two_one_line_commands_that_exist() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    for command in commands:
        assert "\n" not in command
        script = ROOT / command.split()[0]
        assert script.is_file() and os.access(script, os.X_OK), command


def test_ci_runs_exactly_the_readme_test_command() -> None:
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    commands = [line for line in lines if line.strip() and not line.startswith("#")]
    assert commands[-1] == quick_start_commands()[1]


@pytest.mark.parametrize("script", ["scripts/quickstart", "scripts/test"])
def test_no_python_311_is_one_line_error(scripts_copy: Path, script: str) -> None:
    bin_dir = scripts_copy / "bin"
    bin_dir.mkdir()
    for tool in TOOLS_BEFORE_PYTHON:
        (bin_dir / tool).symlink_to(shutil.which(tool) or pytest.fail(f"no {tool}"))
    (bin_dir / "python3").write_text("#!/bin/sh\necho '3.10.13 True /opt/python3.10'\n")
    (bin_dir / "python3").chmod(0o755)
    result = subprocess.run(
        [script], cwd=scripts_copy, env={"PATH": str(bin_dir)}, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "sweeps: error: Python 3.11 not found on PATH (no python3.11; python3 is 3.10.13); "
        "install it (pyenv install 3.11, or Debian's python3.11 and python3.11-venv)"
    ]
    assert not (scripts_copy / ".venv").exists()


def test_installs_only_when_pyproject_or_extras_change(scripts_copy: Path, fake_venv: Path) -> None:
    def ensure(extras: str) -> str:
        result = bash(f"ensure_env {extras}", scripts_copy)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert ensure("''") == "sweeps: installing . into .venv (no install record in .venv)\n"
    assert ensure("''") == "sweeps: environment up to date (.venv, extras: none)\n"
    assert ensure("test,dev") == (
        "sweeps: installing .[dev,test] into .venv (extras dev,test wanted, none installed)\n"
    )
    assert ensure("dev") == "sweeps: environment up to date (.venv, extras: dev,test)\n"
    with (scripts_copy / "pyproject.toml").open("a") as pyproject:
        pyproject.write("# changed\n")
    assert ensure("''") == "sweeps: installing .[dev,test] into .venv (pyproject.toml changed)\n"
    assert ensure("postgres") == "sweeps: installing .[dev,postgres,test] into .venv " + (
        "(extras postgres wanted, dev,test installed)\n"
    )
    installs = [line.split()[-1] for line in fake_venv.read_text().splitlines()]
    assert installs == [".", ".[dev,test]", ".[dev,test]", ".[dev,postgres,test]"]


def test_moved_checkout_reinstalls(scripts_copy: Path, fake_venv: Path, tmp_path: Path) -> None:
    assert bash("ensure_env ''", scripts_copy).returncode == 0
    moved = scripts_copy.rename(tmp_path.parent / f"{tmp_path.name}-moved")
    result = bash("ensure_env ''", moved)
    assert result.stdout == "sweeps: installing . into .venv (the checkout moved)\n"


def test_failed_install_dies_and_keeps_no_stamp(scripts_copy: Path, fake_venv: Path) -> None:
    (fake_venv.parent / "python").write_text(FAILING_PYTHON)
    result = bash("ensure_env test", scripts_copy)
    assert result.returncode == 1
    assert result.stdout == "sweeps: installing .[test] into .venv (no install record in .venv)\n"
    assert result.stderr.splitlines() == [
        "ERROR: no matching distribution",
        "sweeps: error: pip install -e '.[test]' failed (full log: .venv/.sweeps-install.log)",
    ]
    assert not (scripts_copy / ".venv" / ".sweeps-installed").exists()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("require", "consequence"),
    [
        ("0", "will be skipped (run a server there with user postgres and trust auth; "
              "Debian: apt-get install postgresql)"),
        ("1", "will FAIL (SWEEPS_REQUIRE_POSTGRES=1)"),
    ],
)  # fmt: skip
def test_postgres_missing_says_what_happens(
    scripts_copy: Path, require: str, consequence: str
) -> None:
    port = free_port()
    # nothing answers on that port, and the machine's cluster (which listens on 5432) stays as it is
    result = bash(
        f"PG_PORT={port}; start_postgres() {{ return 1; }}; check_postgres",
        scripts_copy,
        SWEEPS_REQUIRE_POSTGRES=require,
    )
    assert result.stdout == (
        f"sweeps: PostgreSQL not answering on 127.0.0.1:{port}: "
        f"the PostgreSQL tests {consequence}\n"
    )


@pytest.mark.parametrize(
    ("require", "consequence"),
    [
        ("0", "will be skipped (install Debian's chromium package: sudo apt-get install chromium)"),
        ("1", "will FAIL (SWEEPS_REQUIRE_BROWSER=1)"),
    ],
)
def test_chromium_missing_says_what_happens(
    scripts_copy: Path, require: str, consequence: str
) -> None:
    missing = scripts_copy / "no-chromium"
    # not root: nothing is installed, whoever runs the tests
    result = bash(
        f"CHROMIUM={missing}; id() {{ echo 1000; }}; check_chromium",
        scripts_copy,
        SWEEPS_REQUIRE_BROWSER=require,
    )
    assert (
        result.stdout == f"sweeps: Chromium missing ({missing}): the browser test {consequence}\n"
    )


def fresh_checkout(destination: Path) -> Path:
    """Copy what a clone of this checkout holds (its edits included, ignored files left out)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def clean_shell_env() -> dict[str, str]:
    """This process's environment as a new shell would have it: no virtualenv, no pytest."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "VIRTUAL_ENV"))}
    venv_bin = str(Path(sys.prefix) / "bin")
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    return env


def run_readme_command(command: str, checkout: Path) -> list[str]:
    """Run one README command, as typed in a new shell at the checkout's root; its lines."""
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=checkout,
        env=clean_shell_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout.splitlines()


def steps(lines: list[str]) -> list[str]:
    """The scripts' own step lines, up to the command they hand over to."""
    prefix = [line for line in lines if line.startswith("sweeps: ")]
    return prefix[: next(i for i, line in enumerate(prefix) if line.startswith("sweeps: running"))]


@pytest.mark.slow
def test_readme_commands_on_a_fresh_checkout(tmp_path: Path) -> None:
    """The test command first (it installs everything: one install instead of two), then the
    quickstart, which must find the environment up to date."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to clone")
    checkout = fresh_checkout(tmp_path / "checkout")
    sweep, tests = quick_start_commands()

    # the whole suite would run this test again: the test command runs one small file here
    suite = run_readme_command(f"{tests} tests/test_layering.py", checkout)
    assert steps(suite)[0].startswith("sweeps: creating .venv with Python 3.11.")
    assert steps(suite)[1] == (
        "sweeps: installing .[dev,postgres,test] into .venv (new environment, about a minute)"
    )
    assert [line.split()[1] for line in steps(suite)[-2:]] == ["PostgreSQL", "Chromium"]
    assert re.fullmatch(r"=+ \d+ passed in .* =+", suite[-1]), suite[-1]

    quickstart = run_readme_command(f"{sweep} --trials 2", checkout)
    assert steps(quickstart) == [
        "sweeps: environment up to date (.venv, extras: dev,postgres,test)"
    ]
    study = optuna.load_study(
        study_name="quickstart", storage=f"sqlite:///{checkout / 'mlruns' / 'optuna.db'}"
    )
    assert [t.state for t in study.trials] == [optuna.trial.TrialState.COMPLETE] * 2
