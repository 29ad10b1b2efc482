"""``sweeps export``: a trial of a sweep (its winner by default) as a one-trial sweep file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from sweeps.commands.options import open_store, output_option, sweep_flags
from sweeps.infra import libraries

if TYPE_CHECKING:
    from sweeps.spec.flags import Flags

__all__ = ["export"]


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option("--run", "run_id", help="Export this trial run instead (no CONFIG).")
@click.option("--trial", "number", type=click.IntRange(min=0), help="Trial N of the sweep.")
@click.option("--name", help="The new sweep's name (default: <sweep>-best or <sweep>-trial-N).")
@output_option("Write the sweep file here (default: standard output).")
@sweep_flags(storage=False)
def export(
    config: str | None,
    run_id: str | None,
    number: int | None,
    name: str | None,
    out: Path | None,
    flags: Flags,
) -> None:
    """Print the winner of the sweep of CONFIG (or --trial N of it, or the trial --run
    RUN_ID) as a sweep file of one trial with every value it trained with pinned: same
    data, split and seed, nothing searched, a new name. `sweeps run` takes it as it is."""
    if (config is None) == (run_id is None):
        raise click.UsageError("give either CONFIG or --run RUN_ID")
    if config is None and (number is not None or flags.sets or flags.study_name):
        raise click.UsageError("--trial, --set and --study need CONFIG")
    with libraries.imported():  # MLflow's client, and only it
        from sweeps.results.export import choose_trial, export_trial
        from sweeps.spec.reading import resolve_config

    if config is not None:
        cfg = resolve_config(config, flags)
        tracker = open_store(None, cfg.tracking.uri, read_only=True)
        run = choose_trial(tracker, experiment=cfg.name, study=cfg.study_name, number=number)
    else:
        tracker = open_store(flags.tracking_uri, read_only=True)
        run = choose_trial(tracker, run_id=run_id)
    exported = export_trial(tracker, run, name)
    if out is None:
        click.echo(exported.text, nl=False)
    else:
        out.write_text(exported.text)
        click.echo(f"sweeps: wrote {out}: run it with: sweeps run {out}", err=True)
