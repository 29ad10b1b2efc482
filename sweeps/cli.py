"""The ``sweeps`` command line: run sweeps, browse them, reproduce their best runs.

Exit codes: 0 done, 1 failure, 2 bad config or data (or usage), 130/143 interrupted.
User mistakes print one line; tracebacks only with ``--debug``.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import traceback
import warnings
from collections.abc import Sequence
from typing import NoReturn

import click

from sweeps.commands import COMMANDS
from sweeps.errors import Interrupted, SweepsError
from sweeps.infra import heap, scipy_docs, signals, timings
from sweeps.infra.libraries import quiet_loggers
from sweeps.infra.text import printable
from sweeps.infra.urls import RedactingFormatter, redact_text

__all__ = ["main"]

DEBUG_FLAG = "--debug"
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: object = None,
    line: str | None = None,
) -> None:
    click.echo(f"sweeps: warning: {printable(redact_text(str(message)))}", err=True)


def quiet_libraries(verbose: bool = False) -> None:
    """Keep Optuna's per-trial lines and MLflow's migration chatter out of the progress bar
    (Optuna resets its logger when imported: a command imports it within
    :func:`~sweeps.infra.libraries.imported`, which quiets it again)."""
    for name in ("mlflow", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    for handler in logging.getLogger().handlers:  # a library's line may quote a store URL
        handler.setFormatter(RedactingFormatter(LOG_FORMAT))
    warnings.showwarning = _one_line_warning
    quiet_loggers(verbose)


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (``sweeps --help`` imports
    none of them: their one-line help comes from :data:`~sweeps.commands.COMMANDS`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, in the registry's order."""
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, its module imported now."""
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(f"sweeps.commands.{entry.module}")
        quiet_loggers()  # the module may have imported Optuna, which logs at INFO by default
        command: click.Command = getattr(module, entry.attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their one-line help, without importing them."""
        rows = [(name, entry.summary) for name, entry in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sweeps")
@click.option(DEBUG_FLAG, is_flag=True, help="Show tracebacks (accepted anywhere on the line).")
def cli(debug: bool) -> None:
    """Hyperparameter sweeps of numpy MLPs on tabular data, tuned by Optuna and tracked in
    MLflow. Start with: sweeps run conf/quickstart.yaml"""


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: run the CLI and turn every error into one line and an exit code.

    User mistakes exit 2, environment faults and failures 1, signals 128 + the signal; only
    ``--debug`` shows a traceback (with credentials in URLs redacted, as in every message).
    Run as the ``sweeps`` program (``argv`` None), an interrupted process ends at once after
    its message, without waiting for threads or exit handlers: a second Ctrl-C is never
    needed, and a signal after the work is done exits 0.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = DEBUG_FLAG in args
    if debug:  # accepted anywhere: move it to the group, where it is declared
        args = [DEBUG_FLAG, *(a for a in args if a != DEBUG_FLAG)]
    quiet_libraries()
    scipy_docs.install()
    try:
        # without standalone mode, click returns the code of ``ctx.exit(n)`` instead of exiting
        with timings.phase("command"):  # SWEEPS_TIMINGS: start-up, then the whole command
            code = cli.main(args=args, prog_name="sweeps", standalone_mode=False)
    except BaseException as exc:  # every outcome becomes one line and an exit code
        if argv is None:
            heap.finish()
        _fail(exc, debug, hard=argv is None)
    if argv is None:
        signals.exit_quietly_on_signal()  # the work is done: a late Ctrl-C exits 0
        heap.finish()
    sys.exit(code if isinstance(code, int) else 0)


def _fail(exc: BaseException, debug: bool, hard: bool) -> NoReturn:
    """Report ``exc`` as one line (a traceback with ``--debug``) and exit with its code."""
    if isinstance(exc, SystemExit):
        raise exc
    if isinstance(exc, click.exceptions.Exit):
        sys.exit(exc.exit_code)
    if isinstance(exc, click.ClickException):  # a usage mistake: one line, and where to look
        command = (
            exc.ctx.command_path if isinstance(exc, click.UsageError) and exc.ctx else "sweeps"
        )
        message = printable(exc.format_message())
        click.echo(f"sweeps: error: {message} (see: {command} --help)", err=True)
        sys.exit(exc.exit_code)
    interrupted = _interruption(exc)
    if interrupted is not None:
        reason = str(interrupted) or "interrupted by SIGINT"  # Python's own KeyboardInterrupt()
        progress = getattr(interrupted, "progress", None)
        if progress:
            click.echo(f"sweeps: {reason}: {progress}", err=True)
            click.echo(f"sweeps: {interrupted.resume}", err=True)  # type: ignore[attr-defined]
        else:
            click.echo(f"sweeps: {reason}; run the same command again to resume", err=True)
        _exit(interrupted.exit_code if isinstance(interrupted, Interrupted) else 130, hard)
    if debug:
        click.echo(redact_text("".join(traceback.format_exception(exc))), err=True, nl=False)
    code = exc.exit_code if isinstance(exc, SweepsError) else 1
    message = str(exc) if isinstance(exc, SweepsError) else _unexpected(exc)
    click.echo(f"sweeps: error: {printable(redact_text(message))}", err=True)
    sys.exit(code)


def _interruption(exc: BaseException) -> BaseException | None:
    """The KeyboardInterrupt (or :class:`Interrupted`) behind ``exc``, if it is one.

    Click turns KeyboardInterrupt into Abort, keeping it as the cause."""
    if isinstance(exc, click.exceptions.Abort):
        return exc.__cause__ or KeyboardInterrupt("interrupted")
    return exc if isinstance(exc, KeyboardInterrupt) else None


def _unexpected(exc: BaseException) -> str:
    """One line for an error sweeps did not name (a store's or a library's)."""
    lines = str(exc).strip().splitlines()
    detail = f": {lines[0]}" if lines else ""
    return f"{type(exc).__name__}{detail} (run again with --debug for the traceback)"


def _exit(code: int, hard: bool) -> NoReturn:
    if hard:  # no thread or exit handler may keep an interrupted process alive
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
