"""The tree being imported, indexed: documents by folder, Applications, values files."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homegen.errors import UsageError
from homegen.validate.reader.documents import (
    YAML_SUFFIXES,
    Document,
    chart_folders,
    inside_chart,
    parse_with_yaml,
)

APP_KINDS = ("Application", "ApplicationSet")


class UnreadableTreeError(UsageError):
    """The tree holds a file that cannot be read as YAML; nothing is imported (exit 2)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))

    def lines(self) -> list[str]:
        return [*self.problems, "the tree cannot be imported; nothing was written"]


@dataclass
class SourceTree:
    """Every YAML document of the tree by folder, and the other files it holds."""

    docs: list[Document]
    other_files: list[str]
    not_objects: list[tuple[str, int, str]] = field(default_factory=list)  # file, line, why
    texts: dict[str, str] = field(default_factory=dict)  # every file's text
    by_folder: dict[str, list[Document]] = field(default_factory=dict)
    dirs: set[str] = field(default_factory=set)
    chart_dirs: tuple[Path, ...] = ()  # where a chart version range is pinned from (offline)
    tracked: frozenset[str] | None = None  # files git holds (None: not a git checkout)
    # (file, line, message) of YAML files that do not load (a syntax error, a duplicate key)
    unreadable: list[tuple[str, int, str]] = field(default_factory=list)
    # kustomize builds of the tree on disk (homegen.importer.builds.TreeBuilds; None: in memory)
    builds: Any = None

    def __post_init__(self) -> None:
        for doc in self.docs:
            folder = posixpath.dirname(doc.file)
            self.by_folder.setdefault(folder, []).append(doc)
        for file in [*(d.file for d in self.docs), *self.other_files]:
            folder = posixpath.dirname(file)
            while folder:
                self.dirs.add(folder)
                folder = posixpath.dirname(folder)
        self.dirs.add("")

    def in_folder(self, folder: str, *, recurse: bool = False) -> list[Document]:
        """Documents directly in ``folder`` (and below it with ``recurse``)."""
        if not recurse:
            return list(self.by_folder.get(folder, []))
        prefix = folder + "/" if folder else ""
        return [d for d in self.docs if d.file.startswith(prefix) or folder == ""]

    def files_in(self, folder: str) -> list[str]:
        """Names of every file directly in ``folder``."""
        names = {posixpath.basename(d.file) for d in self.by_folder.get(folder, [])}
        names |= {posixpath.basename(f) for f in self.other_files if posixpath.dirname(f) == folder}
        return sorted(names)

    def document(self, file: str) -> list[Document]:
        """The documents of one file."""
        return [d for d in self.by_folder.get(posixpath.dirname(file), []) if d.file == file]

    def apps(self) -> list[Document]:
        """Every Application and ApplicationSet."""
        return [d for d in self.docs if is_app(d.obj)]


def is_app(obj: Mapping[str, Any]) -> bool:
    """Whether an object is an ArgoCD Application or ApplicationSet."""
    return obj.get("kind") in APP_KINDS and str(obj.get("apiVersion", "")).startswith(
        "argoproj.io/"
    )


def read_files(files: Mapping[str, str], *, strict: bool = True) -> SourceTree:
    """The tree of in-memory files (relative posix path → text).

    A YAML syntax error or a duplicate key stops the import with every such file and line:
    an import from a half-read tree would silently drop what it could not read. With
    ``strict=False`` they are kept in ``unreadable``, for the import to stop only where an
    Application syncs one (``check_unreadable``).
    """
    docs: list[Document] = []
    others: list[str] = []
    problems: list[tuple[str, int, str]] = []
    not_objects: list[tuple[str, int, str]] = []
    charts = chart_folders(sorted(files))
    for path in sorted(files):
        if not path.endswith(YAML_SUFFIXES) or inside_chart(path, charts):
            others.append(path)  # a local chart's templates are not YAML until rendered
            continue
        for doc in parse_with_yaml(path, files[path]):
            for problem in doc.problems:
                if problem.kind == "syntax" and "{{" in files[path]:
                    not_objects.append((path, problem.line, "a template ({{ }}), not YAML"))
                elif problem.kind == "not-an-object":
                    not_objects.append((path, problem.line, problem.message))
                else:
                    problems.append((path, problem.line, problem.message))
            if not doc.problems:
                docs.append(doc)
    if problems and strict:
        raise UnreadableTreeError([f"{f}:{n}: {m}" for f, n, m in problems])
    unreadable = {p for p, _, _ in problems}
    docs = [d for d in docs if d.file not in unreadable]  # a file is read whole, or not at all
    return SourceTree(docs, others, not_objects, dict(files), unreadable=problems)


def in_folders(file: str, folders: list[tuple[str, bool]]) -> bool:
    """Whether ``file`` is in one of ``folders`` ((folder, recurse) pairs)."""
    parent = posixpath.dirname(file)
    return any(
        parent == folder or (recurse and (folder == "" or parent.startswith(folder + "/")))
        for folder, recurse in folders
    )
