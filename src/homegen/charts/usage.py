"""Which charts a homelab uses: the helm apps of services.toml, or the Helm sources of the
Applications and ApplicationSets of any ArgoCD tree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homegen.charts.model import ChartRef

if TYPE_CHECKING:
    from homegen.config.models import Config
    from homegen.treeread import TreeReader

APP_KINDS = ("Application", "ApplicationSet")


@dataclass(frozen=True)
class ChartUse:
    """One chart version and the apps that use it."""

    ref: ChartRef
    apps: tuple[str, ...]


@dataclass(frozen=True)
class TreeCharts:
    """The charts of a tree, and the Helm sources skipped because a template makes them up."""

    uses: list[ChartUse]
    skipped: list[str]  # "file: Kind/name: why"
    refused: list[str] = field(default_factory=list)  # "file: out-of-bounds symlink ..."
    # what builds read, for the listing of in-tree charts and helmCharts: (file, document)
    built: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    reader: TreeReader | None = None


def charts_of_config(config: Config) -> list[ChartUse]:
    """The chart of every ``[apps.NAME] helm = {…}``, each chart version once."""
    pairs = [
        (ChartRef(app.helm.repo_url, app.helm.chart, app.helm.version), name)
        for name, app in config.apps.items()
        if app.helm is not None
    ]
    return _grouped(pairs)


def charts_of_tree(root: Path) -> TreeCharts:
    """The Helm sources (``chart`` + ``repoURL`` + ``targetRevision``) of every Application
    and ApplicationSet below ``root``. An ApplicationSet whose chart fields are templated is
    expanded (``homegen.appsets``); what cannot be expanded is listed as skipped."""
    from homegen.treeread import TreeReader
    from homegen.validate.reader.documents import load_tree

    pairs: list[tuple[ChartRef, str]] = []
    skipped: list[str] = []
    reader = TreeReader.for_tree(root)
    built: list[tuple[str, dict[str, Any]]] = []
    for doc in load_tree(root, reader):
        found = _built_charts(doc.file, doc.obj)
        if found is not None:
            pairs += found
            built.append((doc.file, doc.obj))
        obj = doc.obj
        kind = obj.get("kind")
        if kind not in APP_KINDS or not str(obj.get("apiVersion", "")).startswith("argoproj.io/"):
            continue
        meta = obj.get("metadata")
        label = f"{kind}/{meta.get('name', '?') if isinstance(meta, dict) else '?'}"
        sources = _sources(obj)
        if kind == "ApplicationSet" and any(_templated(s) for s in sources):
            sources, problems = _generated_sources(obj, root, reader)
            skipped += [f"{doc.file}: {label}: {problem}" for problem in problems]
        for source in sources:
            fields = [source.get(k) for k in ("repoURL", "chart", "targetRevision")]
            if not source.get("chart"):
                continue
            if not all(isinstance(f, str) and f for f in fields):
                skipped.append(f"{doc.file}: {label}: chart without repoURL or targetRevision")
            elif _templated(source):
                skipped.append(f"{doc.file}: {label}: chart fields come from a template")
            else:
                pairs.append((ChartRef(*(str(f) for f in fields)), label))
    refused = [f"{r.path}: {r.message}" for r in reader.refusals.values()]
    return TreeCharts(_grouped(pairs), skipped, refused, built, reader)


def _built_charts(file: str, obj: dict[str, Any]) -> list[tuple[ChartRef, str]] | None:
    """Charts a build pulls that no Application names: a kustomization's ``helmCharts:``
    and the ``dependencies:`` of a chart of the tree (what ``helm dependency build`` gets);
    None when ``file`` is neither a kustomization nor a Chart.yaml."""
    folder, _, name = file.rpartition("/")
    if name in ("kustomization.yaml", "kustomization.yml"):
        entries, label, repo_key = obj.get("helmCharts"), f"kustomize:{folder or '.'}", "repo"
    elif name == "Chart.yaml":
        entries, label, repo_key = obj.get("dependencies"), f"chart {folder or '.'}", "repository"
    else:
        return None
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        fields = [str(entry.get(k) or "") for k in (repo_key, "name", "version")]
        # a file:// or alias (@repo) dependency is no chart repository to pull from
        if all(fields) and "://" in fields[0] and not fields[0].startswith("file://"):
            found.append((ChartRef(*fields), label))
    return found


def _templated(source: dict[str, Any]) -> bool:
    return any("{{" in str(source.get(k, "")) for k in ("repoURL", "chart", "targetRevision"))


def _generated_sources(
    appset: dict[str, Any], root: Path, reader: TreeReader
) -> tuple[list[dict[str, Any]], list[str]]:
    """The sources of every Application the set generates, and what could not be expanded."""
    from homegen.appsets import DiskRepo, generate_applications

    repo = DiskRepo(reader.root, reader=reader) if reader.git else None
    expansion = generate_applications(appset, repo)
    sources = [source for app in expansion.apps for source in app.sources]
    return sources, [problem.message for problem in expansion.problems]


def _sources(obj: dict[str, Any]) -> Iterable[dict[str, Any]]:
    spec = obj.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    if obj.get("kind") == "ApplicationSet":
        template = spec.get("template")
        inner = template.get("spec") if isinstance(template, dict) else None
        spec = inner if isinstance(inner, dict) else {}
    single = spec.get("source")
    many = spec.get("sources")
    found = [single] if isinstance(single, dict) else []
    found += [s for s in many if isinstance(s, dict)] if isinstance(many, list) else []
    return found


def _grouped(pairs: Iterable[tuple[ChartRef, str]]) -> list[ChartUse]:
    """One ``ChartUse`` per chart version (repositories compared normalized), sorted."""
    apps: dict[ChartRef, list[str]] = {}
    for ref, app in pairs:
        key = ChartRef(ref.repo, ref.chart, ref.version)
        apps.setdefault(key, [])
        if app not in apps[key]:
            apps[key].append(app)
    return [
        ChartUse(ref, tuple(users))
        for ref, users in sorted(apps.items(), key=lambda item: (item[0].chart, item[0].version))
    ]
