"""Finishing touches on the figures ``optuna.visualization.matplotlib`` draws, so that they read
at the width of the report page: the champion marked on the optimisation history, importances
with their spread, the slice plot in a grid, parallel coordinates with room and legible labels.

Each function takes the figure Optuna returned and changes it in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sweeps.report.importances import Importance

__all__: list[str] = []  # nothing here for other packages

#: Slice panels per row.
SLICE_COLUMNS = 3
#: Inches per slice panel, and per axis of the parallel coordinates.
PANEL = (3.2, 2.6)
AXIS_GAP = 1.45
HISTORY_SIZE = (9.0, 4.5)
MEMBER_COLOUR = "#d62728"


def mark_champion(
    ax: Any,
    values: Mapping[int, float],
    weights: Mapping[int, float],
    line: tuple[float, str] | None,
) -> None:
    """Ring the champion's member trials on the history (``values``: trial -> value) and draw
    ``line`` (its score and label) across it; the legend goes beside the plot."""
    members = [n for n in weights if n in values]
    if members:
        sizes = [60 + 240 * weights[n] for n in members]
        label = "champion member (size: weight)" if len(weights) > 1 else "champion"
        ax.scatter(members, [values[n] for n in members], s=sizes, facecolors="none",
                   edgecolors=MEMBER_COLOUR, linewidths=2, zorder=5, label=label)  # fmt: skip
    if line is not None:
        ax.axhline(line[0], color=MEMBER_COLOUR, linestyle="--", lw=1.2, label=line[1])
    for artist in (*ax.collections[:1], *ax.get_lines()[:1]):  # Optuna's points and best line
        if artist.get_label() == "Best Value":
            artist.set_label("best single trial so far (its own score)")
        elif not artist.get_label().startswith(("champion", "_")):
            artist.set_label("complete trial")
    ax.get_figure().set_size_inches(*HISTORY_SIZE)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)


def importance_whiskers(ax: Any, importances: Mapping[str, Importance]) -> None:
    """Whiskers on Optuna's importance bars: each parameter's leave-one-out range."""
    labels = [t.get_text() for t in ax.get_yticklabels()]
    for y, name in zip(ax.get_yticks(), labels, strict=True):
        if name in importances:
            item = importances[name]
            ax.errorbar(item.value, y, xerr=[[item.value - item.low], [item.high - item.value]],
                        fmt="none", ecolor="#333333", capsize=3, lw=1, zorder=4)  # fmt: skip
    for text in ax.texts:  # Optuna's value labels: past the whisker, not on it
        _x, y = text.get_position()
        name = labels[int(np.argmin(np.abs(np.asarray(ax.get_yticks()) - y)))]
        if name in importances:
            text.set_position((importances[name].high, y))
            text.set_text(" " + text.get_text())
    top = max((i.high for i in importances.values()), default=1.0)
    ax.set_xlim(0, max(ax.get_xlim()[1], top * 1.15))
    ax.set_xlabel("importance (PED-ANOVA); whiskers: one of the best trials left out")
    if ax.get_legend() is not None:
        ax.get_legend().remove()  # one objective: a legend naming it says nothing


def slice_grid(fig: Any) -> None:
    """Lay the slice plot's panels out in rows of :data:`SLICE_COLUMNS` (Optuna puts them all
    in one row, shrunk to a sliver each on the page), with the colour bar beside them."""
    colorbar = fig.axes[-1]
    panels = fig.axes[:-1]
    if len(panels) <= 1:
        return
    mappable = panels[-1].collections[0]
    colorbar.remove()
    columns = min(SLICE_COLUMNS, len(panels))
    rows = -(-len(panels) // columns)
    fig.set_size_inches(PANEL[0] * columns + 1.2, PANEL[1] * rows + 0.6)
    grid = fig.add_gridspec(rows, columns, hspace=0.45, wspace=0.12)
    ylabel = panels[0].get_ylabel()
    for i, ax in enumerate(panels):
        ax.set_subplotspec(grid[i // columns, i % columns])
        first = i % columns == 0
        ax.tick_params(axis="y", which="both", labelleft=first)
        ax.set_ylabel(ylabel if first else "")
    fig.colorbar(mappable, ax=panels, label="trial", fraction=0.03, pad=0.02)


def spread_parallel(fig: Any) -> None:
    """Parallel coordinates: room between the axes, names broken at underscores and set
    level under their axes, few tick labels and no minor ticks on log axes."""
    from matplotlib import ticker

    axes = fig.axes
    fig.set_size_inches(max(8.0, AXIS_GAP * len(axes)), 5.5)
    main = axes[0]
    names = [t.get_text() for t in main.get_xticklabels()]
    main.set_xticks(main.get_xticks(), [n.replace("_", "\n") for n in names], rotation=0)
    main.tick_params(axis="x", labelsize=9, pad=6)
    for ax in axes:
        ax.tick_params(axis="y", labelsize=8)
        if ax.get_yscale() == "log":  # a few decades labelled, no minor ticks (each is an
            ax.yaxis.set_major_locator(ticker.LogLocator(base=10, numticks=4))  # artist)
            ax.yaxis.set_minor_locator(ticker.NullLocator())
