"""Source tree vs rendered tree, object by object: what share of the source is reproduced.

An object is reproduced when the rendered tree holds one of the same kind, namespace and
name with the same content, the labels and annotations homegen adds aside. An Application
is reproduced when one of the same name has the same charts, external Git paths, local
folders (their objects are compared on their own), destination, sync options and values
(as data). A Secret with literal data is reproduced when homegen creates a Secret of the
same name, namespace and keys from 1Password.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from homegen.expand.setvalues import merge_values as merge
from homegen.importer.applied import created as _created
from homegen.importer.applied import not_applied, owners
from homegen.importer.builds import applied_documents
from homegen.importer.folders import NOT_SECRET
from homegen.importer.kustomized import as_built, listed_files
from homegen.importer.location import (
    Location,
    app_name,
    repo_key,
    root_apps,
    root_paths,
    sources_of,
    syncs_apps,
)
from homegen.importer.pinning import app_diff
from homegen.importer.source import SourceTree, is_app
from homegen.importer.values import inline_values, set_parameter, without_nulls
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import CLUSTER_SCOPED, as_dict, as_list

_ADDED_LABELS = ("app.kubernetes.io/managed-by", "app.kubernetes.io/part-of")
_ADDED_PREFIXES = ("homegen.dev/", "policy.homegen.dev/")
Key = tuple[str, str, str]  # kind, namespace, name


@dataclass
class Comparison:
    """Every source object, reproduced or not (with why)."""

    reproduced: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (object, why)
    # YAML objects no Application of the tree applies (object, why): counted apart
    unsynced: list[tuple[str, str]] = field(default_factory=list)
    # root apps applied at bootstrap, not by an Application (object, why; "" when homegen's
    # root of the same name is the same): compared apart from the share
    bootstrap: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Source objects compared: those the tree's Applications apply."""
        return len(self.reproduced) + len(self.missing)

    @property
    def share(self) -> float:
        """Reproduced / total (1.0 for an empty tree)."""
        return len(self.reproduced) / self.total if self.total else 1.0


def as_json(value: Any) -> Any:
    """``value`` as Helm and the API server see it after YAML → JSON: keys are strings."""
    if isinstance(value, dict):
        return {
            (str(k).lower() if isinstance(k, bool) else str(k)): as_json(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def strip_added(obj: dict[str, Any]) -> dict[str, Any]:
    """The object without status, nulls, and the labels and annotations homegen adds."""
    obj = as_json(without_nulls({k: v for k, v in obj.items() if k != "status"}))
    meta = dict(as_dict(obj.get("metadata")))
    for key in ("labels", "annotations"):
        kept = {
            k: v
            for k, v in as_dict(meta.get(key)).items()
            if k not in _ADDED_LABELS and not k.startswith(_ADDED_PREFIXES)
        }
        if obj.get("kind") == "Namespace" and key == "annotations":
            kept.pop("argocd.argoproj.io/sync-wave", None)
        if kept:
            meta[key] = kept
        else:
            meta.pop(key, None)
    return {**obj, "metadata": meta}


def key_of(doc: Document, namespaces: dict[tuple[str, int], str]) -> Key | None:
    """(kind, effective namespace, name) of an object document."""
    kind, meta = doc.obj.get("kind"), as_dict(doc.obj.get("metadata"))
    if not isinstance(kind, str) or not meta.get("name"):
        return None
    ns = (
        ""
        if kind in CLUSTER_SCOPED
        else str(meta.get("namespace") or namespaces.get((doc.file, doc.index), ""))
    )
    return kind, ns, str(meta["name"])


def _local_manifests(folder: str | None, tree: SourceTree) -> bool:
    """Whether a source syncs a folder of this tree as manifests; a chart kept in the tree is
    compared as the git source it stays (importer/apps.py)."""
    return folder is not None and posixpath.join(folder, "Chart.yaml") not in tree.texts


def app_view(doc: Document, tree: SourceTree, loc: Location) -> dict[str, Any]:
    """What is compared of an Application: charts, Git paths, local folders, destination,
    sync options and merged values."""
    spec = as_dict(doc.obj.get("spec"))
    if doc.obj.get("kind") == "ApplicationSet":
        spec = as_dict(as_dict(spec.get("template")).get("spec"))
    sources = sources_of(doc)
    refs = {str(s["ref"]): s for s in sources if s.get("ref")}
    charts: list[tuple[str, Any, str]] = []
    gits: list[tuple[str, str, str, str]] = []
    values: dict[str, Any] = {}
    local = 0
    for source in sources:
        if source.get("chart"):
            repo = repo_key(str(source.get("repoURL")).removeprefix("oci://"))
            charts.append((repo, source.get("chart"), str(source.get("targetRevision"))))
            values = merge(values, _values(source, refs, tree, loc))
        elif _local_manifests(loc.local_folder(source, tree), tree):
            local += 1
        elif isinstance(source.get("path"), str):
            gits.append(
                (
                    repo_key(source.get("repoURL")),
                    str(source.get("targetRevision") or "HEAD"),  # ArgoCD's default
                    source["path"].strip("/"),
                    _options_text(source),
                )
            )
    destination = as_dict(spec.get("destination"))
    policy = as_dict(spec.get("syncPolicy"))
    # CreateNamespace=false is ArgoCD's default, which homegen renders as no option at all
    options = sorted(
        str(o) for o in as_list(policy.get("syncOptions")) if o != "CreateNamespace=false"
    )
    meta = as_dict(doc.obj.get("metadata"))
    if doc.obj.get("kind") == "ApplicationSet":
        meta = as_dict(as_dict(as_dict(doc.obj.get("spec")).get("template")).get("metadata"))
    automated = policy.get("automated")
    history = spec.get("revisionHistoryLimit")
    return {
        "charts": sorted(charts),
        "git": sorted(gits),
        "local folders": min(local, 1),
        "destination": (
            destination.get("namespace"),
            _cluster(destination),
        ),
        "syncOptions": options,
        "values": as_json(without_nulls(values)),
        "automated": None
        if automated is None
        else {
            k: bool(as_dict(automated).get(k, False)) for k in ("prune", "selfHeal", "allowEmpty")
        },
        "retry": _retry_view(policy.get("retry")),
        "revisionHistoryLimit": 10 if history is None else history,
        "finalizers": sorted(str(f) for f in as_list(meta.get("finalizers"))),
    }


def _options_text(source: dict[str, Any]) -> str:
    """A Git source's rendering options (helm, kustomize, plugin, directory but recurse)."""
    options: dict[str, Any] = {k: source[k] for k in ("helm", "kustomize", "plugin") if k in source}
    directory = {k: v for k, v in as_dict(source.get("directory")).items() if k != "recurse"}
    if directory:
        options["directory"] = directory
    recurse = bool(as_dict(source.get("directory")).get("recurse"))
    return json.dumps({**options, "recurse": recurse}, sort_keys=True)


def _cluster(destination: dict[str, Any]) -> Any:
    server, name = destination.get("server"), destination.get("name")
    if name == "in-cluster" or str(server or "").rstrip("/") == "https://kubernetes.default.svc":
        return "in-cluster"
    return server or name


def _retry_view(retry: Any) -> Any:
    if retry is None:
        return None
    backoff = as_dict(as_dict(retry).get("backoff"))
    return (
        as_dict(retry).get("limit", 5),
        str(backoff.get("duration", "5s")),
        backoff.get("factor", 2),
        str(backoff.get("maxDuration", "3m")),
    )


def _values(
    source: dict[str, Any], refs: dict[str, Any], tree: SourceTree, loc: Location
) -> dict[str, Any]:
    helm = as_dict(source.get("helm"))
    values: dict[str, Any] = {}
    for file in as_list(helm.get("valueFiles")):
        ref, _, rest = str(file).partition("/")
        target = refs.get(ref[1:]) if ref.startswith("$") else None
        if target is None or repo_key(target.get("repoURL")) != repo_key(loc.repo_url):
            values = merge(values, {"<unread value file>": str(file)})
            continue
        rel = loc.in_tree(rest)
        for vdoc in tree.document(rel) if rel is not None else []:
            values = merge(values, vdoc.obj)
    values = merge(values, inline_values(helm["values"]) or {} if "values" in helm else {})
    values = merge(values, as_dict(helm.get("valuesObject")))
    for param in as_list(helm.get("parameters")):
        param = as_dict(param)
        set_parameter(
            values, str(param.get("name")), str(param.get("value")), bool(param.get("forceString"))
        )
    return values


def compare(
    source: SourceTree,
    source_loc: Location,
    rendered: SourceTree,
    rendered_loc: Location,
    secrets: Iterable[tuple[str, str, str]] = (),
) -> Comparison:
    """Compare every object of ``source`` with ``rendered``; ``secrets`` are the
    (namespace, Secret, key) homegen creates from 1Password."""
    result = Comparison()
    src_ns, out_ns = owners(source, source_loc), owners(rendered, rendered_loc)
    out: dict[Key, Document] = {}
    for doc in rendered.docs:
        key = key_of(doc, out_ns)
        if key is not None:
            out.setdefault(key, doc)
    made = set(secrets)
    roots = root_apps(source, source_loc)
    listed = listed_files(source)
    built = {  # what a root's kustomization outputs, as import took it
        (d.file, d.index): d
        for path in root_paths(source, source_loc)
        for d in as_built(source, path.folder, list(path.docs))[0]
    }
    for doc in applied_documents(source):
        doc = built.get((doc.file, doc.index), doc)
        key = key_of(doc, src_ns)
        if key is None:
            continue
        label = "/".join(p for p in key if p)
        unsynced = not_applied(doc, src_ns, roots, source, listed)
        if unsynced:  # ArgoCD never applies it through an Application: outside the share
            result.unsynced.append((label, unsynced))
            continue
        found = out.get(key) or (
            out.get(("ApplicationSet", *key[1:])) if key[0] == "Application" else None
        )
        if (doc.file, doc.index) in roots:
            why = _root_differs(doc, found, (source, source_loc), (rendered, rendered_loc))
            if (doc.file, doc.index) not in src_ns:  # applied at bootstrap: compared apart
                result.bootstrap.append((label, why))
            elif why:
                result.missing.append((label, why))
            else:
                result.reproduced.append(label)
            continue
        declared = any(
            k in as_dict(as_dict(doc.obj.get("metadata")).get("annotations")) for k in NOT_SECRET
        )
        if (
            key[0] == "Secret"
            and (doc.obj.get("data") or doc.obj.get("stringData"))
            and not declared
        ):
            keys = {*as_dict(doc.obj.get("data")), *as_dict(doc.obj.get("stringData"))}
            if all((key[1], key[2], k) in made for k in keys):
                result.reproduced.append(label)
            else:
                result.missing.append((label, "no Secret of these keys is made from 1Password"))
            continue
        renamed = False
        if found is None and is_app(doc.obj) and app_name(key[2]) != key[2]:
            found = out.get((key[0], key[1], app_name(key[2])))
            renamed = found is not None
        if found is None and key[0] == "ApplicationSet":
            why = _generated_differ(doc, source, source_loc, out, rendered, rendered_loc)
            if why:
                result.missing.append((label, why))
            else:
                result.reproduced.append(label)
            continue
        if found is None:
            result.missing.append((label, "not in the rendered tree"))
            continue
        if is_app(doc.obj):
            a, b = app_view(doc, source, source_loc), app_view(found, rendered, rendered_loc)
            diff = app_diff(a, b)
        else:
            a, b = strip_added(placed(doc.obj, key)), strip_added(placed(found.obj, key))
            diff = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        if renamed:
            diff.insert(0, f"name ({app_name(key[2])}: app names are DNS labels)")
        if diff:
            result.missing.append((label, "differs in " + ", ".join(diff)))
        else:
            result.reproduced.append(label)
    return result


def _generated_differ(
    doc: Document,
    source: SourceTree,
    source_loc: Location,
    out: dict[Key, Document],
    rendered: SourceTree,
    rendered_loc: Location,
) -> str:
    """Why the Applications a set generates are not rendered the same ("" when they all are:
    homegen renders an expanded set as the Applications it creates)."""
    created = _created(doc, source, source_loc)
    if created == [doc]:
        return "not in the rendered tree"
    for app in created:
        meta = as_dict(app.obj.get("metadata"))
        name = app_name(str(meta.get("name")))
        if syncs_apps(app, source, source_loc):
            return f"its Application {name} is a root app: homegen's app-of-apps syncs apps/"
        found = out.get(("Application", str(meta.get("namespace") or "argocd"), name))
        if found is None:
            return f"its Application {name} is not in the rendered tree"
        a, b = app_view(app, source, source_loc), app_view(found, rendered, rendered_loc)
        diff = app_diff(a, b)
        if diff:
            return f"its Application {name} differs in {', '.join(diff)}"
    return ""


def placed(obj: dict[str, Any], key: Key) -> dict[str, Any]:
    """The object with its effective namespace written out (an object without one lands in
    its Application's destination namespace, or the kustomization's)."""
    if not key[1]:
        return obj
    return {**obj, "metadata": {**as_dict(obj.get("metadata")), "namespace": key[1]}}


def _root_differs(
    doc: Document,
    found: Document | None,
    source: tuple[SourceTree, Location],
    rendered: tuple[SourceTree, Location],
) -> str:
    """Why homegen's root differs from a root of the tree ("" when it does not). Its folder
    is homegen's own (`<tree_path>/apps`, the report says where to point the root); the
    Applications it syncs are compared on their own."""
    if found is None or found.obj.get("kind") != doc.obj.get("kind"):
        return "a root app: homegen's app-of-apps, of another name, syncs apps/ instead"
    diff = app_diff(app_view(doc, *source), app_view(found, *rendered))
    folders = len(sources_of(doc))
    if folders != len(sources_of(found)):
        diff.insert(0, f"sources ({folders}; homegen's root syncs one apps/ folder)")
    return "differs in " + ", ".join(diff) if diff else ""
