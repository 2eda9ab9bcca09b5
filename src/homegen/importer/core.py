"""The importer's pure core: the tree's files in, services.toml text and a report out."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from homegen.importer.app_objects import (
    attach_root_objects,
    import_namespace,
    import_root_objects,
    one_file_each,
    take_settings_objects,
)
from homegen.importer.apps import ImportedApp, convert_app
from homegen.importer.argofields import import_argo_fields
from homegen.importer.bootroots import add_bootstrap_roots
from homegen.importer.builds import TreeBuilds
from homegen.importer.built_apps import build_app_kustomizations
from homegen.importer.finish import finish
from homegen.importer.folders import folder_objects, script_secrets
from homegen.importer.kustomized import KUSTOMIZATIONS, left_out, listed_files
from homegen.importer.location import (
    Location,
    app_name,
    infer_location,
    root_apps,
    root_name,
    root_paths,
    syncs_apps,
)
from homegen.importer.report import Report
from homegen.importer.result import ImportResult
from homegen.importer.settings import (
    argocd_section,
    cluster_section,
    domain_of,
    gateway_section,
    storage_classes,
)
from homegen.importer.source import SourceTree, UnreadableTreeError, in_folders, read_files
from homegen.importer.treefolder import own_tree_path
from homegen.importer.waves import order_apps
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import as_dict

HEAD = [
    "#:schema ./services.schema.json",
    "# Imported by `homegen import` from a hand-written ArgoCD tree. Read the import report:",
    "# it lists every field and object that could not be expressed here, and every inference.",
]
_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class ImportOptions:
    """The flags of `homegen import`."""

    repo_url: str | None = None
    tree_path: str | None = None
    # the files git holds (None: not a git checkout): all git generators may read
    tracked: frozenset[str] | None = None
    # the origin remote's URL and the tree's folder in the checkout (None: not a checkout)
    checkout: tuple[str, str] | None = None
    # the tree on disk, its reader and chart folders: kustomizations are built as ArgoCD
    # builds them (None: a tree in memory, whose kustomizations are only flattened)
    root: Path | None = None
    reader: Any = None
    chart_dirs: tuple[Path, ...] = ()


def import_tree(files: Mapping[str, str], options: ImportOptions) -> ImportResult:
    """services.toml for a tree given as its files (relative posix path → text)."""
    report = Report()
    tree = read_files(files, strict=False)
    tree.tracked = options.tracked
    if options.root is not None:
        tree.builds = TreeBuilds(options.root, tree.docs, options.chart_dirs, reader=options.reader)
        origin = options.checkout[0] if options.checkout else ""
        add_bootstrap_roots(
            tree, options.root, options.reader, options.chart_dirs, options.repo_url or origin,
            report,
        )  # fmt: skip
        build_app_kustomizations(tree, report)
    tree.chart_dirs = options.chart_dirs
    loc = infer_location(
        tree,
        report,
        repo_url=options.repo_url,
        tree_path=options.tree_path,
        checkout=options.checkout,
    )
    apps, used = _apps(tree, loc, report)
    _unreadable(tree, loc, apps, report)
    script_secrets(tree, apps, report)
    taken = take_settings_objects(apps)
    for name, app in list(apps.items()):
        if not app.doc.file and not {"objects", "secrets"} & set(app.table):
            del apps[name]  # a root's objects, all taken over by [argocd] and [gateway]
    argocd, argo_domain = argocd_section(tree, apps, taken, report)
    if argocd.get("app") in apps:
        _settings_app(argocd, apps, report)
    root_name(tree, loc, argocd, {*apps, argocd.get("app", "argocd")}, report)
    _free_root_name(argocd, apps, report)
    gateway = gateway_section(taken, apps, report)
    if gateway["app"] not in apps:
        apps[gateway["app"]] = ImportedApp(
            gateway["app"], Document("", 0, 0, {}), {"namespace": gateway["namespace"]}
        )
    order_apps(apps, report)
    _unused(tree, used, report)
    data: dict[str, Any] = {
        "cluster": cluster_section(loc, domain_of(argo_domain, tree, report)),
        "argocd": argocd,
        "gateway": gateway,
    }
    classes = storage_classes(apps, report)
    if classes:
        data["cluster"]["storage_classes"] = classes
    network_app = "metallb-config"
    if network_app in apps and any(k in apps[network_app].table for k in ("helm", "git")):
        data["network"] = {"app": "homegen-network"}
        report.add(
            "inferred",
            "network.app",
            "'homegen-network': the tree's metallb-config app "
            "has a chart or Git source; homegen's address pools would go elsewhere",
        )
    data["apps"] = {name: app.table for name, app in sorted(apps.items())}
    own_tree_path(data, tree, loc, options.tree_path, report)
    return finish(data, apps, tree, loc, report, HEAD)


_ARGOCD_GENERATED = ("ReferenceGrant", "Secret")  # route grant, OCI repository entries


def _add_app(
    doc: Document,
    name: str,
    apps: dict[str, ImportedApp],
    tree: SourceTree,
    loc: Location,
    report: Report,
) -> ImportedApp | None:
    """Convert one Application (or a set kept as a generator app) under a valid name."""
    label = f"{doc.obj.get('kind')}/{name}"
    if app_name(name) != name:
        new = app_name(name)
        report.add(
            "inferred", label, f"renamed {new!r}: app names are DNS labels", doc.file, doc.line
        )
        name = new
    if name in apps:
        report.add(
            "not-expressed", label, "a second app of this name (not imported)", doc.file, doc.line
        )
        return None
    app = convert_app(doc, loc, tree, report)
    app.name = name
    import_argo_fields(app, report)
    apps[name] = app
    return app


def _add_set(
    doc: Document,
    name: str,
    apps: dict[str, ImportedApp],
    tree: SourceTree,
    loc: Location,
    report: Report,
) -> None:
    """An ApplicationSet: an app with a generator where homegen's model holds it, else the
    Applications it generates (homegen.appsets), each imported as an app."""
    from homegen.importer.appsets import expand_set, generator_of

    scratch = Report()
    app = _add_app(doc, name, apps, tree, loc, scratch)
    why = generator_of(app) if app is not None else "its name is taken"
    if why is None:
        report.lines += scratch.lines
        return
    if app is not None:
        del apps[app.name]
    generated, problem = expand_set(doc, tree, loc)
    label = f"ApplicationSet/{name}"
    if problem:
        report.add(
            "not-expressed",
            label,
            f"not imported: {why}; and it cannot be expanded into Applications: {problem}",
            doc.file,
            doc.line,
        )
        return
    report.add(
        "inferred",
        label,
        f"{why}: expanded into {len(generated)} Application(s) "
        f"({', '.join(n for n, _ in generated)}), each imported as an app; homegen "
        "renders them as Applications, not as a set",
        doc.file,
        doc.line,
    )
    for generated_name, obj in generated:
        generated_doc = Document(doc.file, doc.index, doc.line, obj)
        if syncs_apps(generated_doc, tree, loc):  # a root the set makes (a self-managed one)
            report.add(
                "imported",
                f"Application/{generated_name}",
                f"a root app ({label} creates it): homegen renders app-of-apps.yaml, which "
                "syncs every app from apps/",
                doc.file,
                doc.line,
            )
            continue
        _add_app(generated_doc, generated_name, apps, tree, loc, report)


def _free_root_name(argocd: dict[str, Any], apps: dict[str, ImportedApp], report: Report) -> None:
    """homegen's root app never takes an imported app's name: the imported app keeps its name
    and the root is renamed (an imported app called app-of-apps is common where a folder is
    imported without the root that syncs it)."""
    root = argocd.get("root_app", "app-of-apps")
    if root not in apps:
        return
    taken = {*apps, argocd.get("app", "argocd")}
    new = next(
        n for n in (f"{root}-root", *(f"{root}-root-{i}" for i in range(2, 999))) if n not in taken
    )
    argocd["root_app"] = new[:63]
    report.add(
        "inferred",
        "argocd.root_app",
        f"{new!r}: the tree has an app named {root!r}, which keeps its name",
    )


def _settings_app(argocd: dict[str, Any], apps: dict[str, ImportedApp], report: Report) -> None:
    """The app that held argocd-cm: homegen renders it from [argocd] when it holds nothing
    else homegen does not generate there; otherwise it stays, and the settings get their
    own app."""
    app = apps[argocd["app"]]
    others = [o for _, o in app.objects if o.get("kind") not in _ARGOCD_GENERATED]
    if others or any(k in app.table for k in ("helm", "git")):
        argocd["app"] = f"{app.name}-settings"[:63]
        report.add(
            "inferred",
            "argocd.app",
            f"{argocd['app']!r}: app {app.name} holds more "
            "than ArgoCD's settings; homegen's settings go in an app of their own",
        )
        return
    del apps[app.name]
    report.add("imported", app.subject, "→ [argocd] (ArgoCD's own settings app)")
    for doc, obj in app.objects:
        label = f"{obj.get('kind')}/{as_dict(obj.get('metadata')).get('name')}"
        report.add(
            "inferred",
            label,
            "left to homegen, which renders ArgoCD's route grant and "
            "OCI repository entries from services.toml",
            doc.file,
            doc.line,
        )


def _apps(
    tree: SourceTree, loc: Location, report: Report
) -> tuple[dict[str, ImportedApp], set[tuple[str, int]]]:
    apps: dict[str, ImportedApp] = {}
    used: set[tuple[str, int]] = set()
    roots = root_apps(tree, loc)
    listed = listed_files(tree)
    for doc in tree.apps():
        used.add((doc.file, doc.index))
        name = str(as_dict(doc.obj.get("metadata")).get("name") or "")
        # a root is applied at bootstrap: a kustomization beside it that leaves it out
        # does not disable it
        if (doc.file, doc.index) in roots:
            report.add(
                "imported",
                f"{doc.obj['kind']}/{name}",
                "a root app: homegen renders app-of-apps.yaml, which syncs every app from apps/",
                doc.file,
                doc.line,
            )
            continue
        kustomization = left_out(tree, doc.file, listed)
        if kustomization:
            report.add(
                "skipped",
                f"{doc.obj['kind']}/{name}",
                f"not listed in {kustomization}'s resources: ArgoCD never creates it "
                "(a disabled app), so it is not imported",
                doc.file,
                doc.line,
            )
            continue
        if doc.obj.get("kind") == "ApplicationSet":
            _add_set(doc, name, apps, tree, loc, report)
        else:
            _add_app(doc, name, apps, tree, loc, report)
    for app in apps.values():
        attach_root_objects(app, tree, roots, used)
        found = folder_objects(
            app.subject, app.folders, app.table["namespace"], tree, report, app.extra_docs
        )
        used |= found.used
        for file in app.values_files:
            used |= {(d.file, d.index) for d in tree.document(file)}
        if found.objects:
            app.objects = one_file_each(app, found.objects, report)
            app.table["objects"] = [obj for _, obj in app.objects]
        if found.secrets:
            app.table["secrets"] = sorted(set(found.secrets))
        import_namespace(app, report)
        report.add("imported", app.subject, f"→ [apps.{app.name}]", app.doc.file, app.doc.line)
        for note in app.notes:
            report.add("imported", app.subject, note, app.doc.file, app.doc.line)
    import_root_objects(tree, loc, apps, used, report)
    return apps, used


def _unreadable(
    tree: SourceTree, loc: Location, apps: dict[str, ImportedApp], report: Report
) -> None:
    """A YAML file that does not load stops the import where an Application syncs it (the
    import would drop what ArgoCD applies); elsewhere (an Ansible playbook, an archive) it is
    skipped and reported, as ArgoCD never reads it."""
    synced = [f for app in apps.values() for f in app.folders]
    synced += [(path.folder, False) for path in root_paths(tree, loc)]
    values = {file for app in apps.values() for file in app.values_files}
    listed = listed_files(tree)
    fatal = [
        f"{file}:{line}: {message}"
        for file, line, message in tree.unreadable
        if file in values or (in_folders(file, synced) and not left_out(tree, file, listed))
    ]
    if fatal:
        raise UnreadableTreeError(fatal)
    for file, line, message in tree.unreadable:
        kustomization = left_out(tree, file, listed)
        why = (
            f"{kustomization}'s resources leave it out"
            if kustomization
            else "no Application syncs it"
        )
        report.add("skipped", file, f"{message}; {why} (not imported)", file, line)


def _unused(tree: SourceTree, used: set[tuple[str, int]], report: Report) -> None:
    listed = listed_files(tree)
    for doc in tree.docs:
        if (doc.file, doc.index) in used:
            continue
        kind = doc.obj.get("kind")
        what = f"{kind}/{as_dict(doc.obj.get('metadata')).get('name')}" if kind else "document"
        kustomization = left_out(tree, doc.file, listed)
        if posixpath.basename(doc.file) in KUSTOMIZATIONS:
            what, why = doc.file, "a kustomization: read for what it lists, not an object"
        elif kustomization:
            why = f"not listed in {kustomization}'s resources: ArgoCD never applies it"
            why += " (not imported)"
        else:
            why = "no Application of the tree syncs it (not imported)"
        report.add("skipped", what, why, doc.file, doc.line)
    for file, line, why in tree.not_objects:
        report.add("skipped", "document", f"{why} (not imported)", file, line)
    for file in tree.other_files:
        why = "in a local Helm chart" if file.endswith((".yaml", ".yml")) else "not a YAML file"
        if file.endswith("setup-secrets.sh"):
            why = "read for its 1Password references only"
        report.add("skipped", file, f"{why} (not imported)")
