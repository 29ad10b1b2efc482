"""``sweeps init``: create a sweep's study, experiment and parent run once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from sweeps.commands.options import sweep_flags
from sweeps.infra import libraries
from sweeps.infra.urls import redact

if TYPE_CHECKING:
    from sweeps.spec.flags import Flags

__all__ = ["init"]


@click.command()
@click.argument("config", type=click.Path(dir_okay=False))
@sweep_flags()
@click.option("--fresh", is_flag=True, help="Delete the existing study and start a new one.")
def init(config: str, flags: Flags, fresh: bool) -> None:
    """Create the study, the experiment and the parent run of CONFIG once (idempotent).

    Run it before starting workers on many machines, so none of them races to create a store.
    """
    with libraries.imported():
        from sweeps.search.launch import load_inputs

    sweep = load_inputs(config, flags).init(fresh=fresh)
    click.echo(f"study          {sweep.cfg.study_name} on {redact(sweep.storage_url)}")
    click.echo(f"experiment id  {sweep.experiment_id} on {redact(sweep.tracker.uri)}")
    click.echo(f"parent run id  {sweep.parent_run_id}")
