"""What each Application brings, as far as the tree shows it: wave, CRDs, kinds, chart values.

Rules about CRD ownership, ordering, storage and controller pods read apps through this view,
so they work the same on homegen's tree, on a hand-written one, and on expanded chart objects
(which arrive as documents synced by their app): the objects an app syncs, plus what
``homegen.crds`` knows of its chart or Git source when the chart itself is not expanded.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from homegen.crds import CrdKind, kind_of, source_installs, source_uses
from homegen.expand.setvalues import merge_values as merge
from homegen.validate.reader.documents import load_one
from homegen.validate.reader.tree import (
    APP_KINDS,
    Obj,
    Tree,
    app_sources,
    app_spec,
    as_dict,
    as_list,
)

WAVE = "argocd.argoproj.io/sync-wave"
# built-in API groups: their kinds never come from a CRD
CORE_GROUPS = frozenset(
    {
        "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "storage.k8s.io",
        "rbac.authorization.k8s.io", "apiextensions.k8s.io", "admissionregistration.k8s.io",
        "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io",
        "certificates.k8s.io", "apiregistration.k8s.io", "events.k8s.io",
        "flowcontrol.apiserver.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
        "resource.k8s.io", "internal.apiserver.k8s.io",
    }
)  # fmt: skip


@dataclass
class AppFacts:
    """One Application (or an ApplicationSet not expanded) and what it brings."""

    app: Obj
    wave: int
    installs: dict[CrdKind, str] = field(default_factory=dict)  # CRD → where it comes from
    objects: list[Obj] = field(default_factory=list)  # the tree's objects it syncs
    charts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (chart, values)

    @property
    def namespace(self) -> str:
        """The destination namespace."""
        return str(as_dict(app_spec(self.app).get("destination")).get("namespace") or "")

    def uses(self) -> Iterator[tuple[CrdKind, Obj | None]]:
        """Custom kinds this app's objects use (the object, or None when a chart creates it)."""
        for item in self.objects:
            group, kind = kind_of(item.api_version, item.kind)
            if group not in CORE_GROUPS and item.kind not in APP_KINDS:
                yield (group, kind), item
        for chart, _ in self.charts:
            for crd in source_uses(chart):
                yield crd, None


def wave_of(app: Obj) -> int:
    """The app's sync wave (a generated Application: its ApplicationSet's)."""
    owner = app.generated_by if app.generated_by is not None else app
    try:
        return int(str(owner.annotations.get(WAVE, "0")).strip())
    except ValueError:
        return 0


def app_facts(tree: Tree) -> list[AppFacts]:
    """Every app of the tree except the root, with what it brings."""
    facts: dict[int, AppFacts] = {}
    for app in tree.apps():
        if app is tree.root_app:
            continue
        item = facts[id(app)] = AppFacts(app, wave_of(app))
        for source in app_sources(app):
            _add_source(tree, item, source)
    for obj in tree.objects:
        for app in tree.synced_by.get(obj.doc.file, ()):
            if id(app) in facts:
                facts[id(app)].objects.append(obj)
                if obj.kind == "CustomResourceDefinition":
                    crd = _crd_kind(obj)
                    if crd:
                        facts[id(app)].installs.setdefault(crd, obj.where.file)
    return list(facts.values())


def _add_source(tree: Tree, item: AppFacts, source: dict[str, Any]) -> None:
    helm = as_dict(source.get("helm"))
    chart = source.get("chart")
    chart_name = chart if isinstance(chart, str) else None
    for crd in source_installs(
        str(source.get("repoURL") or ""),
        chart_name,
        str(source.get("targetRevision") or ""),
        source.get("path") if isinstance(source.get("path"), str) else None,
        skip_crds=helm.get("skipCrds") is True,
    ):
        where = f"chart {chart_name}" if chart_name else f"{source.get('repoURL')}"
        item.installs.setdefault(crd, where)
    if chart_name:
        item.charts.append((chart_name, chart_values(tree, item.app, helm)))


def _crd_kind(obj: Obj) -> CrdKind | None:
    group = obj.spec.get("group")
    kind = as_dict(obj.spec.get("names")).get("kind")
    if isinstance(group, str) and isinstance(kind, str):
        return group, kind
    return None


def chart_values(tree: Tree, app: Obj, helm: dict[str, Any]) -> dict[str, Any]:
    """The values an Application passes its chart: value files of the tree, then inline ones."""
    refs = {
        str(s.get("ref")): s for s in app_sources(app) if isinstance(s.get("ref"), str)
    }  # fmt: skip
    merged: dict[str, Any] = {}
    for file in as_list(helm.get("valueFiles")):
        path = _tree_file(tree, refs, str(file))
        for content in tree.contents.get(path or "", ()):
            if isinstance(content, dict):
                merged = merge(merged, content)
    inline = helm.get("valuesObject")
    if not isinstance(inline, dict) and isinstance(helm.get("values"), str):
        try:
            inline = load_one(helm["values"])
        except (yaml.YAMLError, ValueError):  # over a limit: the expand stage reports it
            inline = None
    if isinstance(inline, dict):
        merged = merge(merged, inline)
    return merged


def _tree_file(tree: Tree, refs: dict[str, dict[str, Any]], file: str) -> str | None:
    """The tree path of ``$ref/path/in/repo`` when that repository is this tree's."""
    if not file.startswith("$"):
        return None
    ref, _, rest = file[1:].partition("/")
    source = refs.get(ref)
    if source is None:
        return None
    folder = tree.source_folder({"repoURL": source.get("repoURL"), "path": posixpath.dirname(rest)})
    if folder is None:
        return None
    return posixpath.join(folder, posixpath.basename(rest)) if folder else posixpath.basename(rest)
