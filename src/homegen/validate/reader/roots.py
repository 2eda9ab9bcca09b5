"""Which Application is the tree's root, as the bootstrap makes it one.

ArgoCD knows its root from the bootstrap; a validator reading a checkout has to find it: the
Application that syncs the folder holding the others (itself included, when it manages
itself), that is the one from which the most Applications are reached. A root ApplicationSet
reaches what the Applications it generates sync. (The repository and the tree's place in it
are found first, in ``tree.build_tree``: the ApplicationSets cannot be generated without.)
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from homegen.errors import UsageError
from homegen.validate.reader.documents import KUSTOMIZE_FILES
from homegen.validate.reader.tree import APP_KINDS, ROOT_FILE, Obj, Tree, likely_root

# in the file name of an app a chart of the tree made at bootstrap (``folder::bootstrap:tpl``,
# homegen.expand.bootroots): no app syncs it, ArgoCD has it from the start, it is a root
BOOTSTRAP_MARK = "::bootstrap:"


def _owner(app: Obj) -> Obj:
    """The written object behind an app: a generated Application's ApplicationSet."""
    return app.generated_by if app.generated_by is not None else app


def _edges(tree: Tree) -> dict[int, set[int]]:
    """Written app → the written apps whose files it (or an app it generates) syncs."""
    written: dict[str, list[Obj]] = {}
    for app in tree.kind(*APP_KINDS):
        if app.generated_by is None:
            written.setdefault(app.doc.file, []).append(app)
    edges: dict[int, set[int]] = {}
    for file, syncers in tree.synced_by.items():
        for target in written.get(file, ()):
            for syncer in syncers:
                edges.setdefault(id(_owner(syncer)), set()).add(id(target))
    return edges


def _reach(start: int, edges: dict[int, set[int]]) -> set[int]:
    seen: set[int] = set()
    queue = [start]
    while queue:
        for nxt in edges.get(queue.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _written_apps(tree: Tree) -> Iterator[Obj]:
    for app in tree.kind(*APP_KINDS):
        if app.generated_by is None:
            yield app


def _named(tree: Tree, hint: str) -> Obj:
    """The app ``--root`` names: by name, or by its file in the tree."""
    for app in _written_apps(tree):
        if hint in (app.name, app.doc.file, app.doc.file.rpartition("::")[2]):
            return app
    raise UsageError(f"--root {hint!r}: no Application or ApplicationSet of that name or file")


def choose_root(tree: Tree, hint: str = "") -> None:
    """Set ``tree.root_app`` and ``tree.reached``: ``hint`` (``--root``) when given, else the
    written app from which the most apps are reached (itself counted once); ties go to a
    top-level file, then ``app-of-apps.yaml``, then an app that syncs its own file."""
    edges = _edges(tree)
    if hint:
        tree.root_app = _named(tree, hint)
        tree.reached = _reach(id(tree.root_app), edges) | {id(tree.root_app)}
        return
    best: tuple[int, bool, bool, bool] | None = None
    for app in _written_apps(tree):
        reached = _reach(id(app), edges)
        if not reached:
            continue
        file = app.doc.file.rpartition("::")[2]
        # the app itself counts once: a self-managed root is not outranked by the app that
        # syncs its folder from outside, nor does it outrank it
        key = (len(reached | {id(app)}), "/" not in file, file == ROOT_FILE, id(app) in reached)
        if best is None or key > best:
            best, tree.root_app = key, app
            tree.reached = reached | {id(app)}
    if best is None:
        tree.root_app = likely_root(tree) or _bootstrap_set(tree) or next(_booted(tree), None)
        if tree.root_app is not None:
            tree.reached = {id(tree.root_app)}
    for app in [*_bundled(tree), *_booted(tree)]:
        if tree.reached is not None and id(app) not in tree.reached:
            tree.reached |= _reach(id(app), edges) | {id(app)}


def _booted(tree: Tree) -> Iterator[Obj]:
    """The apps a chart of the tree made at bootstrap: each one is a root."""
    for app in _written_apps(tree):
        if BOOTSTRAP_MARK in app.doc.file:
            yield app


def _bundled(tree: Tree) -> Iterator[Obj]:
    """The apps of a bootstrap bundle: listed by a kustomization that no app syncs (applied
    by hand, ``kubectl apply -k``), themselves synced by no app. ArgoCD creates every one of
    them, so each is a root beside the chosen one (an infrastructure and an applications
    root, side by side)."""
    for app in _written_apps(tree):
        file = app.doc.file
        folder = posixpath.dirname(file)
        if "::" in file or file in tree.synced_by or file not in tree.kustomize.get(folder, ()):
            continue
        own = [
            f for f in tree.folder_files.get(folder, ()) if posixpath.basename(f) in KUSTOMIZE_FILES
        ]
        if own and not any(f in tree.synced_by for f in own):
            yield app


def _bootstrap_set(tree: Tree) -> Obj | None:
    """An ApplicationSet no app syncs: applied at bootstrap, it is the root of what it
    generates."""
    for appset in tree.kind("ApplicationSet"):
        if appset.doc.file not in tree.synced_by:
            return appset
    return None
