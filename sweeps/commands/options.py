"""Options shared by several subcommands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


def store_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--tracking-uri``, ``--storage`` and ``--study``."""
    fn = click.option("--study", "study_name", help="Optuna study name (default: the sweep name).")(
        fn
    )
    fn = click.option(
        "--storage", help="Optuna storage URL (default: sqlite:///mlruns/optuna.db)."
    )(fn)
    return click.option(
        "--tracking-uri",
        help="MLflow tracking URI (default: config, then $MLFLOW_TRACKING_URI, "
        "then sqlite:///mlruns/mlflow.db).",
    )(fn)


def set_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Repeatable ``--set key.path=value``."""
    return click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY.PATH=VALUE",
        help="Override a config value (YAML-parsed), e.g. --set model.activation=tanh.",
    )(fn)


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
