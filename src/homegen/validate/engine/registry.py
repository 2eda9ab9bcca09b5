"""Where schemas come from: kubernetes-validate's shipped core schemas; for custom resources,
kubeconform-style locations (folders, http(s) URL templates, with an on-disk cache) first, then
homegen's built-in catalog (``homegen.crdschemas``) at the version the tree installs.

A location is a template with ``{{.Group}}``, ``{{.ResourceKind}}`` (the kind, lower case)
and ``{{.ResourceAPIVersion}}``; a plain folder means
``<folder>/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json``. Locations are tried
in order; the online CRDs-catalog (``DEFAULT_LOCATION``, ``--schema-location default``) is
only used when named. Downloads are written to the cache atomically (temp file, then
``os.replace``), so a warm run makes no request; a 404 is remembered for a day.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import ssl
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from homegen.crdschemas.catalog import Pins
from homegen.crdschemas.catalog import find as find_builtin

DEFAULT_LOCATION = (
    "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/"
    "{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
)
FOLDER_LAYOUT = "{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
DEFINITIONS_URI = "https://kubernetes.io/api/_definitions.json"
NEGATIVE_TTL = 24 * 3600.0
_PLACEHOLDER = re.compile(r"\{\{\s*\.(\w+)\s*\}\}")


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/homegen/schemas``, else ``~/.cache/homegen/schemas``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "homegen" / "schemas"


def split_api_version(api_version: str) -> tuple[str, str]:
    """``apps/v1`` → ``("apps", "v1")``; ``v1`` → ``("", "v1")``."""
    group, _, version = api_version.rpartition("/")
    return group, version


def expand(location: str, group: str, kind: str, version: str) -> str:
    """The path or URL of one kind's schema in ``location``."""
    if "{{" not in location:
        location = location.rstrip("/") + "/" + FOLDER_LAYOUT
    values = {
        "Group": group,
        "ResourceKind": kind.lower(),
        "ResourceAPIVersion": version,
        "Kind": kind,
        "KindSuffix": f"-{group.split('.')[0]}" if group else "",
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), location)


# --- core kinds -------------------------------------------------------------------------


@dataclass(frozen=True)
class CoreSchemas:
    """kubernetes-validate's strict schemas of one Kubernetes version.

    The per-kind files (``<kind>-<group>-<version>.json``) are the same objects as the
    entries of ``_definitions.json``, so that one file is read and indexed by group/version/kind.
    """

    version: str
    definitions: dict[str, Any]
    by_gvk: dict[tuple[str, str, str], str]
    groups: frozenset[str]

    def definition_ref(self, group: str, version: str, kind: str) -> str | None:
        """The ``$ref`` of a built-in kind's schema, or None when it is not built in."""
        name = self.by_gvk.get((group, version, kind))
        return f"{DEFINITIONS_URI}#/$defs/{name}" if name else None


def _schema_root() -> Path:
    # find_spec locates the package without running its __init__ (which imports
    # jsonschema: ~100 ms); only its shipped schema files are used
    import importlib.util

    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise LookupError("kubernetes-validate is not installed: no core schemas")
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", name)[:3])


@cache
def core_schemas(kubernetes_version: str) -> CoreSchemas:
    """The newest shipped schemas not newer than ``kubernetes_version`` (e.g. ``1.28``)."""
    wanted = _version_key(kubernetes_version.lstrip("v"))[:2]
    folders = sorted(
        (p for p in _schema_root().iterdir() if p.name.endswith("-local-strict")),
        key=lambda p: _version_key(p.name),
    )
    usable = [p for p in folders if _version_key(p.name)[:2] <= wanted]
    if not usable:
        oldest = folders[0].name if folders else "none"
        raise LookupError(f"no core schemas for Kubernetes {kubernetes_version} (oldest {oldest})")
    folder = usable[-1]
    document = json.loads((folder / "_definitions.json").read_text(encoding="utf-8"))
    by_gvk: dict[tuple[str, str, str], str] = {}
    for name, schema in document["$defs"].items():
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            if name.endswith("." + gvk["kind"]):
                by_gvk[(gvk["group"], gvk["version"], gvk["kind"])] = name
    groups = frozenset(g for g, _v, _k in by_gvk)
    version = ".".join(str(p) for p in _version_key(folder.name)[:2])
    return CoreSchemas(version, document, by_gvk, groups)


# --- custom resources -------------------------------------------------------------------


@dataclass
class Lookup:
    """The outcome of looking a kind up: its schema and where it came from, or why not."""

    schema: dict[str, Any] | None
    source: str = ""
    tried: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class SchemaRegistry:
    """Finds CRD schemas through ``locations`` (downloads cached in ``cache_dir``), then in
    the built-in catalog unless ``builtin`` is off."""

    locations: tuple[str, ...]
    cache_dir: Path
    builtin: bool = True
    timeout: float = 10.0
    requests: int = 0  # HTTP requests made (the tests count them)
    _memo: dict[tuple[str, str, str, Pins], Lookup] = field(default_factory=dict)
    # Hosts that failed at the network level this run: offline, do not try each kind again.
    _unreachable: dict[str, str] = field(default_factory=dict)
    _tls: ssl.SSLContext | None = None  # one context: loading the CA bundle costs ~25 ms

    def find(self, group: str, version: str, kind: str, pins: Pins = ()) -> Lookup:
        """The schema of a custom kind, trying each location in order, then the built-in
        catalog at the pinned tags (``(project, tag)`` pairs; else the newest)."""
        key = (group, version, kind, pins)
        if key not in self._memo:
            self._memo[key] = self._find(group, version, kind, pins)
        return self._memo[key]

    def _find(self, group: str, version: str, kind: str, pins: Pins) -> Lookup:
        lookup = self._find_in_locations(group, version, kind)
        if lookup.schema is not None or not self.builtin:
            return lookup
        lookup.tried.append("the built-in catalog")
        found = find_builtin(group, version, kind, dict(pins))
        if found is not None:
            schema = _read_builtin(str(found.path))
            return Lookup(schema, found.describe(), lookup.tried, lookup.problems)
        return lookup

    def _find_in_locations(self, group: str, version: str, kind: str) -> Lookup:
        lookup = Lookup(None)
        for location in self.locations:
            where = expand(location, group, kind, version)
            lookup.tried.append(where)
            if where.startswith(("http://", "https://")):
                text = self._download(where, lookup.problems)
            else:
                text = _read_local(where.removeprefix("file://"))
            if text is None:
                continue
            try:
                schema = json.loads(text)
            except ValueError as exc:
                lookup.problems.append(f"{where}: not JSON: {exc}")
                continue
            if isinstance(schema, dict):
                return Lookup(schema, where, lookup.tried, lookup.problems)
            lookup.problems.append(f"{where}: not a JSON object")
        return lookup

    def _cache_path(self, url: str) -> Path:
        return self.cache_dir / (hashlib.sha256(url.encode()).hexdigest() + ".json")

    def _download(self, url: str, problems: list[str]) -> str | None:
        cached = self._cache_path(url)
        missing = cached.with_suffix(".missing")
        if cached.is_file():
            return cached.read_text(encoding="utf-8")
        if missing.is_file() and time.time() - missing.stat().st_mtime < NEGATIVE_TTL:
            return None
        host = urllib.parse.urlsplit(url).netloc
        if host in self._unreachable:
            problems.append(f"{url}: {self._unreachable[host]}")
            return None
        if self._tls is None and url.startswith("https://"):
            self._tls = ssl.create_default_context()
        self.requests += 1
        try:
            with urllib.request.urlopen(url, timeout=self.timeout, context=self._tls) as response:
                body: bytes = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                _write_atomic(missing, b"")
            else:
                problems.append(f"{url}: HTTP {exc.code}")
            return None
        except (urllib.error.URLError, OSError) as exc:
            reason = f"{getattr(exc, 'reason', exc)}"
            self._unreachable[host] = f"{host} unreachable ({reason})"
            problems.append(f"{url}: {reason}")
            return None
        _write_atomic(cached, body)
        return body.decode("utf-8")


@cache
def _read_builtin(path: str) -> dict[str, Any]:
    """A catalog file, parsed once per process (shared by every registry)."""
    schema: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return schema


def _read_local(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` so a reader sees the old file or the whole new one, never a part."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # an unwritable cache costs a download next time, nothing more
