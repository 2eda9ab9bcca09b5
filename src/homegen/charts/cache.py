"""The chart cache: archives and their unpacked trees by sha256, plus which ref is which digest.

Layout under the root (``$HOMEGEN_CACHE_DIR/charts``, else ``$XDG_CACHE_HOME/homegen/charts``,
else ``~/.cache/homegen/charts``)::

    blobs/sha256/<hex>          the chart archive, exactly as downloaded
    trees/sha256/<hex>/<chart>/ the archive unpacked
    refs/<hex of repo, chart, version>.json   {"digest": "sha256:<hex>", ...}

Content-addressed, so two repositories serving the same archive share it, and a ref entry is
only written after its blob and tree are complete. Every write is atomic (a temp name in the
same folder, then a rename), so a killed pull leaves no half chart a later run would trust.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from homegen.cachedir import cache_root
from homegen.charts.archive import ArchiveError, check_identity, unpack_chart
from homegen.charts.model import ChartRef

STALE_SECONDS = 3600  # a temp entry this old belongs to no running pull


def default_cache_root() -> Path:
    """Where charts are cached, from the environment (see the module docstring)."""
    return cache_root() / "charts"


def sha256_digest(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class CachedChart:
    """A chart in the cache: its unpacked root folder, its archive, its digest."""

    path: Path
    archive: Path
    digest: str


class ChartCache:
    """The content-addressed chart cache rooted at ``root`` (created on first write)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def lookup(self, ref: ChartRef) -> CachedChart | None:
        """The cached chart for ``ref``, or ``None``; reads a few small files, no network."""
        try:
            entry = json.loads(self._ref_file(ref).read_text(encoding="utf-8"))
            digest = str(entry["digest"])
            top = str(entry["top"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        cached = self._entry(digest, top)
        return cached if cached.path.is_dir() and cached.archive.is_file() else None

    def versions(self, ref: ChartRef) -> list[str]:
        """The versions of ``ref``'s chart from ``ref``'s repository that are cached."""
        found: list[str] = []
        for entry_file in sorted((self.root / "refs").glob("*.json")):
            try:
                entry = json.loads(entry_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(entry, dict) and (entry.get("repo_url"), entry.get("chart")) == (
                ref.repo, ref.chart,
            ):  # fmt: skip
                cached = self.lookup(ChartRef(ref.repo, ref.chart, str(entry.get("version"))))
                if cached is not None:
                    found.append(str(entry.get("version")))
        return found

    def store(self, ref: ChartRef, data: bytes, source: str) -> CachedChart:
        """Add an archive for ``ref``: ``ArchiveError`` if it cannot be unpacked safely or
        holds another chart or version (then no ref entry is written)."""
        digest = sha256_digest(data)
        top = self.unpack(data, digest)
        check_identity(self._entry(digest, top).path, ref)
        entry = {
            "repo_url": ref.repo, "chart": ref.chart, "version": ref.version,
            "digest": digest, "top": top, "source": source,
        }  # fmt: skip
        self._write_atomic(self._ref_file(ref), json.dumps(entry, indent=2).encode() + b"\n")
        return self._entry(digest, top)

    def unpack(self, data: bytes, digest: str) -> str:
        """Blob and tree for ``data`` (``digest`` its sha256) in the cache; the top folder."""
        hexdigest = digest.removeprefix("sha256:")
        blob = self.root / "blobs" / "sha256" / hexdigest
        if not blob.is_file():
            self._write_atomic(blob, data)
        tree = self.root / "trees" / "sha256" / hexdigest
        if tree.is_dir():
            tops = [p.name for p in tree.iterdir() if (p / "Chart.yaml").is_file()]
            if len(tops) == 1:
                return tops[0]
        tree.parent.mkdir(parents=True, exist_ok=True)
        _sweep_stale(tree.parent)
        _sweep_stale(blob.parent)
        staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=tree.parent))
        try:
            top = unpack_chart(data, staging)
            try:
                staging.rename(tree)
            except OSError:  # another process unpacked it first: theirs is as good
                if not (tree / top / "Chart.yaml").is_file():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return top

    def _entry(self, digest: str, top: str) -> CachedChart:
        hexdigest = digest.removeprefix("sha256:")
        return CachedChart(
            path=self.root / "trees" / "sha256" / hexdigest / top,
            archive=self.root / "blobs" / "sha256" / hexdigest,
            digest=digest,
        )

    def _ref_file(self, ref: ChartRef) -> Path:
        key = hashlib.sha256(f"{ref.repo}\n{ref.chart}\n{ref.version}".encode()).hexdigest()
        return self.root / "refs" / f"{key}.json"

    @staticmethod
    def _write_atomic(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _sweep_stale(folder: Path) -> None:
    """Remove temp files and folders a killed run left (hidden, older than an hour)."""
    limit = time.time() - STALE_SECONDS
    for leftover in folder.glob(".*"):
        try:
            if leftover.lstat().st_mtime < limit:
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)
        except OSError:  # another run swept it first
            continue


__all__ = ["ArchiveError", "CachedChart", "ChartCache", "default_cache_root", "sha256_digest"]
