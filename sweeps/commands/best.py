"""``sweeps best``: the top trials of a sweep as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import click

from sweeps.commands.options import open_store, sweep_flags
from sweeps.commands.render import aligned
from sweeps.infra import libraries

if TYPE_CHECKING:  # imported when the command runs (MLflow's client: not for --help)
    from sweeps.results.best import BestTrial, ChampionSummary, Ranking
    from sweeps.spec.flags import Flags

__all__ = ["best"]

FORMATS = ("table", "json", "csv")
#: What a store of several sweeps asks for.
SWEEP_HINT = "give CONFIG or --experiment NAME (sweeps list shows them)"


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option("--experiment", help="Rank the latest sweep of this MLflow experiment (no CONFIG).")
@click.option("--top", "k", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@sweep_flags(storage=False)
def best(config: str | None, experiment: str | None, k: int, fmt: str, flags: Flags) -> None:
    """List the top K COMPLETE trials of a sweep by its selection metric, with run ids,
    searched params and final metrics. Give the sweep's CONFIG, or --experiment NAME to rank
    by the metric and direction its parent run recorded; without either, the one sweep of
    the tracking store."""
    if config is not None and experiment is not None:
        raise click.UsageError("give either CONFIG or --experiment NAME")
    if config is None:
        _check_experiment_flags(flags)
    with libraries.imported():  # MLflow's client, and only it
        from sweeps.results.best import (
            champion_of,
            latest_parent,
            ranking_from_config,
            ranking_from_parent,
            top_trials,
        )
        from sweeps.results.listing import only_sweep
        from sweeps.spec.reading import resolve_config

    if config is not None:
        cfg = resolve_config(config, flags)
        tracker = open_store(None, cfg.tracking.uri, read_only=True)
        ranking = ranking_from_config(cfg)
    else:
        tracker = open_store(flags.tracking_uri, read_only=True)
        study = flags.study_name
        if experiment is None:  # the store's only sweep
            experiment, only_study, _ = only_sweep(tracker, SWEEP_HINT)
            study = study or only_study
        ranking = ranking_from_parent(tracker, experiment, study)
    parent = latest_parent(tracker, ranking)
    champion = champion_of(parent)
    trials = top_trials(tracker, ranking, k, champion, parent.run_id if parent else None)
    click.echo(RENDER[fmt](ranking, trials, champion), nl=fmt != "csv")


def _check_experiment_flags(flags: Flags) -> None:
    """Usage errors of ``--experiment NAME``: no ``--set``, a valid ``--study``."""
    if flags.sets:
        raise click.UsageError("--set needs CONFIG")
    if flags.study_name is not None:
        from sweeps.spec.schema import safe_name

        try:
            safe_name(flags.study_name)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--study") from None


def as_json(ranking: Ranking, trials: list[BestTrial], champion: ChampionSummary | None) -> str:
    """The ranking, the champion and the trials as one JSON document."""
    doc = {
        "experiment": ranking.experiment,
        "study": ranking.study,
        "metric": ranking.metric,
        "direction": ranking.direction,
        "champion": None if champion is None else {**asdict(champion), "kind": champion.kind},
        "trials": [asdict(t) for t in trials],
    }
    return json.dumps(doc, indent=2)


def _rows(ranking: Ranking, trials: list[BestTrial]) -> tuple[list[str], list[list[Any]]]:
    params = list(dict.fromkeys(p for t in trials for p in t.params))
    metrics = list(dict.fromkeys(m for t in trials for m in t.metrics if m != ranking.column))
    header = ["rank", "trial", "run_id", ranking.column, "champion", *params, *metrics]
    rows = [
        [t.rank, t.number, t.run_id, t.value, _weight(t)]
        + [t.params.get(p, "") for p in params]
        + [t.metrics.get(m, "") for m in metrics]
        for t in trials
    ]
    return header, rows


def _weight(trial: BestTrial) -> str:
    return "" if trial.champion_weight is None else f"{trial.champion_weight:.2f}"


def as_csv(ranking: Ranking, trials: list[BestTrial], champion: ChampionSummary | None) -> str:
    """One header line, then one line per trial (floats at full precision)."""
    header, rows = _rows(ranking, trials)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def as_table(ranking: Ranking, trials: list[BestTrial], champion: ChampionSummary | None) -> str:
    """The champion, then the trials in aligned columns, numbers to 6 significant digits."""
    header, rows = _rows(ranking, trials)
    title = f"study {ranking.study}: top {len(trials)} by {ranking.metric} ({ranking.direction})"
    lines = aligned(header, rows, numbers_right=False)
    return "\n".join([*champion_lines(champion), title, *lines])


def champion_lines(champion: ChampionSummary | None) -> list[str]:
    """Who the champion is (its members by weight) and its validation score."""
    if champion is None:
        return ["champion: none yet (chosen when the sweep concludes)"]
    members = sorted(champion.members.items(), key=lambda item: -item[1])
    if champion.kind == "trial":
        what = f"trial {members[0][0]}"
    else:
        weights = ", ".join(f"trial {n} ({w:.2f})" for n, w in members)
        what = f"ensemble of {len(members)} trials: {weights}"
    score = f"{champion.metric} {champion.score:.6g}"
    return [f"champion: {what}; {score}; run {champion.run_id}"]


RENDER = {"table": as_table, "json": as_json, "csv": as_csv}
