"""The PyYAML loader documents are read with: duplicate keys recorded, not dropped; depth,
recursion and alias bombs refused before a document is built; timestamps kept as strings.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


MAX_DEPTH = 100  # deeper nesting is reported: no Kubernetes object comes close
MAX_NODES = 1_000_000  # an alias-expanded document larger than this is an alias bomb


def _scalar_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    """Timestamps and ``=`` stay strings, as Kubernetes' own YAML → JSON step keeps them."""
    return str(node.value)


class _Fallback(Exception):
    """The document uses merge keys or complex keys: build it with PyYAML's constructor."""


class Unreadable(Exception):
    """The document is too deep, recursive or an alias bomb: reported, never built."""


_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_RESOLVED: dict[str, str] = {}  # plain scalar → its implicit tag


class DocumentLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe loader that records duplicate keys instead of silently keeping the last one.

    ``build`` turns a composed node into Python values directly: PyYAML's generic
    constructor costs more than parsing itself on a large tree.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        # the C parser asks once per node; a tree repeats the same short scalars thousands
        # of times, so remember their tags
        if kind is not yaml.ScalarNode:
            tag: str = super().resolve(kind, value, implicit)
            return tag
        if not implicit[0]:
            return _STR
        cached = _RESOLVED.get(value)
        if cached is None:
            cached = super().resolve(kind, value, implicit)
            if len(value) <= 64:
                _RESOLVED[value] = cached
        return cached

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self._record_duplicates(node)
        result: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return result

    def _record_duplicates(self, node: yaml.MappingNode) -> None:
        seen: set[str] = set()
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE:
                if key_node.value in seen:
                    self.duplicates.append((key_node.start_mark.line + 1, key_node.value))
                seen.add(key_node.value)

    def build(self, node: yaml.Node) -> Any:
        """The document of ``node``, with duplicate keys recorded."""
        self.aliased = False
        try:
            value = self._build(node, {}, 0)
        except _Fallback:
            self.duplicates = []
            _measure(node)
            return self.construct_document(node)
        if self.aliased:
            _measure(node)  # shared nodes: what a reader that expands aliases would build
        return value

    def _build(self, node: yaml.Node, memo: dict[int, Any], depth: int) -> Any:
        kind = type(node)
        if kind is yaml.ScalarNode:
            if node.tag == _STR:
                # one shared object per short string: keys and values such as "name" or
                # "TCP" recur in every document (half the memory of a tree, and faster)
                value: str = node.value
                return sys.intern(value) if len(value) <= 64 else value
            construct = self.yaml_constructors.get(node.tag)
            return node.value if construct is None else construct(self, node)
        if id(node) in memo:
            self.aliased = True
            return memo[id(node)]
        if depth >= MAX_DEPTH:
            raise Unreadable(f"nested deeper than {MAX_DEPTH} levels: not read")
        depth += 1
        # any tag on a collection (!include, !!omap, !!python/...) reads as the collection
        if kind is yaml.SequenceNode:
            items: list[Any] = []
            memo[id(node)] = items
            items.extend(self._build(child, memo, depth) for child in node.value)
            return items
        mapping: dict[Any, Any] = {}
        memo[id(node)] = mapping
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag == _MERGE:
                raise _Fallback
            key = self._build(key_node, memo, depth)
            if key in mapping:
                self.duplicates.append((key_node.start_mark.line + 1, key_node.value))
            mapping[key] = self._build(value_node, memo, depth)
        return mapping


def _measure(node: yaml.Node) -> None:
    """Raise ``Unreadable`` when the node, aliases expanded, is recursive, too deep or too
    large. Each distinct node is visited once: the cost is the size of the text."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(current: yaml.Node, depth: int) -> int:
        key = id(current)
        known = sizes.get(key)
        if known is not None:
            return known
        if type(current) is yaml.ScalarNode:
            return 1
        if key in open_nodes:
            raise Unreadable("an alias refers to a node that contains it: not read")
        if depth >= MAX_DEPTH:
            raise Unreadable(f"nested deeper than {MAX_DEPTH} levels: not read")
        open_nodes.add(key)
        children = current.value
        if type(current) is yaml.MappingNode:
            children = [child for pair in children for child in pair]
        total = 1 + sum(size(child, depth + 1) for child in children)
        open_nodes.discard(key)
        if total > MAX_NODES:
            raise Unreadable(
                f"aliases expand to more than {MAX_NODES:,} nodes (an alias bomb): not read"
            )
        sizes[key] = total
        return total

    size(node, 0)


def _plain_value(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """A node with a tag no reader knows (``!include``, ``!!python/name:``): its plain value."""
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return node.value


DocumentLoader.add_constructor("tag:yaml.org,2002:timestamp", _scalar_as_text)
DocumentLoader.add_constructor("tag:yaml.org,2002:value", _scalar_as_text)
DocumentLoader.add_constructor(None, _plain_value)
