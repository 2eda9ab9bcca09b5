"""Exceptions to rules: ``policy.homegen.dev/<rule id or name>: "<reason>"`` on an object
turns a finding on it into suppressed debt (shown with the reason, never failing). An
Application's or ApplicationSet's annotation also covers the objects its charts and builds
render, which the tree holds no file of to annotate."""

from __future__ import annotations

from homegen.validate.findings import RULE_NAMES, Finding, suppress
from homegen.validate.reader.tree import APP_KINDS, Obj, Tree

EXCEPTION_PREFIX = "policy.homegen.dev/"


def _exception(item: Obj, rule_id: str) -> str | None:
    annotations = item.annotations
    for key in (rule_id, *(n for n, i in RULE_NAMES.items() if i == rule_id)):
        reason = annotations.get(EXCEPTION_PREFIX + key)
        if reason is not None and str(reason).strip():
            return str(reason).strip()
    return None


def apply_exceptions(tree: Tree, findings: list[Finding]) -> list[Finding]:
    by_location = {(o.doc.file, o.where.object): o for o in tree.objects}
    apps = {(o.doc.file, o.name): o for o in tree.objects if o.kind in APP_KINDS}
    result = []
    for item in findings:
        owner = by_location.get((item.file, item.object))
        reason = None
        if owner is not None and item.suppressed_reason is None:
            reason = _exception(owner, item.rule)
            origin = owner.doc.origin
            app = apps.get((origin.owner_file, origin.owner)) if origin else None
            # what an app's chart or build renders cannot be annotated in the tree: the
            # exception on its Application (or ApplicationSet) covers it
            if reason is None and app is not None:
                reason = _exception(app, item.rule)
        result.append(suppress(item, reason) if reason else item)
    return result
