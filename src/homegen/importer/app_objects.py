"""What becomes of the objects an imported app syncs: its own Namespace, the objects
written beside its Application, one file per kind and name, the objects a root applies
besides Applications, and the settings objects that [argocd] and [gateway] take over."""

from __future__ import annotations

import posixpath
from typing import Any

from homegen.importer.apps import ImportedApp
from homegen.importer.builds import flatten_build
from homegen.importer.folders import folder_objects
from homegen.importer.kustomized import KUSTOMIZATIONS, as_built
from homegen.importer.location import Location, app_name, root_paths
from homegen.importer.report import Report
from homegen.importer.settings import Taken
from homegen.importer.source import SourceTree, is_app
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import as_dict


def import_namespace(app: ImportedApp, report: Report) -> None:
    """The app's Namespace: homegen's own (a tree it rendered) becomes ``pod_security``;
    otherwise homegen renders none, as a Namespace enforcing restricted Pod Security where
    the tree had none (or its own) would harden the app silently."""
    namespace = app.table["namespace"]
    if app.table.get("destination_namespace") is False:  # its Namespace would be a guess
        app.table["manage_namespace"] = False
        return
    for doc, obj in app.objects:
        meta = as_dict(obj.get("metadata"))
        labels = as_dict(meta.get("labels"))
        if obj.get("kind") != "Namespace" or meta.get("name") != namespace:
            continue
        if labels.get("app.kubernetes.io/managed-by") != "homegen":
            break
        app.objects.remove((doc, obj))
        app.table["objects"] = [o for _, o in app.objects]
        if not app.objects:
            del app.table["objects"]
        level = labels.get("pod-security.kubernetes.io/enforce", "restricted")
        if level != "restricted":
            reason = as_dict(meta.get("annotations")).get("homegen.dev/pod-security-reason")
            app.table["pod_security"] = {
                "level": level,
                "reason": reason or f"imported: the tree's Namespace enforces {level}",
            }
        report.add(
            "imported",
            f"Namespace/{namespace}",
            f"homegen's own Namespace → [apps.{app.name}] pod_security {level}",
            doc.file,
            doc.line,
        )
        return
    app.table["manage_namespace"] = False
    report.add(
        "inferred",
        app.subject,
        f"manage_namespace = false: homegen renders no "
        f"Namespace {namespace} (one enforcing restricted Pod Security would harden "
        "what the tree did not)",
        app.doc.file,
        app.doc.line,
    )


def attach_root_objects(
    app: ImportedApp, tree: SourceTree, roots: set[tuple[str, int]], used: set[tuple[str, int]]
) -> None:
    """Objects written beside an Application in its own file go with that app (homegen
    keeps an ApplicationSet's shared manifests so); they are read as a folder of one file."""
    if not app.doc.file:
        return
    beside = [d for d in tree.document(app.doc.file) if not is_app(d.obj)]
    if beside and (app.doc.file, app.doc.index) not in roots:
        app.extra_docs = beside


def one_file_each(
    app: ImportedApp, objects: list[tuple[Document, dict[str, Any]]], report: Report
) -> list[tuple[Document, dict[str, Any]]]:
    """homegen writes an app's object to manifests/APP/<kind>-<name>.yaml: of two objects
    with one kind and name (in two namespaces) only the first can be kept."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for doc, obj in objects:
        key = (str(obj.get("kind")).lower(), str(as_dict(obj.get("metadata")).get("name")))
        if key in seen:
            report.add(
                "not-expressed",
                f"{obj.get('kind')}/{key[1]}",
                f"a second {obj.get('kind')} "
                f"named {key[1]} in app {app.name}: homegen writes one file per kind and "
                "name of an app (not imported)",
                doc.file,
                doc.line,
            )
            continue
        seen.add(key)
        kept.append((doc, obj))
    return kept


def take_settings_objects(apps: dict[str, ImportedApp]) -> Taken:
    """Pull argocd-cm, argocd-cmd-params-cm, Gateway and GatewayClass out of the apps'
    objects: homegen renders them from [argocd] and [gateway]."""
    taken: Taken = []
    for name, app in apps.items():
        kept = []
        for doc, obj in app.objects:
            meta = as_dict(obj.get("metadata"))
            settings = obj.get("kind") == "ConfigMap" and meta.get("name") in (
                "argocd-cm",
                "argocd-cmd-params-cm",
            )
            if settings or obj.get("kind") in ("Gateway", "GatewayClass"):
                taken.append((name, doc, obj))
            else:
                kept.append((doc, obj))
        if len(kept) != len(app.objects):
            app.objects = kept
            app.table["objects"] = [obj for _, obj in kept]
            if not kept:
                del app.table["objects"]
    return taken


def import_root_objects(
    tree: SourceTree,
    loc: Location,
    apps: dict[str, ImportedApp],
    used: set[tuple[str, int]],
    report: Report,
) -> None:
    """What a root applies besides Applications (an AppProject, a Namespace ...) becomes the
    objects of an app of their own, ``[apps.<root>-objects]``: homegen's root syncs only
    apps/. Documents an app already took (its own file's objects) stay with that app."""
    for path in root_paths(tree, loc):
        where = f"{loc.tree_path}/" if path.folder == "" else f"{path.folder}/"
        if path.elsewhere:
            report.add(
                "inferred",
                where,
                "no Application of the tree syncs this folder, which holds Applications: "
                "taken as the path of a root that lives elsewhere (another repository, a "
                f"chart's values, a bootstrap step); its objects land in {path.namespace}",
            )
        docs = []
        for doc in path.docs:
            if (doc.file, doc.index) in used or is_app(doc.obj):
                continue
            used.add((doc.file, doc.index))
            if posixpath.basename(doc.file) not in KUSTOMIZATIONS:
                docs.append(doc)
        docs = _as_kustomized(tree, path.folder, docs, report, used)
        if not docs:
            continue
        name = free_name(f"{app_name(path.root)}-objects", apps)
        meta = {"name": name, "namespace": path.namespace}
        app = ImportedApp(name, Document("", 0, 0, {"kind": "Application", "metadata": meta}), {})
        app.table["namespace"] = path.namespace
        found = folder_objects(app.subject, [], path.namespace, tree, report, docs)
        app.objects = one_file_each(app, found.objects, report)
        if app.objects:
            app.table["objects"] = [obj for _, obj in app.objects]
        if found.secrets:
            app.table["secrets"] = sorted(set(found.secrets))
        import_namespace(app, report)
        apps[name] = app
        by = "the root" if path.elsewhere else f"root app {path.root}"
        for doc, obj in app.objects:
            report.add(
                "imported",
                f"{obj.get('kind')}/{as_dict(obj.get('metadata')).get('name')}",
                f"→ [apps.{name}]: applied by {by} beside its Applications (homegen's root "
                "syncs only apps/, so an app of their own syncs them)",
                doc.file,
                doc.line,
            )


def _as_kustomized(
    tree: SourceTree, folder: str, docs: list[Document], report: Report, used: set[tuple[str, int]]
) -> list[Document]:
    """The documents as the root folder's kustomization outputs them: built as ArgoCD builds
    it when a kustomization on the way does more than list files (its Applications aside:
    they are imported as apps); none, reported, when that build cannot run."""
    built, unsupported = as_built(tree, folder, docs)
    if not unsupported:
        return built
    objects, not_built = flatten_build(f"{folder or '.'}/", folder, tree, report, used)
    if not not_built:
        return [doc for doc, obj in objects if not is_app(obj)]
    for doc in docs:
        report.add(
            "not-expressed",
            f"{doc.obj.get('kind')}/{as_dict(doc.obj.get('metadata')).get('name')}",
            f"applied by a root through kustomizations, and {'; '.join(unsupported)}: "
            f"its output is not the files as written and it was not built ({not_built}) "
            "(not imported)",
            doc.file,
            doc.line,
        )
    return []


def free_name(name: str, apps: dict[str, ImportedApp]) -> str:
    """``name``, or ``name-2``, ``name-3`` ... when an app has it (63 characters at most)."""
    candidates = (name, *(f"{name[:58]}-{i}" for i in range(2, 999)))
    return next(n for n in (c[:63].rstrip("-") for c in candidates) if n not in apps)
