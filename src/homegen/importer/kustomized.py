"""Which Application files of a tree ArgoCD would create: in a folder that holds a
kustomization, only the files it (or a kustomization it includes) lists as resources. An app
file left out is one its owner disabled, so import leaves it out too."""

from __future__ import annotations

import posixpath

from homegen.importer.source import SourceTree
from homegen.validate.reader.tree import as_list

KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")


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
    if path is None or file in listed:
        return None
    return path
