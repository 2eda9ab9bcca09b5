"""Apps a build creates: Applications and ApplicationSets among a kustomization's output.

homegen expands the sources of the apps written in the tree. An app that a build creates (an
ApplicationSet patched per cluster by a kustomization, say) is listed and checked, but its own
source is not expanded: where that source needs a build or a chart, it is said so (a note, a
line of the coverage, its namespace not fully known) instead of its folder being read file by
file as if ArgoCD applied the files as written.
"""

from __future__ import annotations

from homegen.expand.model import ExpandSettings, Expansion
from homegen.expand.sources import AppRef, Plan, plan_expansion
from homegen.validate.reader.documents import Document

APP_KINDS = ("Application", "ApplicationSet")


def nested_apps(
    docs: list[Document], expansion: Expansion, settings: ExpandSettings, first: Plan
) -> None:
    """Record as not expanded each app created by a build whose source needs expanding, and
    that the tree's own files do not define (``first``: the plan of those)."""
    built = [
        d for d in expansion.documents if d.origin is not None and d.obj.get("kind") in APP_KINDS
    ]
    if not built:
        return
    plan, _tree = plan_expansion(
        [*docs, *built], settings.repo_prefix, settings.tree_root, settings.reader,
        settings.repo_url, settings.other_revisions,
    )  # fmt: skip
    makers = {d.file: d.origin.source for d in built if d.origin is not None}
    jobs: list[tuple[AppRef, str]] = [
        (j.app, f"kustomize:{j.folder or '.'}") for j in plan.kustomize
    ]
    jobs += [(j.app, f"chart {j.chart}@{j.version}") for j in plan.helm]
    # an app a kustomization lists as written is the tree's own, planned (and expanded) already
    seen = {(name, "") for name in _planned(first)}
    for app, what in jobs:
        maker = makers.get(app.owner_file)
        if maker is None or {(app.name, app.owner_file), (app.name, "")} & seen:
            continue  # an app of the tree itself (expanded already), or one met before
        seen.add((app.name, app.owner_file))
        expansion.notes.append(
            f"{app.name}: {what} not expanded: the app is created by {maker}'s output"
        )
        expansion.not_expanded(app.name, app.namespace, f"created by {maker}")


def _planned(plan: Plan) -> set[str]:
    """The names of the apps a plan has a job, a failure or a note of not expanding for."""
    names = {job.app.name for job in plan.kustomize} | {job.app.name for job in plan.helm}
    return names | {app.name for app, _source, _why in plan.failures} | set(plan.skipped)
