"""What the tree does not fully know: namespaces a source that was not expanded deploys into.

Checks that need everything a namespace holds (a Service, a workload, a StorageClass) turn
their finding there into a note naming the app ("not verified"): unknown is not wrong.
"""

from __future__ import annotations

from typing import Any

from homegen.validate.reader.kustomize import namespace_named
from homegen.validate.reader.tree import APP_KINDS, Obj, Tree, app_sources, app_spec, as_dict

# ArgoCD's own components: wherever ArgoCD runs (installed at bootstrap, often outside the
# tree) these pods and the argocd-server Service exist, in the namespace of its Applications
ARGOCD_COMPONENTS = frozenset(
    {
        "argocd-server", "argocd-repo-server", "argocd-application-controller",
        "argocd-applicationset-controller", "argocd-dex-server", "argocd-redis",
        "argocd-notifications-controller", "argocd-commit-server",
    }
)  # fmt: skip
ARGOCD_SERVER_PORTS = (80, 443)


def argocd_namespaces(tree: Tree) -> set[str]:
    """Namespaces ArgoCD runs in: where the tree's Applications live."""
    return {a.namespace or "argocd" for a in tree.kind(*APP_KINDS)}


def selects_argocd(tree: Tree, namespace: str, selector: dict[str, Any]) -> bool:
    """Whether a Service selector picks one of ArgoCD's own pods where ArgoCD runs."""
    name = selector.get("app.kubernetes.io/name")
    return name in ARGOCD_COMPONENTS and namespace in argocd_namespaces(tree)


def _plain(source: dict[str, Any]) -> bool:
    """A directory source (no chart, plugin or kustomize options): read as it is."""
    return not (source.get("chart") or source.get("plugin") is not None or source.get("kustomize"))


def not_expanded(tree: Tree, namespace: str) -> str:
    """The app deploying to ``namespace`` whose source was not expanded ("" when every source
    there was): what that namespace holds is then not fully known."""
    if tree.expansion is None:
        return ""
    if namespace not in tree.expansion.incomplete:
        return _named_by_unexpanded(tree).get(namespace, "")
    apps = [
        a for a in tree.apps()
        if as_dict(app_spec(a).get("destination")).get("namespace") == namespace
    ]  # fmt: skip
    skipped = getattr(tree.expansion, "skipped", {})
    named = [a for a in apps if a.name in skipped]
    built = named or [a for a in apps if any(not _plain(s) for s in app_sources(a))]
    chosen = built or apps
    if not chosen:  # named only inside a build that was not made
        return str(getattr(tree.expansion, "named_by", {}).get(namespace, namespace))
    return chosen[0].name


def never_applied(tree: Tree, item: Obj) -> bool:
    """Whether ArgoCD never applies the object: the tree has apps and none syncs its file
    (a stale copy left beside the manifests clashes with nothing)."""
    return item.doc.file not in tree.synced_by and any(tree.kind(*APP_KINDS))


def _named_by_unexpanded(tree: Tree) -> dict[str, str]:
    """Namespaces the files of an app not expanded name (a plugin's folder, a build not made
    whose app deploys elsewhere), each → that app."""
    if tree.unknown_namespaces is None:
        skipped = getattr(tree.expansion, "skipped", {})
        found: dict[str, str] = {}
        for app in tree.apps():
            if app.name not in skipped:
                continue
            for source in app_sources(app):
                for file in sorted(tree.files_of_source(source) or ()):
                    for obj in tree.contents.get(file, ()):
                        named = namespace_named(obj, file)
                        if named:
                            found.setdefault(named, app.name)
        tree.unknown_namespaces = found
    return tree.unknown_namespaces


def unexpanded_apps(tree: Tree) -> list[str]:
    """Every app with a source not expanded, by name."""
    if tree.expansion is None:
        return []
    return sorted({not_expanded(tree, ns) for ns in tree.expansion.incomplete} - {""})
