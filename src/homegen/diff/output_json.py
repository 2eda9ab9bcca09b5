"""``--output json``: the stable contract for scripts (documented in docs/diff.md)."""

from __future__ import annotations

import json
from typing import Any

from homegen.diff.model import DiffResult, ObjectDiff


def summary(result: DiffResult) -> dict[str, Any]:
    """Counts of apps and objects by status, and the review label."""
    apps = {"added": 0, "removed": 0, "changed": 0, "renamed": 0}
    objects = {"added": 0, "removed": 0, "changed": 0, "moved": 0, "noise_only": 0}
    for app in result.apps:
        if app.status in apps and (app.status != "changed" or not _noise_app(app.objects)):
            apps[app.status] += 1
        for item in app.objects:
            objects["noise_only" if item.noise_only else item.status] += 1
    return {"apps": apps, "objects": objects, "review": result.review}


def _noise_app(objects: list[ObjectDiff]) -> bool:
    return bool(objects) and all(o.noise_only for o in objects)


def _object(item: ObjectDiff) -> dict[str, Any]:
    out: dict[str, Any] = {
        "group": item.key.group,
        "kind": item.key.kind,
        "namespace": item.key.namespace,
        "name": item.key.name,
        "status": item.status,
        "noise_only": item.noise_only,
        "paths": item.paths,
        "changes": [
            {"path": c.path, "from": c.old, "to": c.new, **({"noise": c.noise} if c.noise else {})}
            for c in item.changes
        ],
    }
    if item.moved_from:
        out["moved_from"] = item.moved_from
    if item.secret_keys or (item.key.kind == "Secret" and item.key.group == ""):
        out["secret_keys"] = [
            {"key": k.key, "status": k.status, "from_bytes": k.old_size, "to_bytes": k.new_size}
            for k in item.secret_keys
        ]
    return out


def to_json(result: DiffResult) -> dict[str, Any]:
    """The whole result as JSON-able data."""
    return {
        "base": result.base,
        "head": result.head,
        "summary": {**summary(result), "review_reasons": result.review_reasons},
        "images": [
            {"app": i.app, "container": i.container, "from": i.old, "to": i.new}
            for i in result.images
        ],
        "risks": [
            {
                "app": r.app,
                "group": r.key.group,
                "kind": r.key.kind,
                "namespace": r.key.namespace,
                "name": r.key.name,
                "reason": r.reason,
            }
            for r in result.risks
        ],
        "apps": [
            {
                "name": app.name,
                "status": app.status,
                **({"renamed_from": app.renamed_from} if app.renamed_from else {}),
                **({"error": app.failure} if app.failure else {}),
                "objects": [_object(o) for o in app.objects],
            }
            for app in result.apps
        ],
        "findings_new": result.findings_new,
        "notes": result.notes,
        "errors": result.errors,
    }


def render_json(result: DiffResult) -> str:
    """The JSON text: keys in a fixed order, two runs byte for byte the same."""
    return json.dumps(to_json(result), indent=2, ensure_ascii=True, default=str) + "\n"
