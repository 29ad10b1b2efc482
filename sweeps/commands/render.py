"""Plain-text tables for the terminal: the one table printer of every command that prints
one (``best``, ``compare``, ``list``, ``reproduce``, the end of ``run``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

__all__: list[str] = []  # nothing here for other packages


def cell(value: Any) -> str:
    """A value as a table shows it: floats to 6 significant digits, None as ``-``."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def aligned(
    header: Sequence[str] | None,
    rows: Sequence[Sequence[Any]],
    *,
    numbers_right: bool = True,
) -> list[str]:
    """Lines of left-aligned columns two spaces apart, under ``header`` when given (numbers
    right-aligned unless ``numbers_right`` is False); values shown as :func:`cell` shows
    them."""
    cells = ([list(header)] if header is not None else []) + [[cell(v) for v in r] for r in rows]
    columns = len(cells[0]) if cells else 0
    widths = [max(len(line[i]) for line in cells) for i in range(columns)]
    numeric = [
        numbers_right
        and bool(rows)
        and all(isinstance(row[i], int | float) or row[i] is None for row in rows)
        for i in range(columns)
    ]
    return [
        "  ".join(
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(line, widths, numeric, strict=True)
        ).rstrip()
        for line in cells
    ]


def local_time(ms: int | None) -> str:
    """Milliseconds since the epoch as local ``YYYY-MM-DD HH:MM:SS`` (``-`` when unknown)."""
    if not ms:
        return "-"
    return dt.datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


def utc_iso(ms: int | None) -> str | None:
    """Milliseconds since the epoch as an ISO 8601 UTC timestamp (None when unknown)."""
    if not ms:
        return None
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).isoformat(timespec="milliseconds")
