"""``yaml.safe_load``, strict: a key given twice in one mapping is an error (PyYAML keeps the
last value silently), and nesting is bounded (PyYAML composes nodes recursively, so a deeply
nested document raises RecursionError after thousands of frames).

Everything else is ``yaml.safe_load``'s: no Python tags, merge keys (``<<: *base``) allowed, and
keys a merge brings in may be overridden.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node

__all__ = ["load"]

#: Mappings and lists nested deeper than this are refused (a sweep file needs about 5).
MAX_DEPTH = 50
#: Nodes of the document once aliases are expanded (``*anchor`` reuses a node: a few lines of
#: nested aliases would otherwise stand for billions of values).
MAX_NODES = 1_000_000
MERGE_TAG = "tag:yaml.org,2002:merge"


class StrictSafeLoader(yaml.SafeLoader):
    """A :class:`yaml.SafeLoader` that refuses duplicate keys and deep or alias-bombed
    documents, with the line and column of the problem."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node:  # type: ignore[override]
        """Compose one node, at most :data:`MAX_DEPTH` levels below the document."""
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1

    def compose_document(self) -> Node | None:
        """The document's node graph, refused when its aliases loop, or expand it past
        :data:`MAX_NODES` values or :data:`MAX_DEPTH` levels."""
        node = super().compose_document()
        if node is not None:
            size, depth = _expanded(node, {})
            if size > MAX_NODES or depth > MAX_DEPTH:
                problem = f"aliases expand to more than {MAX_NODES:,} values or {MAX_DEPTH} levels"
                raise ComposerError(None, None, problem, node.start_mark)
        return node  # type: ignore[no-any-return]

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """A mapping whose own keys are distinct (keys merged in with ``<<`` may be
        overridden)."""
        first: dict[Any, Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                seen = first.setdefault(key, key_node)
            except TypeError:  # an unhashable key: the base class says so
                continue
            if seen is not key_node:
                raise ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first given at line {seen.start_mark.line + 1})",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]


def _expanded(node: Node, seen: dict[int, tuple[int, int] | None]) -> tuple[int, int]:
    """``(values, depth)`` under ``node`` with every alias counted as a copy, memoised on node
    identity; an alias inside its own anchor is refused."""
    if id(node) in seen:
        known = seen[id(node)]
        if known is None:
            raise ComposerError(None, None, "an alias refers to itself", node.start_mark)
        return known
    seen[id(node)] = None  # in progress
    children: list[Node] = []
    if isinstance(node, MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node.value, list):
        children = node.value
    below = [_expanded(child, seen) for child in children]
    result = 1 + sum(size for size, _ in below), 1 + max((d for _, d in below), default=0)
    seen[id(node)] = result
    return result


def load(text: str) -> Any:
    """Parse one YAML document as :func:`yaml.safe_load` does, strictly (see the module);
    raises :class:`yaml.YAMLError` with a mark on the problem."""
    loader = StrictSafeLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
