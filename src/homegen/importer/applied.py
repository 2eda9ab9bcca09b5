"""What ArgoCD applies of a tree: the documents its Applications sync. The share an import
reports is over these; a YAML object no Application syncs (an old layout, an archive, a root
applied at bootstrap) is counted and listed apart, never in the share and never dropped."""

from __future__ import annotations

from typing import Any

from homegen.importer.builds import synced_docs
from homegen.importer.kustomized import left_out
from homegen.importer.location import Location, root_paths, sources_of
from homegen.importer.source import SourceTree, is_app
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import as_dict

Listed = Any  # kustomized.listed_files(tree)


def owners(tree: SourceTree, loc: Location) -> dict[tuple[str, int], str]:
    """(file, index) → destination namespace of the Application that syncs the document."""
    found: dict[tuple[str, int], str] = {}
    for app in tree.apps():
        for synced in created(app, tree, loc):
            namespace = str(as_dict(_spec(synced).get("destination")).get("namespace") or "")
            for source in sources_of(synced):
                folder = loc.local_folder(source, tree)
                if folder is None:
                    continue
                recurse = bool(as_dict(source.get("directory")).get("recurse"))
                # the folder's files, what its kustomization includes from elsewhere and what
                # import built of it
                docs = tree.in_folder(folder, recurse=recurse)
                for doc in [*docs, *synced_docs(tree, folder, recurse=recurse)]:
                    found.setdefault((doc.file, doc.index), namespace)
        if app.obj.get("kind") == "ApplicationSet":  # homegen keeps its manifests beside it
            namespace = str(as_dict(_spec(app).get("destination")).get("namespace") or "")
            for doc in tree.document(app.file):
                if doc.index != app.index:  # the set's own namespace is its metadata's
                    found.setdefault((doc.file, doc.index), namespace)
    for path in root_paths(tree, loc):  # a root's kustomization, or a root that lives elsewhere
        for doc in path.docs:
            found.setdefault((doc.file, doc.index), path.namespace)
    return found


def _spec(doc: Document) -> dict[str, Any]:
    spec = as_dict(doc.obj.get("spec"))
    if doc.obj.get("kind") == "ApplicationSet":
        spec = as_dict(as_dict(spec.get("template")).get("spec"))
    return spec


def created(app: Document, tree: SourceTree, loc: Location) -> list[Document]:
    """The Applications a document makes ArgoCD create: itself, or what the set generates
    (its template where it cannot be expanded)."""
    if app.obj.get("kind") != "ApplicationSet":
        return [app]
    from homegen.importer.appsets import expand_set

    generated, problem = expand_set(app, tree, loc)
    if problem:
        return [app]
    return [Document(app.file, app.index, app.line, obj) for _, obj in generated]


def not_applied(
    doc: Document,
    applied: dict[tuple[str, int], str],
    roots: set[tuple[str, int]],
    tree: SourceTree,
    listed: Listed,
) -> str:
    """Why ArgoCD never applies ``doc`` through an Application of the tree ("" when it does):
    the share counts only what the tree's Applications apply."""
    at = (doc.file, doc.index)
    if at in roots:
        return ""  # applied at bootstrap, and replaced by homegen's root: counted
    kustomization = left_out(tree, doc.file, listed)
    if kustomization:
        return f"not listed in {kustomization}'s resources: ArgoCD never applies it"
    if at in applied or is_app(doc.obj):
        return ""  # an Application or set applied at bootstrap makes ArgoCD apply the rest
    return "no Application of the tree syncs it"
