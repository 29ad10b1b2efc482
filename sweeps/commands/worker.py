"""``sweeps init`` and ``sweeps worker``: create a sweep's stores once; join it from anywhere."""

from __future__ import annotations

import click

from sweeps.commands.options import blas_option, set_option, store_options
from sweeps.commands.show import print_result
from sweeps.infra import signals
from sweeps.infra.urls import redact
from sweeps.results.conclude import conclude
from sweeps.search.runner import run_worker
from sweeps.search.session import blas_threads, open_session


@click.command()
@click.argument("config", type=click.Path(dir_okay=False))
@set_option
@store_options
@click.option("--fresh", is_flag=True, help="Delete the existing study and start a new one.")
def init(
    config: str,
    overrides: tuple[str, ...],
    tracking_uri: str | None,
    storage: str | None,
    study_name: str | None,
    fresh: bool,
) -> None:
    """Create the study, the experiment and the parent run of CONFIG once (idempotent).

    Run it before starting workers on many machines, so none of them races to create a store.
    """
    flags = dict(study_name=study_name, storage=storage, tracking_uri=tracking_uri)
    session = open_session(config, overrides, **flags)
    sweep = session.init(fresh=fresh)
    click.echo(f"study          {sweep.cfg.study_name} on {redact(sweep.storage_url)}")
    click.echo(f"experiment id  {sweep.experiment_id} on {redact(sweep.tracker.uri)}")
    click.echo(f"parent run id  {sweep.parent_run_id}")


@click.command()
@click.argument("config", type=click.Path(dir_okay=False))
@set_option
@store_options
@blas_option
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--no-conclude", is_flag=True, help="Leave testing and packaging the winner to another process."
)
def worker(
    config: str,
    overrides: tuple[str, ...],
    tracking_uri: str | None,
    storage: str | None,
    study_name: str | None,
    blas: int | None,
    quiet: bool,
    no_conclude: bool,
) -> None:
    """Join the sweep of CONFIG and run trials until its budget is used up.

    Start as many as you like, on any machine that reaches the storage and tracking server;
    the budget holds across all of them. The worker that sees the study finish concludes it
    (tests and packages the winner) unless --no-conclude.
    """
    flags = dict(study_name=study_name, storage=storage, tracking_uri=tracking_uri)
    session = open_session(config, overrides, **flags)
    signals.install()
    with blas_threads(blas):
        # `auto` means no writer here: workers are started one per core, none is left for it
        with session.tracker.background(session.cfg.tracking.background is True):
            sweep = session.init()
            outcome = run_worker(sweep, session.data, show_progress=not quiet)
        if outcome.study_done and not no_conclude:
            print_result(conclude(sweep, session.data), config)
        elif not quiet:
            click.echo(f"worker ran {outcome.ran} trial(s); study done: {outcome.study_done}")
