"""Options shared by several subcommands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from sweeps.config import SweepConfig, load_config


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


def load_with_flags(
    config: str,
    overrides: tuple[str, ...],
    *,
    study_name: str | None = None,
    storage: str | None = None,
    tracking_uri: str | None = None,
    trials: int | None = None,
    timeout: float | None = None,
) -> SweepConfig:
    """Load the config with ``--set`` overrides, then the dedicated flags on top."""
    extra = list(overrides)
    for key, value in (
        ("study.name", study_name),
        ("study.storage", storage),
        ("tracking.uri", tracking_uri),
        ("study.n_trials", trials),
        ("study.timeout", timeout),
    ):
        if value is not None:
            extra.append(f"{key}={value}")
    return load_config(config, extra)
