"""The loader: YAML files → ``Document`` values, each with its file, index and start line.

Uses PyYAML's C loader when it is available (the hot path of a 5,000-document tree) and
composes node by node so each document keeps the line it starts on. A syntax error, a
duplicate key, a file that is not UTF-8, too large, nested too deep or an alias bomb becomes
a ``LoadProblem`` on the document, which the engine reports as a finding; no file aborts the
run. Any tag (``!include``, ``!!python/name:``) is read as the plain value it tags.

Files that are not Kubernetes objects (Kustomize files, Helm charts, values files, app
configs) are recognised here (``Document.skip``) and left out of the object checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from homegen.treeread import Refusal, Refused, TreeReader
from homegen.validate.reader.canonical import NotCanonical, read_documents
from homegen.validate.reader.yaml_loader import MAX_DEPTH, DocumentLoader, Unreadable

if TYPE_CHECKING:
    from homegen.validate.reader.origin import Origin

YAML_SUFFIXES = (".yaml", ".yml")

ProblemKind = Literal["syntax", "duplicate-key", "not-an-object", "unreadable", "out-of-bounds"]

MAX_FILE_BYTES = 16 * 1024 * 1024  # larger files are reported, not read


@dataclass(frozen=True)
class LoadProblem:
    """Why a document could not be read as it was written."""

    kind: ProblemKind
    line: int
    message: str


@dataclass(slots=True)
class Document:
    """One YAML document: ``file`` relative to the tree root (posix), its index in the file
    (0-based, counting every document), the 1-based line it starts on and its content."""

    file: str
    index: int
    line: int
    obj: dict[str, Any]
    problems: list[LoadProblem] = field(default_factory=list)
    # why this is not a Kubernetes object ("" when it is one): a Kustomize or chart file,
    # a template, a document with neither apiVersion nor kind
    skip: str = ""
    # set on documents the expand stage made (a chart's template, a kustomize build)
    origin: Origin | None = None


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
    it cannot vouch for (not a mapping, a duplicate key, a List), by PyYAML.
    """
    try:
        fast = read_documents(text)
    except NotCanonical:
        return parse_with_yaml(file, text)
    if not all(type(obj) is dict and obj.get("kind") != "List" for _, obj in fast):
        return parse_with_yaml(file, text)
    return [Document(file, index, line, obj) for index, (line, obj) in enumerate(fast)]


def parse_with_yaml(file: str, text: str) -> list[Document]:
    """Every document of one file's text, read by PyYAML (with duplicate-key detection).

    A document that cannot be built (an alias bomb, too deep, a value its tag rejects such
    as ``!!int x``) is a problem on that document; reading goes on with the next one.
    """
    docs: list[Document] = []
    loader = DocumentLoader(text)
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            line = node.start_mark.line + 1 if node is not None else 1
            loader.duplicates = []
            try:
                obj = loader.build(node) if node is not None else None
            except (Unreadable, yaml.YAMLError, ValueError, TypeError, KeyError) as exc:
                message = str(exc) if isinstance(exc, Unreadable) else _value_error(exc)
                docs.append(
                    Document(file, index, line, {}, [LoadProblem("unreadable", line, message)])
                )
                index += 1
                continue
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
            if obj.get("kind") == "List" and isinstance(obj.get("items"), list) and not problems:
                docs.extend(_list_items(file, index, node, obj))
            else:
                docs.append(Document(file, index, line, obj, problems))
            index += 1
    except yaml.YAMLError as exc:
        problem = _syntax_problem(exc)
        docs.append(Document(file, index, problem.line, {}, [problem]))
    except RecursionError:  # the pure-Python parser on deep nesting (no C loader)
        message = f"nested deeper than {MAX_DEPTH} levels: not read"
        docs.append(Document(file, index, 1, {}, [LoadProblem("unreadable", 1, message)]))
    finally:
        loader.dispose()
    return docs


def load_one(text: str) -> Any:
    """The one document of a YAML text held elsewhere (``helm.values``, a chart's value file),
    built with the limits a tree file has; None when empty.

    Raises ``ValueError`` over a limit (size, depth, an alias bomb): such a text is never built,
    as Helm's engine would try to and run out of memory. Raises ``yaml.YAMLError`` when the text
    is not one YAML document.
    """
    if len(text) > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB: not read")
    loader = DocumentLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else loader.build(node)
    except Unreadable as exc:
        raise ValueError(str(exc)) from None
    except RecursionError:  # the pure-Python parser on deep nesting (no C loader)
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels: not read") from None
    finally:
        loader.dispose()


def _value_error(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1})" if mark is not None else ""
    return f"a value cannot be read as its tag says{where}: {exc}".replace("\n", " ")


def _list_items(file: str, index: int, node: yaml.Node, obj: dict[str, Any]) -> list[Document]:
    """The items of a ``kind: List`` document, each a document at its own line (as kubectl,
    ArgoCD and kubeconform read it)."""
    lines: list[int] = []
    for key_node, value_node in node.value if isinstance(node, yaml.MappingNode) else ():
        if key_node.value == "items" and isinstance(value_node, yaml.SequenceNode):
            lines = [child.start_mark.line + 1 for child in value_node.value]
    start = node.start_mark.line + 1
    docs = []
    for position, item in enumerate(obj["items"]):
        line = lines[position] if position < len(lines) else start
        if isinstance(item, dict):
            docs.append(Document(file, index, line, item))
        else:
            kind = type(item).__name__
            problem = LoadProblem("not-an-object", line, f"List item is a {kind}")
            docs.append(Document(file, index, line, {}, [problem]))
    return docs


def _decode(file: str, data: bytes) -> tuple[str | None, LoadProblem | None]:
    """The text of a YAML file (UTF-8, with or without a BOM; UTF-16/32 with a BOM), or the
    problem at the line of the first byte that is not UTF-8 (Latin-1, binary)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-32" if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") else "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        kind = "binary data" if b"\x00" in data[:8192] else "not UTF-8 text"
        message = f"{kind} (byte 0x{data[exc.start]:02x} at offset {exc.start}): not read"
        return None, LoadProblem("unreadable", line, message)


KUSTOMIZE_FILES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
_KUSTOMIZE_GROUP = "kustomize.config.k8s.io/"
CHART_FILE = "Chart.yaml"


def classify(docs: list[Document]) -> list[Document]:
    """Mark the documents that are not Kubernetes objects (``Document.skip``), in place.

    A Kustomize file (by name or group), a Helm ``Chart.yaml``, and any document with
    neither an ``apiVersion`` nor a ``kind`` key (values files, app configs, mkdocs.yml).
    A document with only one of the two keys, or an empty one, stays: that is a finding.
    """
    for doc in docs:
        if [p.message for p in doc.problems] == ["document is a list"]:
            # Ansible tasks, Talos patches: YAML, but no Kubernetes object nor meant as one
            doc.skip, doc.problems = "a YAML list, not a Kubernetes object", []
        if doc.problems or doc.skip:
            continue
        obj = doc.obj
        # an expanded document's file names its source, not a file of the tree: a build of
        # apps/kustomization.yaml makes objects, never a Kustomize file
        name = doc.file.rpartition("/")[2] if doc.origin is None else ""
        api_version = obj.get("apiVersion")
        if name in KUSTOMIZE_FILES or (
            isinstance(api_version, str) and api_version.startswith(_KUSTOMIZE_GROUP)
        ):
            doc.skip = "Kustomize file"
        elif name == CHART_FILE:
            doc.skip = "Helm Chart.yaml"
        elif "apiVersion" not in obj and "kind" not in obj:
            doc.skip = "no apiVersion or kind"
    return docs


def chart_folders(files: list[str]) -> list[str]:
    """Folders that hold a Helm chart (a ``Chart.yaml``), as ``folder/`` prefixes."""
    return [file[: -len(CHART_FILE)] for file in files if file.rpartition("/")[2] == CHART_FILE]


def inside_chart(file: str, charts: list[str]) -> str | None:
    """The chart folder a file lies in, other than its ``Chart.yaml`` (None: in no chart)."""
    for folder in charts:
        if file.startswith(folder) and file != folder + CHART_FILE:
            return folder.rstrip("/") or "."
    return None


def documents_from_texts(files: Mapping[str, str | bytes]) -> list[Document]:
    """Documents of in-memory files (path → text or UTF-8 bytes), YAML files only, in sorted
    path order. Bytes are decoded one file at a time: no second copy of a large tree."""
    docs: list[Document] = []
    for file in sorted(files):
        if file.endswith(YAML_SUFFIXES):
            text = files[file]
            docs.extend(parse_text(file, text if isinstance(text, str) else text.decode("utf-8")))
    return docs


def documents_consuming(files: dict[str, bytes]) -> list[Document]:
    """documents_from_texts, emptying files as it goes: each file's bytes are released once
    parsed, so the text and the parsed tree of a large fleet are never held whole at once."""
    from homegen import heap
    from homegen.validate.reader.canonical import forget_scalars

    docs: list[Document] = []
    released = 0
    for file in sorted(files):
        data = files.pop(file)
        if file.endswith(YAML_SUFFIXES):
            docs.extend(parse_text(file, data.decode("utf-8")))
        released += len(data)
        del data
        if released >= _TRIM_BYTES:  # the freed bytes go back to the system as they are freed
            heap.trim()
            released = 0
    heap.trim()
    forget_scalars()  # the tree holds its values: the reader's cache of them is dead weight
    return docs


_TRIM_BYTES = 8 * 1024 * 1024


def yaml_files(root: Path, reader: TreeReader | None = None) -> list[str]:
    """Paths (relative, posix) of every YAML file below ``root``, hidden folders skipped,
    read through ``reader`` (symlinks out of the repository root are refused there)."""
    reader = reader or TreeReader.for_tree(root)
    return [f for f in reader.walk(root) if f.endswith(YAML_SUFFIXES)]


def refused_document(refusal: Refusal) -> Document:
    """A file the reader refused, as a document carrying the problem."""
    kind: ProblemKind = "unreadable" if refusal.kind == "size" else "out-of-bounds"
    return Document(refusal.path, 0, 1, {}, [LoadProblem(kind, 1, refusal.message)])


def read_file(root: Path, file: str, reader: TreeReader | None = None) -> list[Document]:
    """Documents of one file below ``root``; a file that cannot be read is one document with
    the problem (never an exception)."""
    reader = reader or TreeReader.for_tree(root)
    reader.limit = MAX_FILE_BYTES
    try:
        data = reader.read_bytes(root / file)
    except Refused as exc:
        return [replace(refused_document(exc.refusal), file=file)]
    except OSError as exc:
        message = f"cannot read the file: {exc.strerror or exc}"
        return [Document(file, 0, 1, {}, [LoadProblem("unreadable", 1, message)])]
    text, problem = _decode(file, data)
    if text is None:
        assert problem is not None
        return [Document(file, 0, problem.line, {}, [problem])]
    docs = parse_text(file, text)
    if "{{" in text and any(p.kind == "syntax" for d in docs for p in d.problems):
        # a Go/Helm/Jinja template: YAML only once rendered, by whatever renders it
        return [Document(file, 0, 1, {}, skip="template ({{ }}) that is not YAML as it is")]
    return docs


def load_tree(root: Path, reader: TreeReader | None = None) -> list[Document]:
    """Documents of every ``*.yaml``/``*.yml`` file below ``root``, in sorted path order; the
    files of a Helm chart are marked, not read (the engine ``classify``s the rest)."""
    docs: list[Document] = []
    reader = reader or TreeReader.for_tree(root)
    reader.limit = MAX_FILE_BYTES
    files = yaml_files(root, reader)
    charts = chart_folders(files)
    for file in files:
        chart = inside_chart(file, charts)
        if chart is not None:
            # chart files are templates and values, expanded by Helm, never applied as is
            docs.append(Document(file, 0, 1, {}, skip=f"Helm chart file ({chart})"))
            continue
        docs.extend(read_file(root, file, reader))
    read = {d.file for d in docs}
    # symlinks out of bounds and special files the walk met: each is a finding of its own
    docs += [refused_document(r) for r in reader.refusals.values() if r.path not in read]
    reader.reported.update(reader.refusals)
    return sorted(docs, key=lambda d: d.file) if reader.refusals else docs


def without_null_keys(value: Any) -> Any:
    """``value`` with every map entry set to null removed (list items kept): what the API
    server makes of it, decoding null into a typed object as unset and pruning it from a custom
    resource before validation."""
    if isinstance(value, dict):
        return {k: without_null_keys(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_null_keys(v) for v in value]
    return value


def as_validated(value: Any) -> Any:
    """``without_null_keys(value)`` for reading only: ``value`` itself when no map entry is
    null (homegen's own output never has one), which looking costs half of copying."""
    return without_null_keys(value) if _has_null_key(value) else value


_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})


def _has_null_key(value: Any) -> bool:
    # exact types only are looked into: the parsers make plain dicts and lists, and any other
    # container (a subclass) is copied as before, as without_null_keys makes plain ones
    kind = type(value)
    if kind is dict:
        if None in value.values():
            return True
        items = value.values()
    elif kind is list:
        items = value
    else:
        return isinstance(value, dict | list)
    for item in items:  # noqa: SIM110 (a loop: any() and its generator cost a third more)
        if type(item) not in _SCALAR_TYPES and _has_null_key(item):
            return True
    return False
