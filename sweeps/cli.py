"""The ``sweeps`` command line: run sweeps, browse them, reproduce their best runs.

Exit codes: 0 done, 1 failure, 2 bad config or data (or usage), 130/143 interrupted.
User mistakes print one line; tracebacks only with ``--debug``.
"""

from __future__ import annotations

import importlib
import logging
import sys
import warnings
from collections.abc import Sequence

import click

from sweeps.commands import COMMANDS
from sweeps.errors import Interrupted, SweepsError

DEBUG_FLAG = "--debug"


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: object = None,
    line: str | None = None,
) -> None:
    click.echo(f"sweeps: warning: {message}", err=True)


def quiet_libraries(verbose: bool = False) -> None:
    """Keep Optuna's per-trial lines and MLflow's migration chatter out of the progress bar
    (Optuna resets its logger when imported: :func:`quiet_optuna` runs once it is)."""
    for name in ("mlflow", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    warnings.showwarning = _one_line_warning
    quiet_optuna(verbose)


def quiet_optuna(verbose: bool = False) -> None:
    """Optuna's per-trial log lines off (if Optuna has been imported)."""
    optuna = sys.modules.get("optuna")
    if optuna is not None:
        # ERROR: a failed or interrupted trial's traceback goes to its run (error.txt) and its
        # reason to `sweeps status`, not to the terminal through Optuna's warning
        optuna.logging.set_verbosity(optuna.logging.INFO if verbose else optuna.logging.ERROR)


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
        quiet_optuna()  # the module may have imported Optuna, which logs at INFO by default
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
    """Console entry point: run the CLI and turn errors into one line and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = DEBUG_FLAG in args
    if debug:  # accepted anywhere: move it to the group, where it is declared
        args = [DEBUG_FLAG, *(a for a in args if a != DEBUG_FLAG)]
    quiet_libraries()
    try:
        # without standalone mode, click returns the code of ``ctx.exit(n)`` instead of exiting
        code = cli.main(args=args, prog_name="sweeps", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        # click turns KeyboardInterrupt (and so Interrupted) into Abort, keeping it as the cause
        cause = exc.__cause__ if isinstance(exc, click.exceptions.Abort) else exc
        code = cause.exit_code if isinstance(cause, Interrupted) else 130
        click.echo(
            f"sweeps: {cause or 'interrupted'}; run the same command again to resume", err=True
        )
        sys.exit(code)
    except SweepsError as exc:
        if debug:
            raise
        click.echo(f"sweeps: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
