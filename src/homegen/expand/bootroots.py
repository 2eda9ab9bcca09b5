"""Roots that a chart of the tree makes at bootstrap.

Many homelabs install ArgoCD with a bootstrap step (a Makefile, an Ansible play, a
``helm template … | kubectl apply``) that renders a chart of the repository: its templates, or
the values it hands to a dependency such as ``argocd-apps``, hold the root Applications and
ApplicationSets. No file of the tree then is an Application, and ArgoCD's apps exist only once
that chart is rendered. When the tree names no root (no written Application syncs a folder
holding another app), each chart folder of the tree that mentions Applications, and that no app
syncs, is rendered offline with its value files (``values.yaml`` and its ``values-*.yaml``
layered over it, as a first install passes them), and the Applications and ApplicationSets it
makes that point into this repository become documents of the tree: the roots. A dependency
found nowhere offline is said, never passed as "no apps".
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homegen.charts import ChartSearch
from homegen.charts.cache import ChartCache, default_cache_root
from homegen.charts.wrapper import declared
from homegen.expand import dependencies
from homegen.expand.model import ExpandSettings, Expansion
from homegen.expand.treecharts import ChartRefused, TreeCharts, chart_value_files
from homegen.treeread import Refused, TreeReader
from homegen.validate.reader.documents import Document, parse_with_yaml
from homegen.validate.reader.roots import BOOTSTRAP_MARK
from homegen.validate.reader.tree import as_dict, as_list, normalize_repo

APP_KINDS = ("Application", "ApplicationSet")
# what a chart that makes Argo apps says somewhere in its values or templates
_MENTIONS = re.compile(r"kind:\s*Application(Set)?\b|^\s*application(set)?s:", re.MULTILINE)


@dataclass
class BootRoots:
    """The app documents bootstrap charts make, and what was said about them."""

    documents: list[Document] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # the notes that say roots are not known

    def say_unknown(self, note: str) -> None:
        self.notes.append(note)
        self.unknown.append(note)


def _written_apps(docs: list[Document]) -> list[Document]:
    return [
        d
        for d in docs
        if d.origin is None and not d.skip and not d.problems
        and d.obj.get("kind") in APP_KINDS
        and str(d.obj.get("apiVersion", "")).startswith("argoproj.io/")
    ]  # fmt: skip


def _paths(doc: Document) -> list[str]:
    spec = as_dict(doc.obj.get("spec"))
    if doc.obj.get("kind") == "ApplicationSet":
        spec = as_dict(as_dict(spec.get("template")).get("spec"))
    sources = [as_dict(spec.get("source"))] + [as_dict(s) for s in as_list(spec.get("sources"))]
    return [str(s["path"]).strip("/") for s in sources if isinstance(s.get("path"), str)]


def root_known(docs: list[Document]) -> bool:
    """Whether a written app is a root: an ApplicationSet (applied at bootstrap or synced), or
    an Application whose path is a folder holding an app's file (its own included)."""
    apps = _written_apps(docs)
    if any(d.obj.get("kind") == "ApplicationSet" for d in apps):
        return True
    dirs = [posixpath.dirname(d.file) for d in apps]
    return any(_holds(path, d) for doc in apps for path in _paths(doc) for d in dirs)


def _holds(path: str, folder: str) -> bool:
    """Whether the repository path ``path`` is ``folder`` of the tree or holds it (the tree may
    be a folder of the repository: its tail is matched)."""
    if path in ("", "."):
        return True
    return f"/{folder}/".startswith(f"/{path}/") or f"/{path}/".endswith(f"/{folder}/")


def _synced_paths(docs: list[Document]) -> set[str]:
    return {p for d in _written_apps(docs) for p in _paths(d)}


def bootstrap_roots(docs: list[Document], settings: ExpandSettings) -> BootRoots:
    """The roots the tree's bootstrap charts make (none when a written app is the root)."""
    found = BootRoots()
    if settings.tree_root is None or root_known(docs):
        return found
    reader = settings.reader or TreeReader.for_tree(settings.tree_root)
    synced = _synced_paths(docs)
    charts = TreeCharts(reader)
    search = ChartSearch(
        settings.chart_dirs, ChartCache(settings.chart_cache or default_cache_root()), online=False
    )
    try:
        for doc in docs:
            folder = posixpath.dirname(doc.file)
            if posixpath.basename(doc.file) != "Chart.yaml" or doc.index != 0 or folder in synced:
                continue
            root = settings.tree_root / folder
            if isinstance(doc.obj, dict) and _mentions_apps(reader, root, doc.obj):
                _render(folder, doc.obj, settings, reader, charts, search, found)
    finally:
        charts.close()
    return found


def _mentions_apps(reader: TreeReader, folder: Path, chart: dict[str, Any]) -> bool:
    if any(dep.name == "argocd-apps" for dep in declared(chart)):
        return True
    for name in reader.walk(folder):
        if name.startswith("charts/") or not name.endswith((".yaml", ".yml", ".tpl")):
            continue
        try:
            if _MENTIONS.search(reader.read_text(folder / name)):
                return True
        except (Refused, OSError, ValueError):
            continue
    return False


def value_file_names(reader: TreeReader, folder: Path) -> list[str]:
    """``values.yaml``, then the folder's other ``values*.yaml``, sorted: what a first install
    layers (a seed file that points the roots at the public repository, say)."""
    names = sorted(
        n for n in reader.walk(folder)
        if "/" not in n and n.startswith("values") and n.endswith((".yaml", ".yml"))
    )  # fmt: skip
    return sorted(names, key=lambda n: n != "values.yaml")


def _render(
    folder: str,
    chart: dict[str, Any],
    settings: ExpandSettings,
    reader: TreeReader,
    charts: TreeCharts,
    search: ChartSearch,
    found: BootRoots,
) -> None:
    """Render one candidate chart; its app documents into ``found``, or a note."""
    from homegen.expand.capabilities import api_versions, kube_version
    from homegen.expand.helm import ChartFailed, EngineMissing, render_chart
    from homegen.expand.setvalues import merge_values

    assert settings.tree_root is not None
    source = settings.tree_root / folder
    names = value_file_names(reader, source)
    try:
        path = charts.loadable(source, True)
        files = chart_value_files(reader, source, names, True)
        values = merge_values({}, *[f for f in files if isinstance(f, dict)])
        vendored = dependencies.vendor(chart, path, search, reader, source)
        vendored = dependencies.unused(vendored, chart, values)
        if vendored.failure:
            found.say_unknown(f"root chart {folder}: {vendored.failure}: roots not known")
            return
        rendered = render_chart(
            path, values, release=str(chart.get("name") or "root"), namespace="argocd",
            kube_version=kube_version(settings.kubernetes_version),
            api_versions=api_versions(settings.kubernetes_version, []),
        )  # fmt: skip
    except Refused as exc:
        found.say_unknown(f"root chart {folder}: {exc.refusal.message}: roots not known")
        return
    except (ChartFailed, ChartRefused, EngineMissing, OSError, ValueError) as exc:
        # EngineMissing: without the charts extra the chart is not rendered (said, not a crash)
        found.say_unknown(f"root chart {folder}: {exc}: roots not known".replace("\n", " "))
        return
    # a dependency not found is rendered without (as the expand stage does): the roots may
    # come from the others; none found then is "not known", some found "may be incomplete"
    kept = _keep(folder, names, rendered.templates, settings.repo_url, found)
    if vendored.absent:
        absent = "; ".join(f"dependency {n} not found" for n in vendored.absent)
        outcome = "roots may be incomplete" if kept else "roots not known"
        found.say_unknown(f"root chart {folder}: {absent}: {outcome}")


def _keep(
    folder: str, names: list[str], templates: list[tuple[str, str]], repo_url: str, found: BootRoots
) -> int:
    """The rendered apps that point into this repository become documents of the tree."""
    own = normalize_repo(repo_url)
    kept = 0
    for template, text in templates:
        for doc in parse_with_yaml(f"{folder}{BOOTSTRAP_MARK}{template}", text):
            if doc.problems or doc.obj.get("kind") not in APP_KINDS:
                continue
            if own and own not in _repos(doc.obj):
                continue  # a root of another repository (a second cluster's), not this one's
            found.documents.append(doc)
            kept += 1
    if kept:
        found.notes.append(
            f"root from chart {folder} rendered at bootstrap (with {', '.join(names)}): "
            f"{kept} Application(s)/ApplicationSet(s)"
        )
    return kept


def _repos(obj: dict[str, Any]) -> set[str]:
    """The repositories an app or ApplicationSet reads: its sources and git generators."""
    text_found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "repoURL" and isinstance(value, str):
                    text_found.add(normalize_repo(value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(obj.get("spec"))
    return text_found


def without_copies(documents: list[Document], booted: list[Document]) -> list[Document]:
    """``documents`` less the expanded copies of the bootstrap roots: an app that syncs the
    bootstrap chart's folder renders the same objects again (ArgoCD adopts them; there is one
    of each)."""
    if not booted:
        return documents
    keys = {_key(d) for d in booted}
    return [d for d in documents if d.origin is None or _key(d) not in keys]


def _key(doc: Document) -> tuple[str, str]:
    return str(doc.obj.get("kind")), str(as_dict(doc.obj.get("metadata")).get("name"))


def expand_with_roots(docs: list[Document], settings: ExpandSettings) -> Expansion:
    """``expand_tree`` over the tree's documents and the roots its bootstrap charts make."""
    from homegen.expand.stage import expand_tree

    booted = bootstrap_roots(docs, settings)
    expansion = expand_tree(booted.documents + docs, settings)
    expansion.notes[:0] = booted.notes
    expansion.roots_unknown += booted.unknown
    expansion.documents = without_copies(expansion.documents, booted.documents)
    return expansion
