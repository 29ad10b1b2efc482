"""``json.loads``, strict: a key given twice in one object is an error (``json`` keeps the last
value silently), and nesting is bounded like a sweep file's (deep nesting makes the parser
raise RecursionError; shallower but still deep documents are refused after parsing)."""

from __future__ import annotations

import json
from typing import Any

from sweeps.infra.strict_yaml import MAX_DEPTH

__all__ = ["loads"]


def loads(text: str) -> Any:
    """Parse ``text``; ValueError (one line) for invalid JSON, a key given twice, or lists and
    objects nested more than :data:`~sweeps.infra.strict_yaml.MAX_DEPTH` levels."""
    try:
        value = json.loads(text, object_pairs_hook=_distinct_keys)
    except RecursionError:
        value = _TOO_DEEP
    except ValueError as exc:
        raise ValueError(f"invalid JSON: {exc}") from None
    if value is _TOO_DEEP or deeper_than(value, MAX_DEPTH):
        raise ValueError(f"invalid JSON: nested deeper than {MAX_DEPTH}")
    return value


_TOO_DEEP = object()


def _distinct_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        twice = next(key for key in keys if keys.count(key) > 1)
        raise ValueError(f"duplicate key {twice!r}")
    return dict(pairs)


def deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` levels (walked without recursion)."""
    todo = [(value, 1)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            todo.extend((child, depth + 1) for child in children)
    return False
