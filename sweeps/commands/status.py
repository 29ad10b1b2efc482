"""``sweeps status``: trials by state, workers alive, best so far, budget left."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from sweeps.commands.options import sweep_flags
from sweeps.infra import libraries
from sweeps.infra.urls import redact

if TYPE_CHECKING:
    from sweeps.spec.reading import Flags

__all__ = ["status"]


@click.command()
@click.argument("config", type=click.Path(dir_okay=False))
@sweep_flags(tracking=False)
def status(
    config: str,
    flags: Flags,
) -> None:
    """Show the state of the sweep of CONFIG without changing anything."""
    with libraries.imported():  # Optuna's storage, and only it
        from sweeps.spec.reading import resolve_config
        from sweeps.study.budget import recorded_budget
        from sweeps.study.status import study_status
        from sweeps.study.storage import read_study, resolve_storage_url

    cfg = resolve_config(config, flags)
    url = resolve_storage_url(None, cfg.study.storage)
    study = read_study(url, cfg.study_name)
    grace = cfg.study.grace_period or 3 * cfg.study.heartbeat_interval
    st = study_status(study, cfg.objective, recorded_budget(study, cfg.study.n_trials), url, grace)
    left = "unlimited" if st.budget is None else str(max(st.budget - st.counted, 0))
    click.echo(f"study        {cfg.study_name} on {redact(url)}")
    click.echo(f"budget       {st.budget or 'none'} trials, {st.counted} counted, {left} left")
    click.echo("trials       " + ", ".join(f"{n} {s.lower()}" for s, n in st.counts.items()))
    click.echo(f"workers      {len(st.workers)} alive")
    for name, age in sorted(st.workers.items()):
        click.echo(f"  {name}: heartbeat {age:.0f} s ago")
    click.echo(f"champion     {st.champion}")
    click.echo(f"best trial   {st.best}")
