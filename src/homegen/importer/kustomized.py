"""Which Application files of a tree ArgoCD would create: in a folder that holds a
kustomization, only the files it (or a kustomization it includes) lists as resources. An app
file left out is one its owner disabled, so import leaves it out too."""

from __future__ import annotations

import posixpath
from typing import Any

from homegen.importer.source import SourceTree
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import CLUSTER_SCOPED, as_dict, as_list

KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# the file of the apps a kustomization's build makes (importer.built_apps): its path + this
BUILT_MARK = "::built"


def kustomization_in(tree: SourceTree, folder: str) -> str | None:
    """The path of ``folder``'s kustomization, or None."""
    return next(
        (p for p in (posixpath.join(folder, f) for f in KUSTOMIZATIONS) if p in tree.texts), None
    )


def listed_files(tree: SourceTree) -> set[str]:
    """Every file some kustomization of the tree includes, directly or through a folder it
    lists (which holds a kustomization of its own, as kustomize requires)."""
    found: set[str] = set()
    for path in tree.texts:
        if posixpath.basename(path) in KUSTOMIZATIONS:
            _include(tree, posixpath.dirname(path), found, set())
    return found


def included_files(tree: SourceTree, folder: str) -> set[str]:
    """The files ``folder``'s kustomization includes, directly or through folders it lists."""
    found: set[str] = set()
    _include(tree, folder, found, set())
    return found


def _include(tree: SourceTree, folder: str, found: set[str], seen: set[str]) -> None:
    if folder in seen:
        return
    seen.add(folder)
    path = kustomization_in(tree, folder)
    docs = tree.document(path) if path else []
    spec = docs[0].obj if docs else {}
    if path:
        found.add(path + BUILT_MARK)
    for key in ("resources", "bases", "components"):
        for entry in as_list(spec.get(key)):
            rel = posixpath.normpath(posixpath.join(folder, str(entry)))
            if rel in tree.texts:
                found.add(rel)
            elif kustomization_in(tree, rel):
                _include(tree, rel, found, seen)


def left_out(tree: SourceTree, file: str, listed: set[str]) -> str | None:
    """The kustomization that leaves ``file`` out of what ArgoCD applies, or None when the
    file is live (its folder has no kustomization, or some kustomization lists it)."""
    path = kustomization_in(tree, posixpath.dirname(file))
    # an app filed at the kustomization is its output (importer.built_apps)
    if path is None or file in listed or file.endswith(BUILT_MARK):
        return None
    return path


# kustomization keys whose output is the listed files with a namespace and annotations set
PLAIN_KEYS = frozenset({"apiVersion", "kind", "resources", "namespace", "commonAnnotations"})


def layers(tree: SourceTree, folder: str) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Each file ``folder``'s kustomization includes → the kustomizations it passes through
    (outermost first); and each kustomization on the way whose output is not the files as
    written (patches, generators, helmCharts ...), as ``path uses keys``."""
    found: dict[str, list[dict[str, Any]]] = {}
    unsupported: list[str] = []
    _layer(tree, folder, [], found, unsupported, set())
    return found, unsupported


def _layer(
    tree: SourceTree,
    folder: str,
    chain: list[dict[str, Any]],
    found: dict[str, list[dict[str, Any]]],
    unsupported: list[str],
    seen: set[str],
) -> None:
    path = kustomization_in(tree, folder)
    if path is None or folder in seen:
        return
    seen.add(folder)
    docs = tree.document(path)
    spec = docs[0].obj if docs else {}
    extra = sorted(set(spec) - PLAIN_KEYS - {"bases"})
    if extra:
        unsupported.append(f"{path} uses {', '.join(extra)}")
    for key in ("resources", "bases"):
        for entry in as_list(spec.get(key)):
            rel = posixpath.normpath(posixpath.join(folder, str(entry)))
            if rel in tree.texts:
                found.setdefault(rel, [*chain, spec])
            else:
                _layer(tree, rel, [*chain, spec], found, unsupported, seen)


def as_built(
    tree: SourceTree, folder: str, docs: list[Document]
) -> tuple[list[Document], list[str]]:
    """``docs`` (files ``folder``'s kustomization includes) as it outputs them: its namespace
    (the outermost wins) and annotations set; or no documents and why, when a kustomization
    on the way does more than list files."""
    if kustomization_in(tree, folder) is None:
        return docs, []
    chains, unsupported = layers(tree, folder)
    if unsupported:
        return [], unsupported
    out = []
    for doc in docs:
        chain = chains.get(doc.file, [])
        meta = dict(as_dict(doc.obj.get("metadata")))
        namespace = next((str(k["namespace"]) for k in chain if k.get("namespace")), None)
        if namespace and doc.obj.get("kind") not in CLUSTER_SCOPED:
            meta["namespace"] = namespace
        for spec in reversed(chain):  # inner first: an outer kustomization's annotation wins
            annotations = as_dict(spec.get("commonAnnotations"))
            if annotations:
                meta["annotations"] = {**as_dict(meta.get("annotations")), **annotations}
        out.append(Document(doc.file, doc.index, doc.line, {**doc.obj, "metadata": meta}))
    return out, []
