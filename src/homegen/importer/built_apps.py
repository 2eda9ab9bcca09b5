"""Applications and ApplicationSets a kustomization makes by patching a base (a name or path
placeholder replaced per overlay): ArgoCD creates the built ones, not the base as written. A
kustomization that holds apps and needs a build is built before import reads the tree; its
built apps replace the written ones, filed in the kustomization's folder (where ArgoCD's app
that syncs it finds them, so that app is a root)."""

from __future__ import annotations

import posixpath

from homegen.importer.bootroots import add_document
from homegen.importer.builds import TreeBuilds
from homegen.importer.kustomized import (
    BUILT_MARK,
    KUSTOMIZATIONS,
    included_files,
    kustomization_in,
    layers,
)
from homegen.importer.report import Report
from homegen.importer.source import SourceTree, is_app
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import as_list


def build_app_kustomizations(tree: SourceTree, report: Report) -> None:
    """Replace the apps of each top-level kustomization that needs a build by what it builds;
    one whose build cannot run stays as written, its reason reported."""
    builds: TreeBuilds | None = tree.builds
    if builds is None:
        return
    for folder, path in _candidates(tree):
        built = builds.build(folder)
        if not built.ok:
            report.add(
                "inferred",
                path,
                f"holds Applications and needs a build, which cannot run ({built.why}): "
                "its Applications are read as written",
            )
            continue
        written = [d for d in tree.docs if d.file in built.inputs and is_app(d.obj)]
        made = [i for i, d in enumerate(built.documents) if is_app(d.obj)]
        _replace(tree, written)
        for i in made:
            doc = built.documents[i]
            filed = Document(path + BUILT_MARK, i, 0, doc.obj)
            built.documents[i] = filed  # one object in the tree and in the build's output
            add_document(tree, filed)
        report.add(
            "inferred",
            path,
            f"builds {len(made)} Application(s)/ApplicationSet(s) from {len(written)} written: "
            "the built ones are imported (ArgoCD creates those, patches applied)",
        )


def _candidates(tree: SourceTree) -> list[tuple[str, str]]:
    """(folder, kustomization) of each kustomization no other one lists, that includes an
    app's file and does more than list files."""
    paths = sorted(p for p in tree.texts if posixpath.basename(p) in KUSTOMIZATIONS)
    listed: set[str] = set()
    for path in paths:
        folder = posixpath.dirname(path)
        spec = next((d.obj for d in tree.document(path)), {})
        for key in ("resources", "bases", "components"):
            for entry in as_list(spec.get(key)):
                listed.add(posixpath.normpath(posixpath.join(folder, str(entry))))
    found = []
    for path in paths:
        folder = posixpath.dirname(path)
        if folder in listed or _under_another(tree, folder) or not layers(tree, folder)[1]:
            continue
        files = included_files(tree, folder)
        if any(is_app(d.obj) for f in files for d in tree.document(f)):
            found.append((folder, path))
    return found


def _under_another(tree: SourceTree, folder: str) -> bool:
    """Whether a folder above ``folder`` holds a kustomization: one that does not list it
    (a disabled overlay) decides it is never applied."""
    while folder:
        folder = posixpath.dirname(folder)
        if kustomization_in(tree, folder):
            return True
    return False


def _replace(tree: SourceTree, written: list[Document]) -> None:
    """Take the written apps out of the tree: ArgoCD never creates them as written."""
    gone = {id(d) for d in written}
    tree.docs[:] = [d for d in tree.docs if id(d) not in gone]
    for folder, docs in tree.by_folder.items():
        tree.by_folder[folder] = [d for d in docs if id(d) not in gone]
