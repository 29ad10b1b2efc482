"""``sweeps run``: one sweep from one YAML file."""

from __future__ import annotations

import click

from sweeps.commands.options import load_with_flags, set_option, store_options
from sweeps.commands.show import print_result
from sweeps.dataset import load_sweep_data
from sweeps.errors import Interrupted
from sweeps.finish import close_parent, conclude
from sweeps.runner import init_sweep, run_worker
from sweeps.study import resolve_storage_url
from sweeps.tracking import Tracker, resolve_tracking_uri


@click.command()
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--trials", type=click.IntRange(min=1), help="Total trial budget of the study.")
@click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), help="Stop after S seconds."
)
@set_option
@store_options
@click.option("--fresh", is_flag=True, help="Delete the existing study and start a new one.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def run(
    config: str,
    trials: int | None,
    timeout: float | None,
    overrides: tuple[str, ...],
    tracking_uri: str | None,
    storage: str | None,
    study_name: str | None,
    fresh: bool,
    quiet: bool,
) -> None:
    """Run (or resume) the sweep described by CONFIG, then print the best trial.

    Running the same CONFIG again resumes the study toward its trial budget.
    """
    from sweeps.cli import install_signal_handlers

    cfg = load_with_flags(
        config, overrides, study_name=study_name, storage=storage,
        tracking_uri=tracking_uri, trials=trials, timeout=timeout,
    )  # fmt: skip
    data = load_sweep_data(cfg, config)
    tracker = Tracker(resolve_tracking_uri(None, cfg.tracking.uri), cfg.tracking.artifact_location)
    install_signal_handlers()
    sweep = init_sweep(cfg, resolve_storage_url(None, cfg.study.storage), tracker, fresh=fresh)
    try:
        run_worker(sweep, data, show_progress=not quiet)
    except Interrupted:
        close_parent(sweep, "KILLED")
        raise
    print_result(conclude(sweep, data), config)
