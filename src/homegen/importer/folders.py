"""A folder of the tree an app syncs → the app's objects; Secrets with literal data →
1Password references to fill in; simple kustomizations flattened."""

from __future__ import annotations

import copy
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from homegen.importer.builds import flatten_build
from homegen.importer.kustomized import KUSTOMIZATIONS
from homegen.importer.report import Report
from homegen.importer.source import SourceTree, is_app
from homegen.importer.values import dotted, null_paths, without_nulls
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import CLUSTER_SCOPED, as_dict, as_list
from homegen.validate.rules.policy_objects import looks_secret

# kustomization keys flattened here; any other key means ArgoCD's output is not the files
_KUSTOMIZE_KEYS = frozenset({"apiVersion", "kind", "resources", "namespace", "commonAnnotations"})
VAULT = "Imported"
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
# a Secret whose literal data is declared not secret (e.g. a Helm OCI repository entry)
NOT_SECRET = ("policy.homegen.dev/HG314", "policy.homegen.dev/secret-literal")


@dataclass
class FolderObjects:
    """What the folders of one app hold: objects, op:// references, the documents used."""

    objects: list[tuple[Document, dict[str, Any]]] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    used: set[tuple[str, int]] = field(default_factory=set)  # (file, index) of docs read


def folder_objects(
    subject: str,
    folders: list[tuple[str, bool]],
    namespace: str,
    tree: SourceTree,
    report: Report,
    extra: list[Document] | None = None,
) -> FolderObjects:
    """The objects of every folder an app syncs (and ``extra`` documents), in file order."""
    found = FolderObjects()
    for doc in extra or []:
        found.used.add((doc.file, doc.index))
        _one(subject, doc, doc.obj, namespace, report, found)
    for folder, recurse in folders:
        kustomization = next(
            (f for f in KUSTOMIZATIONS if posixpath.join(folder, f) in tree.texts), None
        )
        if kustomization:
            docs = _kustomized(subject, folder, kustomization, tree, report, found)
        else:
            docs = [(d, d.obj) for d in tree.in_folder(folder, recurse=recurse)]
        for doc, obj in docs:
            found.used.add((doc.file, doc.index))
            _one(subject, doc, obj, namespace, report, found)
    return found


def _one(
    subject: str,
    doc: Document,
    obj: dict[str, Any],
    namespace: str,
    report: Report,
    found: FolderObjects,
) -> None:
    kind, meta = obj.get("kind"), as_dict(obj.get("metadata"))
    name = meta.get("name")
    if not isinstance(kind, str) or not isinstance(obj.get("apiVersion"), str) or not name:
        report.add(
            "skipped",
            subject,
            "not a Kubernetes object (no apiVersion, kind or name)",
            doc.file,
            doc.line,
        )
        return
    label = f"{kind}/{name}"
    if is_app(obj):
        report.add(
            "not-expressed",
            label,
            f"an Application synced by {subject}: nested "
            "app-of-apps are flattened only under the root",
            doc.file,
            doc.line,
        )
        return
    declared = any(k in as_dict(meta.get("annotations")) for k in NOT_SECRET)
    if kind == "Secret" and (obj.get("data") or obj.get("stringData")) and not declared:
        _secret(subject, doc, obj, namespace, report, found)
        return
    obj = _env_secrets(label, doc, obj, namespace, report, found)
    for path in null_paths(obj):
        report.add(
            "not-expressed",
            label,
            f"{dotted(path)}: null cannot be written in TOML "
            "(dropped; the API server treats it as absent)",
            doc.file,
            doc.line,
        )
    if "status" in obj:
        report.add(
            "not-expressed",
            label,
            "status: set by the cluster, not synced (dropped)",
            doc.file,
            doc.line,
        )
        obj = {k: v for k, v in obj.items() if k != "status"}
    found.objects.append((doc, without_nulls(obj)))


def _pod_specs(obj: dict[str, Any]) -> list[dict[str, Any]]:
    spec = as_dict(obj.get("spec"))
    if obj.get("kind") == "Pod":
        return [spec]
    if obj.get("kind") == "CronJob":
        spec = as_dict(as_dict(spec.get("jobTemplate")).get("spec"))
    template = as_dict(spec.get("template"))
    return [as_dict(template.get("spec"))] if template else []


def _env_secrets(
    label: str,
    doc: Document,
    obj: dict[str, Any],
    namespace: str,
    report: Report,
    found: FolderObjects,
) -> dict[str, Any]:
    """Env values named like secrets (HG315) are never written to services.toml: each becomes
    a secretKeyRef to a Secret made from a 1Password reference to fill in."""
    meta = as_dict(obj.get("metadata"))
    owner = str(meta.get("name"))
    secret = f"{owner}-env"
    hits = [
        (c, e)
        for pod in _pod_specs(obj)
        for c in as_list(pod.get("containers")) + as_list(pod.get("initContainers"))
        for e in as_list(as_dict(c).get("env"))
        if isinstance(e, dict) and "value" in e and looks_secret(str(e.get("name", "")))
    ]
    if not hits:
        return obj
    if (meta.get("namespace") or namespace) != namespace or not _SECRET_KEY.fullmatch(secret):
        for _, env in hits:
            report.add(
                "warning",
                label,
                f"env {env.get('name')} holds a literal value that "
                "looks secret; kept as written (homegen makes an app's Secrets only in "
                "its namespace)",
                doc.file,
                doc.line,
            )
        return obj
    obj = copy.deepcopy(obj)
    for pod in _pod_specs(obj):
        for container in as_list(pod.get("containers")) + as_list(pod.get("initContainers")):
            for env in as_list(as_dict(container).get("env")):
                name = str(as_dict(env).get("name", ""))
                if isinstance(env, dict) and "value" in env and looks_secret(name):
                    del env["value"]
                    env["valueFrom"] = {"secretKeyRef": {"name": secret, "key": name}}
                    ref = f"op://{VAULT}/{secret}/{name}"
                    found.secrets.append(ref)
                    report.add(
                        "secret",
                        label,
                        f"env {name}: literal value not imported: "
                        f"read from Secret {secret} key {name} ← {ref} (fill it in "
                        "1Password)",
                        doc.file,
                        doc.line,
                    )
    return obj


def _secret(
    subject: str,
    doc: Document,
    obj: dict[str, Any],
    namespace: str,
    report: Report,
    found: FolderObjects,
) -> None:
    meta = as_dict(obj.get("metadata"))
    name, label = str(meta.get("name")), f"Secret/{meta.get('name')}"
    keys = sorted({*as_dict(obj.get("data")), *as_dict(obj.get("stringData"))})
    secret_ns = meta.get("namespace") or namespace
    if secret_ns != namespace:
        report.add(
            "not-expressed",
            label,
            f"literal data not imported: homegen creates an "
            f"app's Secrets in its namespace {namespace}, this one is in {secret_ns}",
            doc.file,
            doc.line,
        )
        return
    if obj.get("type", "Opaque") != "Opaque":
        report.add(
            "not-expressed",
            label,
            f"type {obj.get('type')}: homegen's Secrets from 1Password are Opaque",
            doc.file,
            doc.line,
        )
    for key in keys:
        if not _SECRET_KEY.fullmatch(key):
            report.add(
                "not-expressed",
                label,
                f"key {key!r} is no 1Password field name",
                doc.file,
                doc.line,
            )
            continue
        ref = f"op://{VAULT}/{name}/{key}"
        found.secrets.append(ref)
        report.add(
            "secret",
            label,
            f"literal data not imported: key {key} → {ref} "
            f"(create item {name!r} with field {key!r} in 1Password vault {VAULT!r}, "
            "or edit the reference)",
            doc.file,
            doc.line,
        )
    for extra in sorted(set(meta) - {"name", "namespace"}):
        report.add(
            "not-expressed",
            label,
            f"metadata.{extra}: homegen's Secrets carry none",
            doc.file,
            doc.line,
        )


def _kustomized(
    subject: str,
    folder: str,
    file: str,
    tree: SourceTree,
    report: Report,
    found: FolderObjects,
) -> list[tuple[Document, dict[str, Any]]]:
    """The resources a plain kustomization lists, with its namespace and annotations set."""
    path = posixpath.join(folder, file)
    kdoc = tree.document(path)
    spec = kdoc[0].obj if kdoc else {}
    for doc in kdoc:
        found.used.add((doc.file, doc.index))
    unsupported = sorted(set(spec) - _KUSTOMIZE_KEYS)
    resources = [str(r) for r in as_list(spec.get("resources"))]
    files = [posixpath.normpath(posixpath.join(folder, r)) for r in resources]
    missing = [r for r, f in zip(resources, files, strict=True) if f not in tree.texts]
    if unsupported or missing:
        objects, not_built = flatten_build(subject, folder, tree, report, found.used)
        if not not_built:
            return objects
        why = (
            f"uses {', '.join(unsupported)}"
            if unsupported
            else f"lists {', '.join(missing)}, which is not a file of this folder"
        )
        report.add(
            "not-expressed",
            subject,
            f"kustomization {path} {why}: its output is not "
            f"the files as written and it was not built ({not_built}), so none of its "
            "resources is imported (keep the folder and point a git source at it, or "
            "expand it by hand)",
        )
        for other in tree.in_folder(folder, recurse=True):
            found.used.add((other.file, other.index))
            if other.file != path:
                report.add(
                    "not-expressed",
                    _label(other),
                    f"resource of kustomization {path} (not imported)",
                    other.file,
                    other.line,
                )
        return []
    report.add(
        "inferred", subject, f"kustomization {path}: plain resources list, flattened into objects"
    )
    out: list[tuple[Document, dict[str, Any]]] = []
    namespace = spec.get("namespace")
    annotations = as_dict(spec.get("commonAnnotations"))
    for resource in files:
        for doc in tree.document(resource):
            obj = dict(doc.obj)
            meta = dict(as_dict(obj.get("metadata")))
            if namespace and obj.get("kind") not in CLUSTER_SCOPED:
                meta["namespace"] = namespace
            if annotations:
                meta["annotations"] = {**as_dict(meta.get("annotations")), **annotations}
            obj["metadata"] = meta
            out.append((doc, obj))
    return out


def _label(doc: Document) -> str:
    meta = as_dict(doc.obj.get("metadata"))
    return f"{doc.obj.get('kind', '?')}/{meta.get('name', '?')}"


_SCRIPT_LINE = re.compile(
    r"^\s+(?P<ns>[-a-z0-9]+) (?P<secret>[-.a-z0-9]+) (?P<key>[-._a-zA-Z0-9]+) "
    r"(?P<ref>op://\S+) (?:raw|base64)$",
    re.M,
)


def script_secrets(tree: SourceTree, apps: dict[str, Any], report: Report) -> None:
    """A tree homegen rendered keeps its 1Password references in bootstrap/setup-secrets.sh,
    not in YAML: give each back to the app of its namespace (and its vault to the
    references the import made up)."""
    found = {
        (m["ns"], m["secret"], m["key"]): m["ref"]
        for path, text in sorted(tree.texts.items())
        if path.endswith("setup-secrets.sh")
        for m in _SCRIPT_LINE.finditer(text)
    }
    if not found:
        return
    used: set[str] = set()
    for app in apps.values():
        namespace = app.table.get("namespace")
        refs = []
        for ref in app.table.get("secrets", []):
            parts = ref.removeprefix("op://").split("/")
            real = found.get((namespace, parts[1], parts[-1]), ref) if len(parts) > 2 else ref
            used.add(real)
            refs.append(real)
        if refs:
            app.table["secrets"] = sorted(set(refs))
    for (namespace, secret, key), ref in sorted(found.items()):
        owner = next(
            (a for _, a in sorted(apps.items()) if a.table.get("namespace") == namespace), None
        )
        if ref in used or owner is None:
            continue
        owner.table["secrets"] = sorted({*owner.table.get("secrets", []), ref})
        report.add(
            "inferred",
            f"apps.{owner.name}.secrets",
            f"{ref}: Secret {secret} key {key} in {namespace}, made by bootstrap/setup-secrets.sh",
        )
