"""Unpacking a chart archive safely, and checking it is the chart that was asked for.

A chart ``.tgz`` comes from the network or from a folder someone else fills, so it is read
as hostile: no absolute or ``..`` paths, no links that leave the chart, no device files, and
limits on member count and unpacked size (a gzip bomb stops at the limit, not at a full disk).
"""

from __future__ import annotations

import io
import posixpath
import tarfile
import zlib
from pathlib import Path
from typing import Any

import yaml

from homegen.charts.model import ChartRef

MAX_MEMBERS = 10_000
MAX_UNPACKED = 200 * 1024 * 1024  # bytes; the largest public charts unpack to a few MiB
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it
_ALLOWED_TYPES = (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE)


class ArchiveError(Exception):
    """The archive is unreadable, unsafe, or holds another chart; the message says which."""


def unpack_chart(data: bytes, dest: Path) -> str:
    """Unpack a chart archive into the (new, empty) folder ``dest``; the chart's top folder.

    Helm packages a chart as one top folder (``<chart>/``) holding ``Chart.yaml``.
    """
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            members = tar.getmembers()
            top = _check_members(members)
            tar.extractall(dest, members=members, filter="data")
    except (tarfile.TarError, zlib.error, EOFError, OSError) as exc:
        raise ArchiveError(f"not a readable chart archive ({exc})") from exc
    if not (dest / top / "Chart.yaml").is_file():
        raise ArchiveError(f"no {top}/Chart.yaml in the archive")
    return top


def _check_members(members: list[tarfile.TarInfo]) -> str:
    """The one top folder of the archive; ``ArchiveError`` for anything unsafe or too large."""
    if len(members) > MAX_MEMBERS:
        raise ArchiveError(f"more than {MAX_MEMBERS} files")
    tops: set[str] = set()
    total = 0
    for member in members:
        name = posixpath.normpath(member.name)
        if member.name.startswith(("/", "\\")) or name == ".." or name.startswith("../"):
            raise ArchiveError(f"unsafe path {member.name!r}")
        if member.type not in _ALLOWED_TYPES:
            raise ArchiveError(f"{member.name!r}: only files, folders and links inside allowed")
        if member.issym() and _leaves(name, member.linkname):
            raise ArchiveError(f"link {member.name!r} points outside the chart")
        total += max(member.size, 0)
        if name == ".":  # "./" of archives made with `tar -C dir .`
            continue
        if total > MAX_UNPACKED:
            raise ArchiveError(f"unpacks to more than {MAX_UNPACKED // (1024 * 1024)} MiB")
        tops.add(name.split("/", 1)[0])
    if len(tops) != 1:
        raise ArchiveError(f"expected one top folder, found {sorted(tops) or 'none'}")
    return tops.pop()


def _leaves(name: str, target: str) -> bool:
    """Whether a symlink at ``name`` pointing at ``target`` resolves outside its top folder."""
    if target.startswith("/"):
        return True
    top = name.split("/", 1)[0]
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
    return resolved != top and not resolved.startswith(top + "/")


def read_chart_meta(chart_dir: Path) -> dict[str, Any]:
    """``Chart.yaml`` of an unpacked chart, as a mapping (``ArchiveError`` when unreadable)."""
    try:
        text = (chart_dir / "Chart.yaml").read_text(encoding="utf-8")
        meta = yaml.load(text, Loader=_SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ArchiveError(f"{chart_dir / 'Chart.yaml'}: unreadable ({exc})") from exc
    if not isinstance(meta, dict):
        raise ArchiveError(f"{chart_dir / 'Chart.yaml'}: not a mapping")
    return meta


def check_identity(chart_dir: Path, ref: ChartRef) -> None:
    """``ArchiveError`` unless ``Chart.yaml`` names ``ref``'s chart and version."""
    meta = read_chart_meta(chart_dir)
    name, version = str(meta.get("name", "")), str(meta.get("version", ""))
    if name != ref.chart or not same_version(version, ref.version):
        raise ArchiveError(f"holds {name or '?'} {version or '?'}, not {ref.chart} {ref.version}")


def same_version(a: str, b: str) -> bool:
    """Versions equal up to a leading ``v`` (Helm reads ``v1.2.3`` and ``1.2.3`` alike)."""
    return a.removeprefix("v") == b.removeprefix("v")
