"""Review signals: the images roll-up, the risks and the review label."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from homegen.diff.model import AppDiff, ImageChange, Key, Review, Risk

DELETE_RISKS = {
    ("", "PersistentVolumeClaim"): "a PersistentVolumeClaim is deleted (its data may go with it)",
    ("apps", "StatefulSet"): "a StatefulSet is deleted",
    ("", "Namespace"): "a Namespace is deleted (with everything in it)",
    ("apiextensions.k8s.io", "CustomResourceDefinition"): (
        "a CRD is deleted (with every object of its kind)"
    ),
}
RBAC_KINDS = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})
_HOST = ("hostNetwork", "hostPID", "hostIPC")


def pod_spec(obj: dict[str, Any] | None) -> dict[str, Any]:
    """The pod spec of a workload (Deployment, Job, CronJob, Pod ...), or {}."""
    if not isinstance(obj, dict):
        return {}
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return {}
    if obj.get("kind") == "Pod":
        return spec
    if isinstance(spec.get("jobTemplate"), dict):
        spec = spec["jobTemplate"].get("spec")
    template = spec.get("template") if isinstance(spec, dict) else None
    inner = template.get("spec") if isinstance(template, dict) else None
    return inner if isinstance(inner, dict) else {}


def containers(obj: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Containers (init containers too) by name."""
    spec = pod_spec(obj)
    found: dict[str, dict[str, Any]] = {}
    for field in ("initContainers", "containers"):
        listed = spec.get(field)
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                found[item["name"]] = item
    return found


def image_changes(
    app: str, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> Iterator[ImageChange]:
    """Every container whose image differs (added or removed containers included)."""
    before, after = containers(old), containers(new)
    for name in sorted(set(before) | set(after)):
        a = before.get(name, {}).get("image")
        b = after.get(name, {}).get("image")
        if a != b:
            yield ImageChange(app, name, _text(a), _text(b))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _privileged(obj: dict[str, Any] | None) -> set[str]:
    spec = pod_spec(obj)
    found = {field for field in _HOST if spec.get(field) is True}
    for name, item in containers(obj).items():
        context = item.get("securityContext")
        if isinstance(context, dict) and context.get("privileged") is True:
            found.add(f"container {name} privileged")
    return found


def _spec(obj: dict[str, Any] | None) -> dict[str, Any]:
    spec = (obj or {}).get("spec")
    return spec if isinstance(spec, dict) else {}


def _automation(obj: dict[str, Any] | None) -> set[str]:
    policy = _spec(obj).get("syncPolicy")
    automated = policy.get("automated") if isinstance(policy, dict) else None
    if not isinstance(automated, dict):
        return set()
    return {flag for flag in ("prune", "selfHeal") if automated.get(flag) is True}


def object_risks(
    app: str, key: Key, status: str, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> Iterator[Risk]:
    """The risks of one object's change."""
    if status == "removed":
        reason = DELETE_RISKS.get((key.group, key.kind))
        if reason:
            yield Risk(app, key, reason)
        return
    if status == "added" and key.kind == "ClusterRoleBinding":
        yield Risk(app, key, "a new cluster-wide role binding")
    for gained in sorted(_privileged(new) - _privileged(old)):
        yield Risk(app, key, f"pod gains {gained}")
    replicas = _spec(new).get("replicas")
    was = _spec(old).get("replicas", 1) if old else None
    if replicas == 0 and was != 0:
        yield Risk(app, key, "replicas go to 0")
    if key.kind == "Application" and key.group == "argoproj.io" and old is not None:
        for flag in sorted(_automation(old) - _automation(new)):
            yield Risk(app, key, f"the Application loses automated {flag}")


def _chart_major(app: dict[str, Any] | None) -> dict[str, str]:
    spec = _spec(app)
    listed = spec.get("sources")
    sources = [spec.get("source"), *(listed if isinstance(listed, list) else [])]
    found = {}
    for source in sources:
        if isinstance(source, dict) and source.get("chart"):
            version = str(source.get("targetRevision") or "").lstrip("v")
            found[str(source["chart"])] = version.split(".")[0]
    return found


def review(
    apps: list[AppDiff],
    risks: list[Risk],
    app_pairs: dict[str, tuple[dict[str, Any] | None, dict[str, Any] | None]],
) -> tuple[Review, list[str]]:
    """The review label and why: danger on any risk; caution on a chart's major version,
    a CRD or RBAC change; routine otherwise."""
    if risks:
        return "danger", sorted({r.reason for r in risks})
    reasons: set[str] = set()
    for name, (old, new) in sorted(app_pairs.items()):
        before, after = _chart_major(old), _chart_major(new)
        for chart in sorted(set(before) & set(after)):
            if before[chart] != after[chart]:
                reasons.add(f"{name}: chart {chart} changes major version")
    for app in apps:
        for item in app.objects:
            if item.noise_only:
                continue
            if item.key.kind == "CustomResourceDefinition":
                reasons.add("a CRD changes")
            elif item.key.kind in RBAC_KINDS and item.key.group == "rbac.authorization.k8s.io":
                reasons.add("RBAC changes")
    return ("caution" if reasons else "routine"), sorted(reasons)
