"""The learning curves of every trial, the champion's members highlighted.

Members of the champion are drawn thick in their own colours and named with their weights;
other complete trials thin and muted, pruned (and failed) trials thinner and light grey. The
legend says which is which in a handful of entries, beside the plot rather than over the lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__: list[str] = []  # nothing here for other packages

#: Trial curves: number -> (state name, [(epoch, value)]).
Curves = Mapping[int, tuple[str, Sequence[tuple[int, float]]]]
MEMBER_COLOURS = ("#d62728", "#ff7f0e", "#9467bd", "#2ca02c", "#8c564b", "#e377c2")


@dataclass(frozen=True)
class LineStyle:
    """How one kind of trial is drawn."""

    color: str
    lw: float
    alpha: float
    zorder: int


COMPLETE = LineStyle("#4a6f94", 0.9, 0.45, 2)
PRUNED = LineStyle("#b0b0b0", 0.6, 0.5, 1)


def member_style(rank: int) -> LineStyle:
    """The style of the champion's ``rank``-th member (heaviest first)."""
    colour = MEMBER_COLOURS[rank % len(MEMBER_COLOURS)]
    return LineStyle(colour, 2.2, 0.95, 3 + rank)


def style_of(number: int, state: str, members: Sequence[int]) -> LineStyle:
    """A trial's line style: by its rank among the champion's ``members``, else by state."""
    if number in members:
        return member_style(list(members).index(number))
    return COMPLETE if state == "COMPLETE" else PRUNED


def draw_curves(
    ax: Any, curves: Curves, weights: Mapping[int, float], ylabel: str, title: str
) -> Any:
    """Draw ``curves`` on ``ax`` (members of ``weights`` highlighted) with a legend outside
    the plot; a log scale when every value is positive."""
    from matplotlib.lines import Line2D

    members = [n for n, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))]
    for number, (state, points) in sorted(curves.items()):
        if not points:
            continue
        steps, values = zip(*points, strict=True)
        style = style_of(number, state, members)
        ax.plot(steps, values, color=style.color, lw=style.lw, alpha=style.alpha,
                zorder=style.zorder, gid=f"trial-{number}")  # fmt: skip
    handles = [
        Line2D(
            [],
            [],
            color=member_style(i).color,
            lw=member_style(i).lw,
            label=_member_label(n, weights),
        )
        for i, n in enumerate(members)
        if n in curves
    ]
    counts = _counts(curves, members)
    for style, label in ((COMPLETE, "other complete trials"), (PRUNED, "pruned trials")):
        if counts[label]:
            handles.append(
                Line2D([], [], color=style.color, lw=1.5, label=f"{label} ({counts[label]})")
            )
    values = [v for _, pts in curves.values() for _, v in pts]
    if values and min(values) > 0:
        ax.set_yscale("log")
    ax.set(title=title, xlabel="epoch", ylabel=ylabel)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              frameon=False)  # fmt: skip
    return ax


def _member_label(number: int, weights: Mapping[int, float]) -> str:
    if len(weights) == 1:
        return f"champion: trial {number}"
    return f"champion member: trial {number} (weight {weights[number]:.2f})"


def _counts(curves: Curves, members: Sequence[int]) -> dict[str, int]:
    others = [state for n, (state, pts) in curves.items() if n not in members and pts]
    done = sum(1 for state in others if state == "COMPLETE")
    return {"other complete trials": done, "pruned trials": len(others) - done}
