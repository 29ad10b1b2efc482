"""Options shared by the subcommands, and the one place command-line values become
:class:`~sweeps.spec.flags.Flags` (a plain value: ``--help`` and usage errors need neither
pydantic nor the sweep file's schema)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sweeps.infra import libraries

if TYPE_CHECKING:
    from sweeps.tracking import TrackingStore

__all__: list[str] = []  # nothing here for other packages

TRACKING_HELP = (
    "MLflow tracking URI (default: the sweep file's, when one is given, then "
    "$MLFLOW_TRACKING_URI, then sqlite:///mlruns/mlflow.db)."
)
STORAGE_HELP = "Optuna storage URL (default: the config's, then sqlite:///mlruns/optuna.db)."


def open_store(
    flag: str | None, configured: str | None = None, read_only: bool = False
) -> TrackingStore:
    """The existing tracking store a command reads: ``--tracking-uri`` (``flag``), else the
    sweep file's (``configured``), else ``$MLFLOW_TRACKING_URI``, else the local default. A
    missing local store is refused, never created. A command that only reads (``read_only``)
    reads a local SQLite store without importing MLflow (:mod:`~sweeps.tracking.sqlite_reader`)."""
    from sweeps.tracking import open_reader, resolve_tracking_uri

    uri = resolve_tracking_uri(flag, configured)
    reader = open_reader(uri, functools.partial(_open_existing, uri)) if read_only else None
    return reader if reader is not None else _open_existing(uri)


def _open_existing(uri: str) -> TrackingStore:
    with libraries.imported():  # MLflow's client
        from sweeps.tracking import open_existing

        return open_existing(uri)


def tracking_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--tracking-uri`` alone, for commands that read only MLflow."""
    return click.option("--tracking-uri", help=TRACKING_HELP)(fn)


def sweep_flags(
    *, storage: bool = True, tracking: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--set`` and ``--study``, plus ``--storage`` and ``--tracking-uri`` for the commands that
    use those stores, handed to the command as one ``flags: Flags`` argument (typed values;
    ``--set`` values are YAML). A command is offered only the flags it uses."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(
            *args: Any, overrides: tuple[str, ...], study_name: str | None, **kw: Any
        ) -> Any:
            from sweeps.spec.flags import Flags

            flags = Flags(
                tuple(overrides), study_name, kw.pop("storage", None), kw.pop("tracking_uri", None)
            )
            return fn(*args, flags=flags, **kw)

        decorated: Callable[..., Any] = wrapper
        if tracking:
            decorated = tracking_option(decorated)
        if storage:
            decorated = click.option("--storage", help=STORAGE_HELP)(decorated)
        decorated = click.option(
            "--study", "study_name", help="Optuna study name (default: the sweep name)."
        )(decorated)
        return set_option(decorated)

    return decorate


def set_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Repeatable ``--set key.path=value``."""
    return click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY.PATH=VALUE",
        help="Override a config value (YAML-parsed), e.g. --set model.activation=tanh.",
    )(fn)


def output_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-o/--output FILE``, handed to the command as ``out`` (a Path, or None for standard
    output); ``help_text`` says what is written there."""
    return click.option(
        "-o",
        "--output",
        "out",
        type=click.Path(dir_okay=False, path_type=Path),
        help=help_text,
    )


def blas_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--blas-threads N`` (default 1: N workers on N cores do not oversubscribe)."""
    return click.option(
        "--blas-threads",
        "blas",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="BLAS threads per process.",
    )(fn)
