"""``sweeps status``: trials by state, workers alive, best so far, budget left."""

from __future__ import annotations

import click

from sweeps.commands.options import set_option, store_options
from sweeps.config import load_config
from sweeps.errors import RunNotFoundError
from sweeps.infra.sqlite import sqlite_file
from sweeps.infra.urls import redact
from sweeps.status import study_status
from sweeps.study import make_storage, resolve_storage_url


@click.command()
@click.argument("config", type=click.Path(dir_okay=False))
@set_option
@store_options
def status(
    config: str,
    overrides: tuple[str, ...],
    tracking_uri: str | None,
    storage: str | None,
    study_name: str | None,
) -> None:
    """Show the state of the sweep of CONFIG without changing anything."""
    import optuna

    extra = [*overrides, *([f"study.name={study_name}"] if study_name else [])]
    cfg = load_config(config, extra)
    url = resolve_storage_url(storage, cfg.study.storage)
    db = sqlite_file(url)
    if db is not None and not db.exists():
        raise RunNotFoundError(f"no study storage at {db}: run the sweep or `sweeps init` first")
    store = make_storage(url, cfg, on_stale=None)
    if cfg.study_name not in optuna.get_all_study_names(store):
        raise RunNotFoundError(f"no study {cfg.study_name!r} in {redact(url)}")
    study = optuna.load_study(study_name=cfg.study_name, storage=store)
    grace = cfg.study.grace_period or 3 * cfg.study.heartbeat_interval
    st = study_status(study, cfg, url, grace)
    left = "unlimited" if st.budget is None else str(max(st.budget - st.counted, 0))
    click.echo(f"study        {cfg.study_name} on {redact(url)}")
    click.echo(f"budget       {st.budget or 'none'} trials, {st.counted} counted, {left} left")
    click.echo("trials       " + ", ".join(f"{n} {s.lower()}" for s, n in st.counts.items()))
    click.echo(f"workers      {len(st.workers)} alive")
    for name, age in sorted(st.workers.items()):
        click.echo(f"  {name}: heartbeat {age:.0f} s ago")
    click.echo(f"best so far  {st.best}")
