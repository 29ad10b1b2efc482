"""``sweeps reproduce``: retrain a logged trial and say whether its numbers came back.

Exit codes: 0 identical (bit for bit), 1 differs or refused (data changed), 2 unknown run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from sweeps.commands.options import open_store, tracking_option
from sweeps.commands.render import aligned
from sweeps.infra import libraries
from sweeps.records import REPRODUCES_TAG, STUDY_TAG, TRIAL_NUMBER_TAG

if TYPE_CHECKING:  # imported when the command runs (MLflow, scikit-learn: not for --help)
    from sweeps.reproduce.champion import ChampionReproduction
    from sweeps.reproduce.comparison import ReproductionCheck, SeedSpread
    from sweeps.reproduce.retrain import Reproduction

__all__ = ["reproduce_command"]


@click.command(name="reproduce")
@click.argument("run_id")
@click.option(
    "--seeds",
    "k",
    type=click.IntRange(min=2, max=100),
    help="Also retrain with K other seeds (K >= 2) and report each metric's range, mean and "
    "std, and where the original lies against the range.",
)
@tracking_option
def reproduce_command(run_id: str, k: int | None, tracking_uri: str | None) -> None:
    """Retrain the trial logged as RUN_ID from its logged config, keywords and seed, after
    checking that the data and split are unchanged; log the result as a new run tagged
    sweeps.reproduces=RUN_ID and compare every final metric, the weights' hash and the
    out-of-fold predictions. A champion's RUN_ID reproduces every member trial and compares
    the champion's blended out-of-fold predictions.

    Exits 0 when identical bit for bit, 1 when anything differs (or the data changed).
    """
    with libraries.imported():
        from sweeps.reproduce.champion import is_champion, reproduce_champion
        from sweeps.reproduce.retrain import reproduce

    tracker = open_store(tracking_uri)
    if is_champion(tracker, run_id):
        champion = reproduce_champion(tracker, run_id, seeds=k or 0)
        print_champion(champion)
        if not champion.identical:
            raise click.exceptions.Exit(1)
        return
    result = reproduce(tracker, run_id, seeds=k or 0)
    print_reproduction(result)
    if not result.comparison.identical:
        raise click.exceptions.Exit(1)


def print_champion(result: ChampionReproduction) -> None:
    """Each member's reproduction, then the champion's blended out-of-fold predictions."""
    for member, reproduction in result.members:
        click.echo(f"member trial {member.trial} (weight {member.weight:.4g}):")
        print_reproduction(reproduction)
        click.echo("")
    blend = "identical (bit for bit)" if result.blend_same else "differs"
    click.echo(
        f"champion {result.run_id}: {len(result.members)} member(s); blended out-of-fold "
        f"predictions of {result.rows} rows: {blend}"
    )
    click.echo(f"verdict: {'identical (bit for bit)' if result.identical else 'differs'}")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.17g}"


def print_reproduction(result: Reproduction) -> None:
    """The comparison table, the verdict, provenance changes and the seed spread."""
    original, comparison = result.original, result.comparison
    trial = original.tags.get(TRIAL_NUMBER_TAG, "?")
    study = original.tags.get(STUDY_TAG, "?")
    click.echo(
        f"run {original.run_id}: trial {trial} of study {study}, {original.state}, "
        f"seed {original.seed}" + (f", {original.epochs} epoch(s)" if original.epochs else "")
    )
    click.echo("data: fingerprint and split hashes unchanged")
    rows = [("metric", "logged", "reproduced", "abs diff")]
    rows += [(m.name, _num(m.logged), _num(m.now), f"{m.diff:.3g}") for m in comparison.metrics]
    rows.append(_weights_row(comparison))
    if comparison.oof_same is not None:
        same = "same" if comparison.oof_same else "differs"
        rows.append(("out-of-fold predictions", "logged", "reproduced", same))
    _table(rows)
    click.echo(f"verdict: {verdict(comparison)}")
    if not comparison.identical:
        click.echo(f"provenance: {provenance_line(comparison)}")
    if result.spread is not None:
        print_spread(result.spread)
    click.echo(f"new run: {result.run_id} (tag {REPRODUCES_TAG}={original.run_id})")


def _weights_row(comparison: ReproductionCheck) -> tuple[str, str, str, str]:
    logged = (comparison.weights_logged or "not logged")[:12]
    same = {None: "-", True: "same", False: "differs"}[comparison.weights_same]
    return ("weights sha256", logged, comparison.weights_now[:12], same)


def verdict(comparison: ReproductionCheck) -> str:
    """``identical (bit for bit)``, or what differs, largest difference first."""
    if comparison.identical:
        return "identical (bit for bit)"
    parts = [f"{m.name} by {m.diff:.3g}" for m in comparison.differing()]
    if comparison.weights_same is False:
        parts.append("weights sha256")
    if comparison.oof_same is False:
        parts.append("out-of-fold predictions")
    return "differs: " + ", ".join(parts)


def provenance_line(comparison: ReproductionCheck) -> str:
    """Which provenance tags differ from the original run, or that none does."""
    if not comparison.provenance:
        return "no provenance tag differs (same code, packages, BLAS library and threads)"
    changes = [f"{k} {old} -> {new}" for k, (old, new) in comparison.provenance.items()]
    return "differs: " + "; ".join(changes)


#: How the table says where the original lies against the seeds' range.
POSITIONS = {
    "below": "below the range",
    "above": "above the range",
    "within": "within the range",
    "same": "same as every seed",
    "unknown": "-",
}


def print_spread(spread: SeedSpread) -> None:
    """The other seeds' range, mean and std per metric, and where the original lies against
    the range, with how often that happens by chance (no band of mean ± 2 std: from a few
    seeds it is too narrow, or zero)."""
    k = len(spread.seeds) - len(spread.diverged)
    click.echo(f"other seeds ({len(spread.seeds)}): {', '.join(map(str, spread.seeds))}")
    if spread.diverged:
        click.echo(f"diverged (left out): {', '.join(map(str, spread.diverged))}")
    rows = [("metric", "original", "seeds min", "max", "mean", "std", "original vs seeds")]
    rows += [
        (name, f"{spread.original[name]:.6g}", f"{spread.low(name):.6g}",
         f"{spread.high(name):.6g}", f"{spread.mean(name):.6g}", f"{spread.std(name):.3g}",
         POSITIONS[spread.position(name)])
        for name in spread.values
    ]  # fmt: skip
    _table(rows)
    outside = spread.outside()
    if k == 0:
        click.echo("seeds: every other seed diverged: no range to compare the original with")
        return
    if not outside:
        click.echo(f"seeds: the original lies within the {k} seeds' range on every metric")
        return
    n = len(spread.values)
    click.echo(f"seeds: the original lies outside the {k} seeds' range on {len(outside)} of {n} "
               "metrics (table above)")  # fmt: skip
    chance = spread.chance_outside()
    click.echo(
        f"  for scale: chance alone puts one run outside the range of {k} others {chance:.0%}"
    )
    click.echo(
        f"  of the time (2/(K+1)): about {chance * n:.0f} of {n} metrics; more for a trial "
        "chosen for its score"
    )


def _table(rows: list[tuple[str, ...]]) -> None:
    for line in aligned(rows[0], rows[1:]):
        click.echo(line)
