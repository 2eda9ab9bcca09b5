"""What the generators read: the files of a local checkout, and the declared clusters."""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from homegen.treeread import Refused, TreeReader, find_root

IN_CLUSTER_URL = "https://kubernetes.default.svc"
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_SCP = re.compile(r"^(?:[^@/]+@)?([^:/]+):(?!\d+/)(.*)$")  # git@host:owner/repo


def same_repo_key(url: object) -> str:
    """A git repository URL as a comparable key: ``https://github.com/Me/Lab.git``,
    ``git@github.com:me/lab`` and ``ssh://git@github.com/me/lab/`` are all ``github.com/me/lab``."""
    text = str(url or "").strip()
    if _SCHEME.match(text):
        text = _SCHEME.sub("", text, count=1)
        text = text.split("@", 1)[1] if "@" in text.split("/", 1)[0] else text
    else:
        scp = _SCP.match(text)
        if scp:
            text = f"{scp.group(1)}/{scp.group(2)}"
    host, sep, rest = text.partition("/")
    text = host.split(":", 1)[0] + sep + rest  # the same server over https or ssh ports
    return text.rstrip("/").lower().removesuffix(".git").rstrip("/")


@dataclass(frozen=True)
class Cluster:
    """A cluster the ``clusters`` generator yields: a declared one stands for a cluster secret
    (``secret``); ``IN_CLUSTER`` is the local cluster ArgoCD adds when no secret names it."""

    name: str
    server: str
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    project: str = ""
    secret: bool = True


IN_CLUSTER = Cluster("in-cluster", IN_CLUSTER_URL, secret=False)


class Repo(Protocol):
    """The repository an ApplicationSet's git generators read (the local checkout)."""

    def files(self) -> list[str]:
        """Every file path (posix, relative to the repository root), sorted."""
        ...

    def read(self, path: str) -> bytes | None:
        """The bytes of one file, or None when it does not exist or cannot be read."""
        ...


@dataclass
class DiskRepo:
    """A checkout on disk. ``prefix`` is where ``root`` sits in the repository when ``root``
    is not the repository root itself (a tree folder validated on its own).

    Files are what git holds (its index: never an untracked file, e.g. credentials an
    earlier CI step left in the checkout), read through the tree reader (never outside the
    repository root); outside a git checkout, the folder (the reader notes it once)."""

    root: Path
    prefix: str = ""
    reader: TreeReader | None = None
    _files: list[str] | None = None
    _listed: set[str] = field(default_factory=set)

    def _reader(self) -> TreeReader:
        if self.reader is None:
            self.reader = TreeReader.for_tree(self.root)
        return self.reader

    def files(self) -> list[str]:
        """Every file git holds below the root (the folder's files outside git), as
        repository paths."""
        if self._files is None:
            listed = self._local_files()
            self._listed = set(listed)
            self._files = sorted(self._repo_path(f) for f in listed)
        return self._files

    def _local_files(self) -> list[str]:
        """The files below ``root``, relative to it."""
        reader = self._reader()
        tracked = reader.tracked()
        if tracked is None:
            return reader.walk(self.root, hidden=True)
        offset = Path(os.path.relpath(self.root.resolve(), reader.root)).as_posix()
        if offset == ".":
            return tracked
        start = offset + "/"
        return [t[len(start) :] for t in tracked if t.startswith(start)]

    def _repo_path(self, rel: str) -> str:
        return posixpath.join(self.prefix, rel) if self.prefix else rel

    def read(self, path: str) -> bytes | None:
        """The bytes of a repository path inside the root that ``files`` lists."""
        rel = path.strip("/")
        if self.prefix:
            if not rel.startswith(self.prefix.strip("/") + "/"):
                return None
            rel = rel[len(self.prefix.strip("/")) + 1 :]
        self.files()
        if rel not in self._listed:
            return None
        try:
            return self._reader().read_bytes(self.root / rel)
        except (Refused, OSError):
            return None


def find_repo_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``.git`` (a git checkout)."""
    return find_root(start)
