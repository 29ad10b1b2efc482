"""``sweeps status``: trials by state, workers alive, best so far, budget left."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from sweeps.commands.options import sweep_flags
from sweeps.infra import libraries
from sweeps.infra.urls import redact

if TYPE_CHECKING:
    from sweeps.spec.flags import Flags

__all__ = ["status"]


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@sweep_flags(tracking=False)
def status(
    config: str | None,
    flags: Flags,
) -> None:
    """Show the state of the sweep of CONFIG without changing anything. Without CONFIG: the
    one study of the storage (--storage, else sqlite:///mlruns/optuna.db), or --study NAME."""
    if config is None and flags.sets:
        raise click.UsageError("--set needs CONFIG")
    with libraries.imported():  # Optuna's storage, and only it
        from sweeps.spec.reading import resolve_config
        from sweeps.study.budget import recorded_budget
        from sweeps.study.status import DEFAULT_GRACE, recorded_goal, study_status
        from sweeps.study.storage import only_study_name, read_study, resolve_storage_url

    if config is None:
        url = resolve_storage_url(flags.storage, None)
        name = flags.study_name or only_study_name(url, STUDY_HINT)
        study = read_study(url, name)
        goal, budget, grace = recorded_goal(study), recorded_budget(study, None), DEFAULT_GRACE
    else:
        cfg = resolve_config(config, flags)
        url, name = resolve_storage_url(None, cfg.study.storage), cfg.study_name
        study = read_study(url, name)
        goal, budget = cfg.objective, recorded_budget(study, cfg.study.n_trials)
        grace = cfg.study.grace_period or 3 * cfg.study.heartbeat_interval
    st = study_status(study, goal, budget, url, grace)
    left = "unlimited" if st.budget is None else str(max(st.budget - st.counted, 0))
    click.echo(f"study        {name} on {redact(url)}")
    click.echo(f"budget       {st.budget or 'none'} trials, {st.counted} counted, {left} left")
    click.echo("trials       " + ", ".join(f"{n} {s.lower()}" for s, n in st.counts.items()))
    click.echo(f"workers      {len(st.workers)} alive")
    for worker, age in sorted(st.workers.items()):
        click.echo(f"  {worker}: heartbeat {age:.0f} s ago")
    click.echo(f"champion     {st.champion}")
    click.echo(f"best trial   {st.best}")


#: What a storage of several studies asks for.
STUDY_HINT = "give CONFIG or --study NAME (sweeps list shows the sweeps)"
