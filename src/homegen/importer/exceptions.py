"""Findings of import's trial render become visible debt, never a failed first render: each
policy finding, and each error that would stop `homegen render`, on an imported object turns into
an ``imported:`` exception of its app (a route to a Service a chart makes is marked as having
external backends instead). `validate` then shows them as suppressed, with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homegen.importer.report import EXTERNAL_MARK, Report
from homegen.validate.reader.tree import CLUSTER_SCOPED, as_dict

if TYPE_CHECKING:
    from homegen.pipeline import Rendered
    from homegen.validate.findings import Finding

POLICY_PREFIX = "HG3"
EXCEPTION_PREFIX = "policy.homegen.dev/"  # validate/run.py reads it on any object
# a route's backend Service (or port) is not in the tree: a chart makes it, out of sight offline
_CHART_BACKEND = ("HG210", "HG211")
EXTERNAL_BACKENDS = "homegen.dev/external-backends"


def findings_of(rendered: Rendered, chart_dirs: Sequence[Path] = ()) -> list[Finding]:
    """What `homegen render` would report on this in-memory render: its chart apps expanded
    from the charts a later render finds (``chart_dirs``, $HOMEGEN_CHARTS, the chart cache)."""
    from homegen.validate.render_checks import Settings, render_findings

    settings = Settings(
        rendered.config.cluster.kubernetes_version,
        rendered.plan.tree_path,
        chart_dirs=tuple(str(d) for d in chart_dirs),
        storage_classes=tuple(rendered.config.cluster.storage_classes),
    )
    return render_findings(rendered.files, settings)


def imported_exceptions(
    data: dict[str, Any], rendered: Rendered, report: Report, chart_dirs: Sequence[Path] = ()
) -> bool:
    """An ``imported:`` exception for every policy finding, and every failing one, on an object
    an imported app holds or its charts render; True when services.toml changed."""
    owners = _folder_owners(rendered)
    changed = False
    by_app: dict[tuple[str, str], list[str]] = {}
    on_app: dict[tuple[str, str], list[str]] = {}
    for f in findings_of(rendered, chart_dirs):
        app = _owner(f.file, owners)
        if app is None or app not in data["apps"] or f.suppressed_reason:
            continue
        if not (f.rule.startswith(POLICY_PREFIX) or f.failing):
            continue
        if f.rule in _CHART_BACKEND and _mark_external(data["apps"][app], f, report):
            changed = True
            continue
        # policy_exceptions annotate the app's objects; its Application takes the annotation,
        # which also covers what its charts render (their findings' files start with its file)
        target = on_app if f.file.startswith(f"apps/{app}.yaml") else by_app
        target.setdefault((app, f.rule), []).append(f"{f.object}: {f.message}")
    for (app, rule), what in sorted(by_app.items()):
        reason = "imported: " + "; ".join(sorted(set(what)))
        data["apps"][app].setdefault("policy_exceptions", {})[rule] = reason
        report.add("inferred", f"apps.{app}.policy_exceptions.{rule}", reason)
        changed = True
    for (app, rule), what in sorted(on_app.items()):
        reason = "imported: " + "; ".join(sorted(set(what)))
        fields = data["apps"][app].setdefault("application", {})
        fields.setdefault("annotations", {})[EXCEPTION_PREFIX + rule] = reason
        report.add(
            "inferred", f"apps.{app}.application.annotations.{EXCEPTION_PREFIX}{rule}", reason
        )
        changed = True
    return changed


def _mark_external(table: dict[str, Any], f: Finding, report: Report) -> bool:
    """Mark the route ``f`` names as routing to backends a chart makes; False when the route is
    not one of the app's objects."""
    for obj in table.get("objects", []):
        if _label(obj, str(table.get("namespace", ""))) != f.object:
            continue
        annotations = obj.setdefault("metadata", {}).setdefault("annotations", {})
        if annotations.get(EXTERNAL_BACKENDS) == "true":
            return False
        annotations[EXTERNAL_BACKENDS] = "true"
        report.add(
            "inferred",
            f.object,
            f"{EXTERNAL_MARK} (imported: {f.rule} {f.message}; a chart is expected "
            "to create the backend, which cannot be seen offline)",
        )
        return True
    return False


def _label(obj: dict[str, Any], namespace: str) -> str:
    kind, meta = str(obj.get("kind")), as_dict(obj.get("metadata"))
    ns = "" if kind in CLUSTER_SCOPED else str(meta.get("namespace") or namespace)
    return f"{kind}/{ns}/{meta.get('name')}" if ns else f"{kind}/{meta.get('name')}"


def _folder_owners(rendered: Rendered) -> dict[str, str]:
    owners: dict[str, str] = {}
    for app in rendered.plan.apps:
        owners[f"manifests/{app.folder}/"] = app.name
        owners[f"apps/{app.name}.yaml"] = app.name
    return owners


def _owner(file: str, owners: dict[str, str]) -> str | None:
    return next((name for prefix, name in owners.items() if file.startswith(prefix)), None)
