"""The Application fields around the sources: sync policy, destination, project, history,
finalizers, metadata. What services.toml holds is set; every difference from what homegen
renders is reported."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from homegen.argocd_options import KNOWN_SYNC_OPTIONS
from homegen.config.fields import LabelValue, ProjectName, QualifiedName
from homegen.importer.apps import FINALIZER, IN_CLUSTER, WAVE, ImportedApp
from homegen.importer.report import Report
from homegen.validate.reader.tree import as_dict, as_list

_OWN_LABELS = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
)


def import_argo_fields(app: ImportedApp, report: Report) -> None:
    """Sync options into the table; other fields compared with homegen's rendering."""
    spec = app.spec
    lost = _lost_to(report, app)
    destination = as_dict(spec.get("destination"))
    server, cluster = destination.get("server"), destination.get("name")
    if (server and server not in IN_CLUSTER) or (cluster and cluster != "in-cluster"):
        lost("destination", f"{server or cluster}: homegen deploys to the cluster ArgoCD runs in")
    policy = as_dict(spec.get("syncPolicy"))
    fields: dict[str, Any] = {}
    _sync_options(app, as_list(policy.get("syncOptions")), lost, fields)
    _automated(policy, fields)
    _retry(policy.get("retry"), fields)
    for key in sorted(set(policy) - {"automated", "syncOptions", "retry"}):
        lost(f"syncPolicy.{key}", "services.toml has no such key")
    if "info" in spec:
        lost("spec.info", "services.toml has no such key")
    _ignore_differences(app, as_list(spec.get("ignoreDifferences")), lost, fields)
    limit = spec.get("revisionHistoryLimit")
    app.history_limit = limit if isinstance(limit, int) else None
    meta = as_dict(app.doc.obj.get("metadata"))
    if app.doc.obj.get("kind") == "ApplicationSet":
        meta = as_dict(as_dict(as_dict(app.doc.obj.get("spec")).get("template")).get("metadata"))
    finalizers = [str(f) for f in as_list(meta.get("finalizers"))]
    if finalizers != [FINALIZER]:
        fields["finalizers"] = finalizers
    _project(spec.get("project", "default"), lost, fields)
    _metadata(as_dict(app.doc.obj.get("metadata")), lost, fields)
    if fields:
        # the sources may have added an exception annotation already (a chart range)
        kept = app.table.setdefault("application", {})
        annotations = {**fields.get("annotations", {}), **kept.get("annotations", {})}
        kept.update(fields)
        if annotations:
            kept["annotations"] = annotations
        report.add(
            "inferred",
            app.subject,
            f"Application fields other than homegen's "
            f"standards kept in [apps.{app.name}.application]: {', '.join(fields)}",
            app.doc.file,
            app.doc.line,
        )


def _project(project: Any, lost: Any, fields: dict[str, Any]) -> None:
    """spec.project → application.project; a name that is no AppProject name is reported."""
    if project == "default":
        return
    try:
        TypeAdapter(ProjectName).validate_python(project)
    except ValidationError:
        lost("spec.project", f"{project!r} is not an AppProject name (rendered as 'default')")
        return
    fields["project"] = project


def _metadata(meta: dict[str, Any], lost: Any, fields: dict[str, Any]) -> None:
    """The Application's own labels and annotations, but for those homegen writes itself."""
    labels: dict[str, str] = {}
    for key, value in as_dict(meta.get("labels")).items():
        if key in _OWN_LABELS:
            continue
        if _valid(QualifiedName, key) and _valid(LabelValue, value):
            labels[key] = value
        else:
            lost(f"metadata.labels.{key}", f"{value!r}: not a valid label (dropped)")
    annotations: dict[str, str] = {}
    for key, value in as_dict(meta.get("annotations")).items():
        if key == WAVE or str(key).startswith("homegen.dev/"):
            continue
        if _valid(QualifiedName, key) and isinstance(value, str):
            annotations[key] = value
        else:
            lost(f"metadata.annotations.{key}", f"{value!r}: not a valid annotation (dropped)")
    if labels:
        fields["labels"] = labels
    if annotations:
        fields["annotations"] = annotations


def _valid(kind: Any, value: Any) -> bool:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


def _lost_to(report: Report, app: ImportedApp) -> Any:
    def lost(what: str, why: str) -> None:
        report.add("not-expressed", app.subject, f"{what}: {why}", app.doc.file, app.doc.line)

    return lost


def _automated(policy: dict[str, Any], fields: dict[str, Any]) -> None:
    if "automated" not in policy or policy["automated"] is None:
        fields["automated"] = False
        return
    automated = as_dict(policy["automated"])  # ArgoCD: every flag false unless set
    for key, name, default in (
        ("prune", "prune", True),
        ("selfHeal", "self_heal", True),
        ("allowEmpty", "allow_empty", False),
    ):
        value = bool(automated.get(key, False))
        if value != default:
            fields[name] = value


def _whole(value: Any, default: int) -> int:
    """An integer field as ArgoCD reads it; ``default`` when absent or not a number (the
    schema check of the source tree reports that)."""
    if isinstance(value, bool) or value is None:
        return default
    try:
        return int(str(value))
    except ValueError:
        return default


def _retry(retry: Any, fields: dict[str, Any]) -> None:
    if retry is None:
        fields["retry"] = False
        return
    retry, backoff = as_dict(retry), as_dict(as_dict(retry).get("backoff"))
    found = {
        "limit": _whole(retry.get("limit"), 5),
        "duration": str(backoff.get("duration", "5s")),
        "factor": max(1, _whole(backoff.get("factor"), 2)),
        "max_duration": str(backoff.get("maxDuration", "3m")),
    }
    if found != {"limit": 5, "duration": "5s", "factor": 2, "max_duration": "3m"}:
        fields["retry"] = found


_IGNORE_KEYS = {
    "group": "group",
    "kind": "kind",
    "name": "name",
    "namespace": "namespace",
    "jsonPointers": "json_pointers",
    "jqPathExpressions": "jq_path_expressions",
}


def _ignore_differences(
    app: ImportedApp, entries: list[Any], lost: Any, fields: dict[str, Any]
) -> None:
    """spec.ignoreDifferences → ignore_differences (homegen adds RespectIgnoreDifferences)."""
    from pydantic import ValidationError

    from homegen.config.models import IgnoreDifference

    kept = []
    for i, entry in enumerate(entries):
        entry = as_dict(entry)
        data = {_IGNORE_KEYS[k]: v for k, v in entry.items() if k in _IGNORE_KEYS}
        for key in sorted(set(entry) - set(_IGNORE_KEYS)):
            lost(f"ignoreDifferences[{i}].{key}", "services.toml has no such key (dropped)")
        try:
            IgnoreDifference.model_validate(data)
        except ValidationError as exc:
            lost(f"ignoreDifferences[{i}]", f"not imported: {exc.errors()[0]['msg']}")
            continue
        kept.append(data)
    if kept:
        app.table["ignore_differences"] = kept
        if "RespectIgnoreDifferences=true" not in app.table.get("sync_options", []):
            lost(
                "syncOptions",
                "homegen adds RespectIgnoreDifferences=true to an app with "
                "ignore_differences (a sync then keeps the ignored fields as the cluster has them)",
            )


def history_field(app: ImportedApp, tier: str) -> None:
    """revisionHistoryLimit into the table when it differs from homegen's for the tier."""
    wanted = app.history_limit if app.history_limit is not None else 10  # ArgoCD's default
    if wanted != (10 if tier == "infra" else 3):
        app.table.setdefault("application", {})["history"] = wanted


def _sync_options(app: ImportedApp, options: list[Any], lost: Any, fields: dict[str, Any]) -> None:
    kept: list[str] = []
    creates = False
    for option in options:
        text = str(option)
        key, _, value = text.partition("=")
        if key == "CreateNamespace":
            creates = value.lower() == "true"
            continue
        if key not in KNOWN_SYNC_OPTIONS or value.lower() not in KNOWN_SYNC_OPTIONS[key]:
            lost(f"syncOptions {text}", "not a sync option ArgoCD knows (dropped)")
            continue
        kept.append(text)
    if not creates:
        fields["create_namespace"] = False
    if kept:
        app.table["sync_options"] = kept
