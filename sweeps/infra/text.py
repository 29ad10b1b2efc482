"""User text made safe to echo on a terminal.

A CSV header, a sweep file or a store can hold any character, and ``\\x1b]0;...\\x07`` echoed
raw retitles the terminal, ``\\x1b[2J`` clears it, and a bidirectional override reorders
what the reader sees. Everything sweeps echoes that came from outside (column names in the
column lists, notices, error messages) goes through :func:`printable`.
"""

from __future__ import annotations

import re
import textwrap

__all__ = ["WIDTH", "printable", "wrapped"]

#: C0 controls (newline and tab included: every message is one line), DEL, C1 controls, and
#: Unicode's bidirectional embeddings, overrides and isolates.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Characters a line sweeps prints at the start and end of a sweep takes at most.
WIDTH = 100


def printable(text: str) -> str:
    """``text`` with every control character written as its escape (``\\x1b``, ``\\n``,
    ``\\u202e``); other characters, accents and scripts included, are left as they are."""
    return CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def wrapped(line: str, width: int = WIDTH, indent: str = "  ") -> list[str]:
    """``line`` as is when it fits in ``width`` characters, else cut between words into lines
    that do, the later ones indented by ``indent`` more than the first (a word longer than
    a line, such as a path, stays whole)."""
    if len(line) <= width:
        return [line]
    indent = line[: len(line) - len(line.lstrip(" "))] + indent
    return textwrap.wrap(
        line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )
