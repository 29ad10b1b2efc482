"""``sweeps dashboard``: optuna-dashboard on the sweep's study storage, when it is installed."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sweeps.commands.options import sweep_flags
from sweeps.errors import SweepsError
from sweeps.infra import libraries, signals
from sweeps.infra.serve import check_port_free, is_loopback, serve, url_host
from sweeps.infra.urls import redact

if TYPE_CHECKING:
    from sweeps.spec.flags import Flags

__all__ = ["dashboard_command"]

NAME = "optuna-dashboard"
INSTALL_HINT = "optuna-dashboard is not installed: pip install optuna-dashboard"


def dashboard_executable() -> str:
    """The ``optuna-dashboard`` console script of this environment (or on PATH)."""
    beside = Path(sys.executable).parent / NAME
    found = str(beside) if beside.is_file() else shutil.which(NAME)
    if found is None:
        raise SweepsError(INSTALL_HINT)
    return found


@click.command("dashboard")
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--port", "-p", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option(
    "--wait", type=click.FloatRange(min=1), default=60.0, show_default=True,
    help="Seconds to wait for the dashboard to answer.",
)  # fmt: skip
@sweep_flags(tracking=False)
def dashboard_command(
    config: str,
    port: int,
    host: str,
    wait: float,
    flags: Flags,
) -> None:
    """Open CONFIG's study in optuna-dashboard (pip install optuna-dashboard).

    Runs until Ctrl-C or SIGTERM, which stop the dashboard and exit 0.
    """
    executable = dashboard_executable()
    with libraries.imported():  # Optuna's storage
        from sweeps.spec.reading import resolve_config
        from sweeps.study.storage import read_study, resolve_storage_url

    cfg = resolve_config(config, flags)
    url = resolve_storage_url(None, cfg.study.storage)
    read_study(url, cfg.study_name)  # exists, or a one-line error
    check_port_free(host, port)
    if not is_loopback(host):
        click.echo(f"sweeps: warning: {NAME} has no authentication", err=True)
    base = f"http://{url_host(host)}:{port}"
    command = [executable, url, "--host", host, "--port", str(port), "--quiet"]
    click.echo(f"sweeps: starting {NAME} on {redact(url)} ...", err=True)
    signals.install()
    serve(NAME, command, f"{base}/api/meta", timeout=wait, on_ready=lambda: _ready(base))


def _ready(base: str) -> None:
    click.echo(f"{base}/dashboard")
    click.echo(f"sweeps: {NAME} ready; press Ctrl-C to stop it", err=True)
