"""A Babel extractor for the texts in YAML data files (flows, routing, checklists)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, Any

import yaml

TEXT_KEYS = frozenset({"say", "ask", "label", "reason", "bring", "topic"})


def extract_flow_texts(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Mapping[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Yield (line, funcname, message, comments) for every user-visible text."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if root is not None:
        yield from _walk(root, None)


def _walk(node: yaml.Node, key: str | None) -> Iterator[tuple[int, str, str, list[str]]]:
    """Walk a YAML node tree and yield the scalars under text keys."""
    if isinstance(node, yaml.ScalarNode):
        if key in TEXT_KEYS and str(node.value).strip():
            yield node.start_mark.line + 1, "gettext", str(node.value).strip(), []
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, key)
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            yield from _walk(value_node, str(key_node.value))
