"""``sweeps list``: the sweeps of a tracking store, one line each."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sweeps.commands.options import open_store, tracking_option
from sweeps.commands.render import aligned, local_time, utc_iso
from sweeps.infra import libraries
from sweeps.infra.sqlite import sqlite_file
from sweeps.infra.urls import redact

if TYPE_CHECKING:  # imported when the command runs (MLflow's client: not for --help)
    from sweeps.results.listing import SweepSummary

__all__ = ["list_command"]

FORMATS = ("table", "json")
SHOWN_STATES = ("COMPLETE", "PRUNED", "FAIL", "RUNNING")


@click.command(name="list")
@click.option(
    "--storage",
    help="Optuna storage URL for live trial counts (default: sqlite:///mlruns/optuna.db when "
    "that file exists; without one, counts as each sweep last concluded).",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@tracking_option
def list_command(storage: str | None, fmt: str, tracking_uri: str | None) -> None:
    """List the sweeps of a tracking store: trials by state, best value, champion model
    version and last activity, one line per sweep (experiment and study)."""
    with libraries.imported():  # MLflow's client; the study storage is read with SQL
        from sweeps.results.listing import list_sweeps, read_overviews

    tracker = open_store(tracking_uri, read_only=True)
    url = storage_for_listing(storage)
    sweeps = list_sweeps(tracker, read_overviews(url))
    if fmt == "json":
        click.echo(as_json(tracker.uri, url, sweeps))
    elif not sweeps:
        click.echo(f"no sweeps in tracking store {redact(tracker.uri)}")
    else:
        click.echo("\n".join(as_table(sweeps)))


def storage_for_listing(flag: str | None) -> str | None:
    """``--storage``, else the local default storage when its file exists, else None."""
    from sweeps.study.storage import DEFAULT_STORAGE, resolve_storage_url

    if flag is not None:
        return resolve_storage_url(flag, None)
    default = sqlite_file(DEFAULT_STORAGE)
    return DEFAULT_STORAGE if default is not None and Path(default).is_file() else None


def as_table(sweeps: list[SweepSummary]) -> list[str]:
    """One line per sweep; counts and best value say where they come from."""
    header = ["sweep", "study", "status", *(s.lower() for s in SHOWN_STATES)]
    header += ["counts", "metric", "best", "champion", "last activity"]
    rows = [
        [s.experiment, s.study, s.status.lower()]
        + [s.counts.get(state) if s.counts else None for state in SHOWN_STATES]
        + [
            {"study": "live", "parent run": "concluded", None: None}[s.counts_from],
            s.metric,
            s.best if s.best_from != "study" else f"{s.best:.6g} so far",
            f"{s.champion.model} v{s.champion.version}" if s.champion else None,
            local_time(s.last_activity),
        ]
        for s in sweeps
    ]
    return aligned(header, rows)


def as_json(tracking_uri: str, storage: str | None, sweeps: list[SweepSummary]) -> str:
    """The stores read and every sweep, times in ISO 8601 UTC."""
    items = [{**asdict(s), "last_activity": utc_iso(s.last_activity)} for s in sweeps]
    doc = {
        "tracking_uri": redact(tracking_uri),
        "storage": redact(storage) if storage else None,
        "sweeps": items,
    }
    return json.dumps(doc, indent=2)
