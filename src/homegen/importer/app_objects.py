"""What becomes of the objects an imported app syncs: its own Namespace, the objects
written beside its Application, one file per kind and name, and the settings objects that
[argocd] and [gateway] take over."""

from __future__ import annotations

from typing import Any

from homegen.importer.apps import ImportedApp
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
