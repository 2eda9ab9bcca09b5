"""The built-in catalog: CRD schemas shipped with homegen, one folder per project and tag.

``catalog/<project>/<tag>/<group>/<kind>_<version>.json`` (kubeconform layout), made by the
converter from the upstream files ``catalog/sources.toml`` names. A kind is looked up in the
folder of the version the tree installs (its *pin*: ``{project: revision}``), else the newest.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
SOURCES_FILE = CATALOG_DIR / "sources.toml"
Pins = tuple[tuple[str, str], ...]  # (project, tag) pairs: hashable, so a cache key


@dataclass(frozen=True)
class HelmChart:
    """A Helm chart that installs a project; ``tag`` turns its version into the project's tag."""

    repo_url: str
    chart: str
    tag: str


@dataclass(frozen=True)
class Source:
    """One catalog folder's provenance: the upstream repository, tag and files."""

    project: str
    tag: str
    repository: str
    path: str
    files: tuple[str, ...]
    local: str
    licence: str
    commit: str = ""
    helm: tuple[HelmChart, ...] = ()

    @property
    def folder(self) -> Path:
        """Where its schemas are."""
        return CATALOG_DIR / self.project / self.tag


@cache
def sources() -> tuple[Source, ...]:
    """Every catalog folder's source, as sources.toml lists them."""
    data = tomllib.loads(SOURCES_FILE.read_text(encoding="utf-8"))
    return tuple(_source(entry) for entry in data.get("source", ()))


def _source(entry: dict[str, Any]) -> Source:
    helm = tuple(HelmChart(h["repo_url"], h["chart"], h["tag"]) for h in entry.get("helm", ()))
    return Source(
        project=entry["project"],
        tag=entry["tag"],
        repository=entry["repository"],
        path=entry["path"],
        files=tuple(entry["files"]),
        local=entry["local"],
        licence=entry["licence"],
        commit=entry.get("commit", ""),
        helm=helm,
    )


def version_key(tag: str) -> tuple[int, ...]:
    """``v1.2.1`` → (1, 2, 1); ``gha-runner-scale-set-0.13.0`` → (0, 13, 0)."""
    return tuple(int(p) for p in re.findall(r"\d+", tag)[-3:])


def choose(tags: Iterable[str], wanted: str | None) -> str | None:
    """The tag to use: ``wanted`` itself, else the newest not newer, else the oldest newer;
    with nothing wanted, the newest."""
    ordered = sorted(tags, key=version_key)
    if not ordered:
        return None
    if wanted is None:
        return ordered[-1]
    if wanted in ordered:
        return wanted
    key = version_key(wanted)
    older = [t for t in ordered if version_key(t) <= key]
    return older[-1] if older else ordered[0]


@dataclass(frozen=True)
class Found:
    """A schema file of the catalog and the source folder it is in."""

    path: Path
    source: Source

    def describe(self) -> str:
        """How a finding names it: ``built-in gateway-api v1.2.1``."""
        return f"built-in {self.source.project} {self.source.tag}"


def find(group: str, version: str, kind: str, pins: Mapping[str, str]) -> Found | None:
    """The catalog's schema of a kind, in the pinned folder of its project where pinned."""
    name = f"{group}/{kind.lower()}_{version}.json"
    by_project: dict[str, dict[str, Source]] = {}
    for source in sources():
        if (source.folder / name).is_file():
            by_project.setdefault(source.project, {})[source.tag] = source
    for project, tags in by_project.items():
        tag = choose(tags, pins.get(project))
        if tag is not None:
            return Found(tags[tag].folder / name, tags[tag])
    return None


def normal_url(url: str) -> str:
    """A repository URL as compared: lower case, no scheme, no trailing `/` or `.git`."""
    url = url.strip().lower().removesuffix("/").removesuffix(".git")
    return url.removeprefix("oci://").removeprefix("https://").removeprefix("http://")


def pin_of_source(app_source: Mapping[str, Any]) -> tuple[str, str] | None:
    """The (project, tag) an Application source installs, if it is a catalog project."""
    repo = app_source.get("repoURL")
    revision = app_source.get("targetRevision")
    if not isinstance(repo, str) or not isinstance(revision, str) or not revision:
        return None
    url, chart = normal_url(repo), app_source.get("chart")
    for source in sources():
        if not chart and url == normal_url(source.repository):
            return source.project, revision
        for helm in source.helm:
            if chart == helm.chart and url == normal_url(helm.repo_url):
                return source.project, helm.tag.format(version=revision.removeprefix("v"))
    return None


def pins_from_objects(objects: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Pins read from a tree: the sources of its Applications (and ApplicationSet templates)."""
    pins: dict[str, str] = {}
    for obj in objects:
        if obj.get("kind") not in ("Application", "ApplicationSet"):
            continue
        spec = obj.get("spec")
        if not isinstance(spec, dict):
            continue
        if obj.get("kind") == "ApplicationSet":
            template = spec.get("template")
            spec = template.get("spec") if isinstance(template, dict) else None
            if not isinstance(spec, dict):
                continue
        listed = spec.get("sources")
        app_sources = [*(listed if isinstance(listed, list) else []), spec.get("source")]
        for app_source in app_sources:
            if isinstance(app_source, dict) and (pin := pin_of_source(app_source)):
                pins.setdefault(*pin)
    return pins
