"""The loader: YAML files → ``Document`` values, each with its file, index and start line.

Uses PyYAML's C loader when it is available (the hot path of a 5,000-document tree) and
composes node by node so each document keeps the line it starts on. A syntax error or a
duplicate key becomes a ``LoadProblem`` on the document, which the engine reports as a
finding; it never aborts the run.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from homegen.validate.canonical import NotCanonical, read_documents

YAML_SUFFIXES = (".yaml", ".yml")

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ProblemKind = Literal["syntax", "duplicate-key", "not-an-object"]


@dataclass(frozen=True)
class LoadProblem:
    """Why a document could not be read as it was written."""

    kind: ProblemKind
    line: int
    message: str


@dataclass
class Document:
    """One YAML document: ``file`` relative to the tree root (posix), its index in the file
    (0-based, counting every document), the 1-based line it starts on and its content."""

    file: str
    index: int
    line: int
    obj: dict[str, Any]
    problems: list[LoadProblem] = field(default_factory=list)


def _scalar_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    """Timestamps and ``=`` stay strings, as Kubernetes' own YAML → JSON step keeps them."""
    return str(node.value)


class _Fallback(Exception):
    """The document uses merge keys or complex keys: build it with PyYAML's constructor."""


_STR, _MAP, _SEQ = (f"tag:yaml.org,2002:{t}" for t in ("str", "map", "seq"))
_MERGE = "tag:yaml.org,2002:merge"
_RESOLVED: dict[str, str] = {}  # plain scalar → its implicit tag


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
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
        try:
            return self._build(node, {})
        except _Fallback:
            self.duplicates = []
            return self.construct_document(node)

    def _build(self, node: yaml.Node, memo: dict[int, Any]) -> Any:
        kind = type(node)
        if kind is yaml.ScalarNode:
            if node.tag == _STR:
                # one shared object per short string: keys and values such as "name" or
                # "TCP" recur in every document (half the memory of a tree, and faster)
                value: str = node.value
                return sys.intern(value) if len(value) <= 64 else value
            return self.yaml_constructors[node.tag](self, node)
        if id(node) in memo:
            return memo[id(node)]
        if kind is yaml.SequenceNode and node.tag == _SEQ:
            items: list[Any] = []
            memo[id(node)] = items
            items.extend(self._build(child, memo) for child in node.value)
            return items
        if kind is yaml.MappingNode and node.tag == _MAP:
            mapping: dict[Any, Any] = {}
            memo[id(node)] = mapping
            for key_node, value_node in node.value:
                if type(key_node) is not yaml.ScalarNode or key_node.tag == _MERGE:
                    raise _Fallback
                key = self._build(key_node, memo)
                if key in mapping:
                    self.duplicates.append((key_node.start_mark.line + 1, key_node.value))
                mapping[key] = self._build(value_node, memo)
            return mapping
        raise _Fallback


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _scalar_as_text)
_Loader.add_constructor("tag:yaml.org,2002:value", _scalar_as_text)


def _syntax_problem(exc: yaml.YAMLError) -> LoadProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"{context}: {problem}" if context else str(problem)
    return LoadProblem("syntax", line, f"YAML syntax error: {message}")


def parse_text(file: str, text: str) -> list[Document]:
    """Every document of one file's text; a syntax error ends the file with a problem.

    homegen's own canonical output is read by the fast reader; anything else, and anything
    it cannot vouch for (not a mapping, a duplicate key), by PyYAML.
    """
    try:
        fast = read_documents(text)
    except NotCanonical:
        return parse_with_yaml(file, text)
    if not all(type(obj) is dict for _, obj in fast):
        return parse_with_yaml(file, text)
    return [Document(file, index, line, obj) for index, (line, obj) in enumerate(fast)]


def parse_with_yaml(file: str, text: str) -> list[Document]:
    """Every document of one file's text, read by PyYAML (with duplicate-key detection)."""
    docs: list[Document] = []
    loader = _Loader(text)
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            line = node.start_mark.line + 1 if node is not None else 1
            loader.duplicates = []
            obj = loader.build(node) if node is not None else None
            problems = [
                LoadProblem("duplicate-key", dup_line, f"duplicate key {key!r}")
                for dup_line, key in loader.duplicates
            ]
            if obj is None and not problems:
                index += 1
                continue
            if not isinstance(obj, dict):
                kind = type(obj).__name__
                problems.append(LoadProblem("not-an-object", line, f"document is a {kind}"))
                obj = {}
            docs.append(Document(file, index, line, obj, problems))
            index += 1
    except yaml.YAMLError as exc:
        problem = _syntax_problem(exc)
        docs.append(Document(file, index, problem.line, {}, [problem]))
    finally:
        loader.dispose()
    return docs


def documents_from_texts(files: Mapping[str, str | bytes]) -> list[Document]:
    """Documents of in-memory files (path → text or UTF-8 bytes), YAML files only, in sorted
    path order. Bytes are decoded one file at a time: no second copy of a large tree."""
    docs: list[Document] = []
    for file in sorted(files):
        if file.endswith(YAML_SUFFIXES):
            text = files[file]
            docs.extend(parse_text(file, text if isinstance(text, str) else text.decode("utf-8")))
    return docs


def yaml_files(root: Path) -> list[str]:
    """Paths (relative, posix) of every YAML file below ``root``, hidden folders skipped."""
    found: list[str] = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix in YAML_SUFFIXES and path.is_file():
            found.append(rel.as_posix())
    return sorted(found)


def load_tree(root: Path) -> list[Document]:
    """Documents of every ``*.yaml``/``*.yml`` file below ``root``, in sorted path order."""
    docs: list[Document] = []
    for file in yaml_files(root):
        try:
            text = (root / file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            docs.append(Document(file, 0, 1, {}, [LoadProblem("syntax", 1, f"unreadable: {exc}")]))
            continue
        docs.extend(parse_text(file, text))
    return docs
