"""The loader: YAML files → ``Document`` values, each with its file, index and start line.

Uses PyYAML's C loader when it is available (the hot path of a 5,000-document tree) and
composes node by node so each document keeps the line it starts on. A syntax error or a
duplicate key becomes a ``LoadProblem`` on the document, which the engine reports as a
finding; it never aborts the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

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


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe loader that records duplicate keys instead of silently keeping the last one."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    self.duplicates.append((key_node.start_mark.line + 1, key_node.value))
                seen.add(key_node.value)
        result: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return result


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
    """Every document of one file's text; a syntax error ends the file with a problem."""
    docs: list[Document] = []
    loader = _Loader(text)
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            line = node.start_mark.line + 1 if node is not None else 1
            loader.duplicates = []
            obj = loader.construct_document(node) if node is not None else None
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


def documents_from_texts(files: dict[str, str]) -> list[Document]:
    """Documents of in-memory files (path → text), YAML files only, in sorted path order."""
    docs: list[Document] = []
    for file in sorted(files):
        if file.endswith(YAML_SUFFIXES):
            docs.extend(parse_text(file, files[file]))
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
