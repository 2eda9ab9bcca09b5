"""Integrity of the app-of-apps: source paths, reachability, ownership, waves, sync options."""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Iterator
from dataclasses import replace

from homegen.argocd_options import COMPARE_OPTIONS, KNOWN_SYNC_OPTIONS
from homegen.validate.findings import Finding, finding, register
from homegen.validate.reader.documents import KUSTOMIZE_FILES
from homegen.validate.reader.tree import (
    APP_KINDS,
    Obj,
    Tree,
    app_sources,
    app_spec,
    as_dict,
    as_list,
    tree_check,
)

SOURCE_MISSING = register(
    "HG201", "app-source-missing", "error",
    "point the source path at a folder of the tree, or create it",
    """ArgoCD fails the app with "app path does not exist" and syncs nothing.""",
)  # fmt: skip
SOURCE_EMPTY = register(
    "HG202", "app-source-empty", "error",
    "point the path at the folder that holds the manifests, or set directory.recurse: true",
    """ArgoCD reads only the files directly in a directory source: a folder whose manifests
    sit in subfolders syncs nothing (the classic app-of-apps miss).""",
)  # fmt: skip
APP_UNREACHABLE = register(
    "HG203", "app-unreachable", "error",
    "move the file into the folder the root app (or an app it syncs) points at",
    """An Application no app syncs is never created: its workloads silently never deploy.""",
)  # fmt: skip
ROOT_MISSING = register(
    "HG204", "root-app-missing", "warning",
    "add app-of-apps.yaml: an Application whose source path is the apps folder",
    """Without a root Application nothing in the tree is synced, and paths cannot be checked.""",
)  # fmt: skip
DUPLICATE = register(
    "HG205", "duplicate-object", "error",
    "keep one definition of the object (kind, namespace and name must be unique)",
    """Two definitions of one object fight: the last applied wins and ArgoCD shows drift.""",
)  # fmt: skip
SHARED = register(
    "HG206", "shared-object", "error",
    "let exactly one Application sync each folder",
    """An object owned by two Applications is pruned by one and recreated by the other.""",
)  # fmt: skip
SET_SHARED_PATH = register(
    "HG223", "appset-shared-path", "error",
    "template the path per element ({{ .name }}), or let one Application sync the folder",
    """Every Application an ApplicationSet generates from a fixed path syncs the same
    manifests: each object is owned by several apps, which prune and recreate it.""",
)  # fmt: skip
ORPHAN = register(
    "HG222", "orphan-manifest", "warning",
    "add an Application whose source path is this folder, or delete the file",
    """A manifest no Application syncs never reaches the cluster.""",
)  # fmt: skip
WAVE_ORDER = register(
    "HG218", "sync-wave-order", "error",
    "give the app a sync-wave greater than every app it is after",
    """Sync waves are how ArgoCD orders apps; an app in the same or an earlier wave than its
    dependency starts before it (e.g. a Gateway before its CRDs) and fails.""",
)  # fmt: skip
SYNC_OPTION = register(
    "HG219", "sync-option-unknown", "error",
    "use a sync option ArgoCD knows (see its sync-options documentation)",
    """ArgoCD ignores sync options it does not know, so a misspelt one silently does nothing.""",
)  # fmt: skip
TREE_LOCATION = register(
    "HG221", "tree-location-unknown", "warning",
    "make the root app's source path end with the apps folder's path in the tree",
    """Source paths are paths in the git repository; without knowing where the tree sits in it
    they cannot be checked.""",
)  # fmt: skip

WAVE = "argocd.argoproj.io/sync-wave"
AFTER = "homegen.dev/after"
SYNC_OPTIONS_ANNOTATION = "argocd.argoproj.io/sync-options"


def _no_root(tree: Tree) -> Iterator[Finding]:
    """HG204: no root in the tree. Where the tree's repository and place are known, the root
    lives elsewhere (a bootstrap repository): a note, and the source paths are still checked."""
    apps = list(tree.kind(*APP_KINDS))
    if not apps:
        return  # plain manifests: the summary's coverage says no Application syncs them
    if tree.repo_prefix is None or not tree.repo_url:
        yield finding(ROOT_MISSING, apps[0].where, "no root Application found")
        return
    yield replace(
        finding(
            ROOT_MISSING, apps[0].where,
            "no Application in the tree syncs the others: the root is taken to live in "
            "another repository; which apps ArgoCD creates (HG203) is not checked",
            fix="none needed when the root lives elsewhere; --root names it when it is here",
        ),
        severity="info",
    )  # fmt: skip


def check_source_paths(tree: Tree) -> Iterator[Finding]:
    """HG201/HG202: every in-repo source path exists and holds manifests directly."""
    if tree.root_app is None:
        yield from _no_root(tree)
        if tree.repo_prefix is None or not tree.repo_url:
            return
    elif tree.repo_prefix is None:
        yield finding(
            TREE_LOCATION, tree.root_app.where,
            "cannot tell where the tree sits in the repository; source paths not checked",
        )  # fmt: skip
        return
    folders = tree.folders()
    for app in tree.apps():
        for source in app_sources(app):
            folder = tree.source_folder(source)
            if folder is None:
                continue
            path = source.get("path")
            if folder not in folders:
                yield finding(SOURCE_MISSING, app.where, f"source path {path!r} does not exist")
            elif not tree.files_of_source(source):
                yield finding(
                    SOURCE_EMPTY, app.where,
                    f"source path {path!r} holds no manifests directly (only subfolders)",
                )  # fmt: skip


def check_set_paths(tree: Tree) -> Iterator[Finding]:
    """HG223: an ApplicationSet with several elements must not sync one fixed folder."""
    for appset in tree.kind("ApplicationSet"):
        generators = as_list(appset.spec.get("generators"))
        elements = sum(
            len(as_list(as_dict(as_dict(g).get("list")).get("elements"))) for g in generators
        )
        if elements < 2:
            continue
        for source in app_sources(appset):
            if tree.source_folder(source) is not None:  # a folder of this tree, not templated
                yield finding(
                    SET_SHARED_PATH, appset.where,
                    f"its {elements} generated Applications all sync {source.get('path')!r}",
                )  # fmt: skip


def check_reachability(tree: Tree) -> Iterator[Finding]:
    """HG203/HG222: every app is reached from the root app; every manifest is synced."""
    root, reached = tree.root_app, tree.reached  # found through every app, generated ones too
    if root is None or reached is None or tree.repo_prefix is None:
        return
    for app in tree.kind(*APP_KINDS):
        if id(app) not in reached and app.generated_by is None:
            yield _unreached(tree, app)
    reported: set[str] = set()
    for item in tree.objects:
        file = item.doc.file
        # the root's own file is applied by hand at bootstrap, with whatever else it holds
        orphan = file not in tree.synced_by and file != root.doc.file
        if orphan and file not in reported and item.kind not in APP_KINDS:
            reported.add(file)
            yield finding(ORPHAN, item.where, f"no Application syncs {file}")


def _unreached(tree: Tree, app: Obj) -> Finding:
    """HG203 on an app ArgoCD never creates: a warning when an app syncs its folder but the
    folder's kustomization leaves the file out (commented out to turn it off, or forgotten)."""
    folder = posixpath.dirname(app.doc.file)
    own = [f for f in tree.folder_files.get(folder, ()) if posixpath.basename(f) in KUSTOMIZE_FILES]
    if "::" in app.doc.file or not any(f in tree.synced_by for f in own):
        return finding(APP_UNREACHABLE, app.where, "no app syncs the file of this Application")
    left_out = finding(
        APP_UNREACHABLE, app.where,
        f"{own[0]} does not list this file: ArgoCD never creates this Application",
        fix="list the file in the kustomization's resources, or delete it",
    )  # fmt: skip
    return replace(left_out, severity="warning")


def check_duplicates(tree: Tree) -> Iterator[Finding]:
    """HG205/HG206: no object is defined twice or synced by two Applications."""
    applied = any(tree.kind(*APP_KINDS))  # with no app, the folder is applied as a whole
    for (_kind, _ns, _name), items in tree.by_key.items():
        if any(i.doc.origin is not None for i in items):
            continue  # a chart is one of the sources: HG232 names both
        if applied:
            # a file no Application syncs is never applied: it clashes with nothing
            items = [i for i in items if i.doc.file in tree.synced_by]
            if len(items) < 2:
                continue
        first = items[0]
        for item in items[1:]:
            yield finding(
                DUPLICATE, item.where,
                f"also defined at {first.doc.file}:{first.doc.line}",
            )  # fmt: skip
    for item in tree.objects:
        owners = tree.synced_by.get(item.doc.file, [])
        names = sorted({o.name for o in owners})
        if len(names) > 1:
            yield finding(SHARED, item.where, f"synced by Applications {', '.join(names)}")


def _wave(app: Obj) -> int | None:
    raw = app.annotations.get(WAVE, "0")
    try:
        return int(str(raw).strip())
    except ValueError:
        return None


def check_sync_waves(tree: Tree) -> Iterator[Finding]:
    """HG218: an app's sync wave is greater than the wave of each app it is after."""
    apps = {a.name: a for a in tree.kind(*APP_KINDS)}
    for app in apps.values():
        wave = _wave(app)
        if wave is None:
            yield finding(
                WAVE_ORDER, app.where, f"sync-wave {app.annotations.get(WAVE)!r} is not an integer"
            )
            continue
        after = str(app.annotations.get(AFTER, ""))
        for dep_name in filter(None, (d.strip() for d in after.split(","))):
            dep = apps.get(dep_name)
            if dep is None:
                yield finding(
                    WAVE_ORDER, app.where, f"is after {dep_name!r}, which is no app of the tree"
                )
                continue
            dep_wave = _wave(dep)
            if dep_wave is not None and wave <= dep_wave:
                yield finding(
                    WAVE_ORDER, app.where,
                    f"sync-wave {wave} is not after {dep_name} (wave {dep_wave})",
                )  # fmt: skip


def _option_problem(option: str) -> tuple[str, str] | None:
    """(message, fix) when a sync option is not one ArgoCD knows."""
    key, sep, value = option.partition("=")
    key, value = key.strip(), value.strip()
    if key in COMPARE_OPTIONS:
        return (
            f"{option!r} is a compare option, not a sync option",
            f"remove it from syncOptions; set annotation "
            f"argocd.argoproj.io/compare-options: {option} instead",
        )
    if key not in KNOWN_SYNC_OPTIONS:
        close = difflib.get_close_matches(key, KNOWN_SYNC_OPTIONS, n=1)
        hint = f"did you mean {close[0]}?" if close else SYNC_OPTION.fix
        return (f"unknown sync option {option!r}", hint)
    if not sep or value not in KNOWN_SYNC_OPTIONS[key]:
        allowed = "|".join(sorted(KNOWN_SYNC_OPTIONS[key]))
        return (f"sync option {option!r} has no valid value", f"use {key}={allowed}")
    return None


def check_sync_options(tree: Tree) -> Iterator[Finding]:
    """HG219: Application syncOptions and sync-options annotations are real sync options."""
    for item in tree.objects:
        options: list[str] = []
        if item.kind in APP_KINDS:
            policy = as_dict(app_spec(item).get("syncPolicy"))
            options += [str(o) for o in as_list(policy.get("syncOptions"))]
        annotation = item.annotations.get(SYNC_OPTIONS_ANNOTATION)
        if annotation:
            options += [o for o in str(annotation).split(",") if o.strip()]
        for option in options:
            problem = _option_problem(option)
            if problem:
                yield finding(SYNC_OPTION, item.where, problem[0], fix=problem[1])


# Registered by calls rather than a decorator: mutmut leaves decorated functions unmutated,
# and these bodies are the rules mutation testing must reach (tests/mutate.py).
tree_check(check_source_paths)
tree_check(check_set_paths)
tree_check(check_reachability)
tree_check(check_duplicates)
tree_check(check_sync_waves)
tree_check(check_sync_options)
