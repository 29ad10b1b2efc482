"""The command line: fast start-up (commands load when they run), the shared flags where they
mean something, flags as typed values."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from sweeps.cli import cli
from sweeps.commands import COMMANDS
from tests.sweeps.helpers import run_cli

ROOT = Path(__file__).resolve().parents[3]
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


HEAVY = ("optuna", "mlflow", "sklearn", "pandas", "matplotlib", "pydantic")
#: A usage mistake per command (and a second one where the command itself finds it, after
#: click has parsed the line): each exits 2 before importing any library.
USAGE_ERRORS = {
    "run": [["run"], ["run", "c.yaml", "--trials", "0"]],
    "init": [["init"]],
    "worker": [["worker"], ["worker", "c.yaml", "--blas-threads", "0"]],
    "status": [["status", "--set", "seed=1"]],
    "list": [["list", "--format", "nope"]],
    "best": [
        ["best", "c.yaml", "--experiment", "x"],
        ["best", "--experiment", "x", "--set", "seed=1"],
    ],
    "compare": [["compare", "a"]],
    "export": [["export"], ["export", "--run", "r", "--trial", "1"]],
    "predict": [["predict", "f.csv"], ["predict", "f.csv", "--run", "r", "-o", "out.txt"]],
    "reproduce": [["reproduce"]],
    "ui": [["ui", "--port", "0"]],
    "report": [["report", "--study", "s"]],
    "dashboard": [["dashboard"]],
}
PROBE = """
import contextlib, io, json, sys
from sweeps.cli import main
heavy = {heavy!r}
out = []
for args in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            main(args)
            code = 0
        except SystemExit as exc:
            code = exc.code
    out.append([args, code, err.getvalue(), [m for m in heavy if m in sys.modules]])
print(json.dumps(out))
"""


def probe(lines: list[list[str]], heavy: tuple[str, ...] = HEAVY) -> list[list[Any]]:
    """Run each command line in one fresh interpreter, in turn; per line its exit code,
    standard error and which of ``heavy`` were imported by then."""
    code = PROBE.format(heavy=heavy)
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(lines)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_every_command_help_and_usage_error_imports_no_heavy_library() -> None:
    assert set(USAGE_ERRORS) == set(COMMANDS)
    lines = [[name, "--help"] for name in COMMANDS]
    lines += [args for errors in USAGE_ERRORS.values() for args in errors]
    results = probe(lines)
    for args, code, err, heavy in results:
        expected = 0 if args[-1] == "--help" else 2
        assert (code, heavy) == (expected, []), (args, err)
        if expected == 2:
            assert err.startswith("sweeps: error: ") and err.count("\n") == 1, (args, err)


def test_the_commands_constants_match_the_modules_they_stand_in_for() -> None:
    from sweeps.commands import predict, report
    from sweeps.report.write import REPORT_NAME
    from sweeps.results.scored_output import OUTPUT_SUFFIXES

    assert predict.OUTPUT_SUFFIXES == OUTPUT_SUFFIXES
    assert report.REPORT_NAME == REPORT_NAME


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
    import sweeps.spec.reading

    def boom(*_args: object) -> None:
        raise RuntimeError("API request to http://u:hunter2@host/api failed\nsecond line")

    monkeypatch.setattr(sweeps.spec.reading, "resolve_config", boom)  # status imports it when run
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


#: What each read-only command must not import: only the client of the store it reads (MLflow
#: brings pandas; the sweep file's validation names Optuna's samplers).
READERS_AVOID = {
    "status": ("mlflow", "sklearn", "pandas", "matplotlib", "scipy"),
    "list": ("sklearn", "matplotlib"),
    "best": ("sklearn", "matplotlib"),
    "compare": ("sklearn", "matplotlib"),
    "export": ("sklearn", "matplotlib"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(READERS_AVOID))
def test_a_read_only_command_imports_only_the_client_of_its_store(
    name: str, tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path
) -> None:
    from tests.sweeps.finished import tiny_sweep

    tiny = tiny_sweep(tmp_path_factory, migrated_mlflow_db)
    stores, config = tiny.stores, str(tiny.config)
    run_id = tiny.run_id(0)
    lines = {
        "status": ["status", config, "--storage", stores.storage_url],
        "list": ["list", *stores.flags()],
        "best": ["best", config, "--tracking-uri", stores.tracking_uri],
        "compare": ["compare", run_id, run_id, "--tracking-uri", stores.tracking_uri],
        "export": ["export", "--run", run_id, "--tracking-uri", stores.tracking_uri],
    }
    [(_, code, err, imported)] = probe([lines[name]], READERS_AVOID[name])
    assert (code, imported) == (0, []), err
