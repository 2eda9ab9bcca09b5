"""Charts that live in the tree, handed to Helm only as copies made through the tree reader.

Helm's loader follows every symlink in a chart folder and reads every file (``.Files.Get``),
``.git`` included when the chart sits at the repository root. A chart of an untrusted tree
is therefore never loaded where it lies: its files are copied, through the reader (nothing
outside the repository root, nothing in ``.git``, no device or FIFO, nothing over the size
limit), into a scratch folder, and Helm loads the copy. A chart whose folder holds anything
refused is not rendered at all (ArgoCD refuses it too). Charts from the cache or a
``--charts`` folder come from their repositories and are loaded as they are.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any

from homegen.treeread import Refused, TreeReader


class ChartRefused(Exception):
    """The tree's chart folder holds something the reader refuses; the message names it."""


class TreeCharts:
    """Copies of the tree's chart folders, made on first use, removed by ``close``."""

    def __init__(self, reader: TreeReader | None) -> None:
        self.reader = reader
        self._scratch: str | None = None
        self._copies: dict[Path, Path | ChartRefused] = {}
        self._made: dict[Path, Path] = {}  # each copy → the tree folder it was made from

    def loadable(self, path: Path, in_tree: bool) -> Path:
        """The folder Helm may load for ``path``; raises ChartRefused."""
        if not in_tree or self.reader is None or path in self._made:
            return path
        known = self._copies.get(path)
        if known is None:
            known = self._copy(path)
            self._copies[path] = known
        if isinstance(known, ChartRefused):
            raise known
        return known

    def _copy(self, path: Path) -> Path | ChartRefused:
        assert self.reader is not None
        if self._scratch is None:
            self._scratch = tempfile.mkdtemp(prefix="homegen-chart-")
        dest = Path(self._scratch) / str(len(self._copies)) / path.name
        refused = self.reader.copy_folder(path, dest)
        if refused:
            names = ", ".join(f"{r.path} ({r.message})" for r in refused)
            return ChartRefused(f"chart folder not rendered: it holds {names}")
        self._made[dest] = path
        return dest

    def made(self, path: Path) -> bool:
        """Whether ``path`` is one of the copies (a wrapper chart's, dependencies added)."""
        return path in self._made

    def source_of(self, path: Path) -> Path:
        """The tree folder a copy was made from (``path`` itself when it is no copy): where the
        chart's own value files are read."""
        return self._made.get(path, path)

    def close(self) -> None:
        """Remove the copies."""
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


def folder_digest(reader: TreeReader, path: Path) -> str:
    """sha256 over the name, size and modification time of every file of a tree's chart
    folder, as the reader sees it (what it refuses is left out, and recorded)."""
    digest = hashlib.sha256()
    for name in reader.walk(path, hidden=True, into_links=True):
        try:
            st = reader.check(path / name)
        except (Refused, OSError):
            continue
        if stat.S_ISREG(st.st_mode):
            digest.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def chart_value_files(
    reader: TreeReader | None,
    path: Path,
    names: list[str],
    in_tree: bool,
    ignore_missing: bool = False,
) -> list[Any]:
    """The loaded value files a source names for the chart at ``path``, resolved as ArgoCD
    resolves them: relative to the chart folder, an absolute path from the repository root
    (the chart folder for a chart from a repository); never outside that root; a missing one
    is skipped with ``ignore_missing`` (``ignoreMissingValueFiles``). Raises
    Refused (naming the entry), ValueError or OSError."""
    import yaml

    if not path.is_dir():
        raise ValueError(f"value file {names[0]}: the chart is an archive")
    if in_tree and reader is not None:
        files = reader
    else:
        real = Path(os.path.realpath(path))
        files = TreeReader(real, real)
    from homegen.validate.reader.documents import load_one

    loaded = []
    for name in names:
        where = files.resolve(path, name, what="value file")
        if ignore_missing and not where.is_file():
            continue  # ignoreMissingValueFiles: ArgoCD skips it
        try:  # the limits of a tree file: an alias bomb is never built
            loaded.append(load_one(files.read_text(where)))
        except (ValueError, yaml.YAMLError) as exc:
            raise ValueError(f"value file {name}: {exc}".replace("\n", " ")) from None
    return loaded
