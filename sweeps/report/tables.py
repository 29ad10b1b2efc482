"""Markdown table cells and tables for the report."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__: list[str] = []  # nothing here for other packages


def fmt(value: Any) -> str:
    """A table cell: floats to 6 significant digits, pipes escaped, newlines flattened."""
    text = f"{value:.6g}" if isinstance(value, float) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(map(fmt, headers)) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(map(fmt, row)) + " |" for row in rows]
    return lines
