"""``sweeps compare``: two sweeps or two runs side by side."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from sweeps.commands.options import open_store, tracking_option
from sweeps.commands.render import aligned
from sweeps.infra import libraries

if TYPE_CHECKING:  # imported when the command runs (MLflow's client: not for --help)
    from sweeps.results.compare import Pair, SideBySide

__all__ = ["compare_command"]

FORMATS = ("table", "json")


@click.command(name="compare")
@click.argument("a")
@click.argument("b")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@tracking_option
def compare_command(a: str, b: str, fmt: str, tracking_uri: str | None) -> None:
    """Show A and B side by side: two sweeps (sweep files or experiment names; a sweep is
    shown through its trials by state, best value, champion, settings and winner's run) or
    two runs (run ids). Settings and params where they differ; final and test metrics."""
    with libraries.imported():  # MLflow's client, and only it
        from sweeps.results.compare import compare, parse_refs, resolve_side

    refs, configured = parse_refs([a, b])
    tracker = open_store(tracking_uri, configured, read_only=True)
    comparison = compare(resolve_side(tracker, refs[0]), resolve_side(tracker, refs[1]))
    click.echo(as_json(comparison) if fmt == "json" else "\n".join(as_table(comparison)))


SECTIONS = (
    ("settings", "settings that differ"),
    ("params", "params that differ"),
    ("final", "final metrics"),
    ("test", "test metrics"),
)


def as_table(comparison: SideBySide) -> list[str]:
    """The facts, then one titled block per section that has rows."""
    rows: list[list[Any]] = [[name, *pair] for name, pair in comparison.facts.items()]
    for key, title in SECTIONS:
        section: dict[str, Pair] = getattr(comparison, key)
        if section:
            rows.append([title, "", ""])
            rows += [[f"  {name}", *map(_short, pair)] for name, pair in section.items()]
    return aligned(["", f"A: {comparison.a.ref}", f"B: {comparison.b.ref}"], rows)


#: Longest text a table cell shows whole (a champion's ``how`` is a paragraph); JSON keeps all.
CELL_CHARS = 60


def _short(value: Any) -> Any:
    """``value``, or a long text cut to :data:`CELL_CHARS` with an ellipsis."""
    if isinstance(value, str) and len(value) > CELL_CHARS:
        return value[: CELL_CHARS - 1] + "…"
    return value


def as_json(comparison: SideBySide) -> str:
    """Each section as ``{name: [A, B]}``."""
    doc: dict[str, Any] = {"a": comparison.a.ref, "b": comparison.b.ref}
    doc["facts"] = {k: list(v) for k, v in comparison.facts.items()}
    for key, _ in SECTIONS:
        doc[key] = {k: list(v) for k, v in getattr(comparison, key).items()}
    return json.dumps(doc, indent=2)
