"""``sweeps ui``: the MLflow UI on the project's tracking store, bound to 127.0.0.1."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from sweeps.commands.options import open_store, set_option, tracking_option
from sweeps.infra import libraries, signals
from sweeps.infra.serve import check_port_free, is_loopback, serve, url_host
from sweeps.infra.sqlite import sqlite_file
from sweeps.infra.urls import redact
from sweeps.tracking.runs_view import runs_view, view_query, view_tags

if TYPE_CHECKING:
    from sweeps.tracking import TrackingStore

__all__ = ["mlflow_ui"]

NAME = "MLflow UI"


def mlflow_ui_command(
    uri: str, host: str, port: int, artifact_root: str | None, allowed_hosts: str | None
) -> list[str]:
    """``python -m mlflow ui`` on ``uri``; a local store keeps new artifacts beside it."""
    command = [sys.executable, "-m", "mlflow", "ui", "--backend-store-uri", uri]
    command += ["--host", host, "--port", str(port), "--workers", "1"]
    if artifact_root is not None:
        command += ["--default-artifact-root", artifact_root]
        command += ["--artifacts-destination", artifact_root]
    if allowed_hosts:
        command += ["--allowed-hosts", allowed_hosts]
    return command


def page_url(base: str, experiment_id: str | None) -> str:
    """The experiment's runs list in the sweep's view, or the experiment list.

    The view (:mod:`~sweeps.tracking.runs_view`: objective and searched params as columns,
    sorted by the objective, best first) is an experiment tag the URL names;
    ``workflowType=machine_learning`` opens MLflow 3's "Model training" view (Runs, Models,
    Model registry) instead of its default GenAI one (traces, evaluations).
    """
    base = base.rstrip("/")
    if experiment_id is None:
        return f"{base}/#/experiments"
    return f"{base}/#/experiments/{experiment_id}/runs?{view_query()}"


def _resolve(
    config: str | None, overrides: tuple[str, ...], tracking_uri: str | None
) -> tuple[TrackingStore, str | None, str | None]:
    """``(tracker, experiment id, configured artifact location)`` of CONFIG, or of the store;
    the experiment of CONFIG gets the sweep's view of its runs list (written afresh: a store
    from an older sweeps gets it too)."""
    with libraries.imported():  # MLflow's client
        from sweeps.spec.reading import Flags, resolve_config
        from sweeps.tracking import experiment_named

    if config is None:
        return open_store(tracking_uri), None, None
    cfg = resolve_config(config, Flags(overrides, tracking_uri=tracking_uri))
    tracker = open_store(None, cfg.tracking.uri)
    experiment_id = experiment_named(tracker, cfg.name)
    view = runs_view(cfg.objective.metric, cfg.objective.directions, list(cfg.space))
    tracker.tag_experiment(experiment_id, view_tags(view))
    return tracker, experiment_id, cfg.tracking.artifact_location


def warn_exposed(host: str, port: int) -> None:
    """Say loudly that a UI reachable from other machines has no authentication."""
    click.echo(
        f"sweeps: warning: the MLflow UI has no authentication: anyone who can reach "
        f"{host}:{port} can read, change and delete these runs. MLflow accepts requests "
        "addressed to localhost and private IPs only; add names with --allowed-hosts.",
        err=True,
    )


@click.command("ui")
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option("--port", "-p", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to bind; anything but loopback exposes the UI (no authentication).",
)
@click.option(
    "--allowed-hosts",
    metavar="NAMES",
    help="Host names MLflow accepts besides localhost and private IPs (passed to mlflow ui).",
)
@tracking_option
@click.option(
    "--wait",
    type=click.FloatRange(min=1),
    default=180.0,
    show_default=True,
    help="Seconds to wait for the UI to answer (its first start takes ~20 s).",
)
@set_option
def mlflow_ui(
    config: str | None,
    port: int,
    host: str,
    allowed_hosts: str | None,
    tracking_uri: str | None,
    wait: float,
    overrides: tuple[str, ...],
) -> None:
    """Browse the sweeps of the tracking store in the MLflow UI; with CONFIG, print the URL of
    that sweep's runs table (its parent run expands into one child run per trial).

    Runs until Ctrl-C or SIGTERM, which stop the UI and exit 0.
    """
    tracker, experiment_id, artifact_location = _resolve(config, overrides, tracking_uri)
    if tracker.uri.startswith(("http://", "https://")):
        click.echo(page_url(tracker.uri, experiment_id))  # a server already serves the UI
        return
    check_port_free(host, port)
    if not is_loopback(host):
        warn_exposed(host, port)
    from sweeps.tracking import artifact_root_for

    local = sqlite_file(tracker.uri) is not None
    root = artifact_root_for(tracker.uri, artifact_location) if local else None
    command = mlflow_ui_command(tracker.uri, host, port, root, allowed_hosts)
    base = f"http://{url_host(host)}:{port}"
    url = page_url(base, experiment_id)
    click.echo(f"sweeps: starting the MLflow UI on {redact(tracker.uri)} ...", err=True)
    signals.install()
    serve(NAME, command, f"{base}/health", timeout=wait, on_ready=lambda: _ready(url))


def _ready(url: str) -> None:
    click.echo(url)
    click.echo("sweeps: MLflow UI ready; press Ctrl-C to stop it", err=True)
