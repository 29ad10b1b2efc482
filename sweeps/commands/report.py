"""``sweeps report``: the sweep's report and study plots, written to a local folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from sweeps.commands.options import open_store, sweep_flags
from sweeps.infra import libraries

if TYPE_CHECKING:
    from sweeps.spec.flags import Flags

__all__ = ["report_command"]

REPORT_NAME = "report.md"  # sweeps.report.write's (it imports Optuna and MLflow)


def report_paths(output: str | None, study_name: str) -> tuple[Path, str]:
    """``(folder, file name)``: ``--output`` is a folder, or a ``.md`` file whose folder also
    receives ``plots/``; by default ``mlruns/reports/STUDY/`` (run outputs stay out of git)."""
    if output is None:
        return Path("mlruns") / "reports" / study_name, REPORT_NAME
    path = Path(output)
    if path.suffix.lower() == ".md":
        return path.parent, path.name
    return path, REPORT_NAME


@click.command("report")
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--output",
    "-o",
    metavar="PATH",
    help="Folder for report.md, report.html and plots/, or the .md file to write "
    "(default: mlruns/reports/STUDY/).",
)
@sweep_flags()
def report_command(
    config: str | None,
    output: str | None,
    flags: Flags,
) -> None:
    """Write the report of CONFIG's sweep (the one logged on its parent run): how the champion
    was chosen, its test score, the top trials, the study plots, the search space and the
    config, as Markdown and as one self-contained HTML page. Without CONFIG: the one sweep of
    the tracking store, as its parent run logged it. Only reads the stores."""
    if config is None and (flags.sets or flags.study_name):
        raise click.UsageError("--set and --study need CONFIG")
    with libraries.imported():
        from sweeps.report.write import write_report
        from sweeps.results.listing import logged_config, only_sweep
        from sweeps.spec.reading import resolve_config
        from sweeps.study.storage import read_study, resolve_storage_url

    if config is None:
        tracker = open_store(flags.tracking_uri, read_only=True)
        cfg = logged_config(tracker, only_sweep(tracker, SWEEP_HINT)[2])
        storage = resolve_storage_url(flags.storage, cfg.study.storage)
    else:
        cfg = resolve_config(config, flags)
        tracker = open_store(None, cfg.tracking.uri, read_only=True)
        storage = resolve_storage_url(None, cfg.study.storage)
    study = read_study(storage, cfg.study_name)
    folder, name = report_paths(output, cfg.study_name)
    path, plots = write_report(study, cfg, tracker, folder, name)
    click.echo(f"report  {path.with_suffix('.html')} (open it in a browser; Markdown: {path.name})")
    click.echo(f"plots   {len(plots.png)} in {folder / 'plots'}")
    for plot, reason in plots.failed.items():
        click.echo(f"note: plot {plot} failed: {reason}")


#: What a store of several sweeps asks for.
SWEEP_HINT = "give CONFIG (sweeps list shows them)"
