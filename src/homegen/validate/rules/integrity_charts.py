"""Findings of the expand stage: sources that failed to render, values keys a chart lacks.

The expand stage hands its result to the validator (``Tree.expansion``); these checks turn
it into findings on the Application or ApplicationSet each source belongs to.
"""

from __future__ import annotations

from collections.abc import Iterator

from homegen.validate.findings import Finding, Located, finding, register
from homegen.validate.reader.tree import APP_KINDS, Tree, tree_check

RENDER_FAILED = register(
    "HG130", "source-render-failed", "error",
    "fix the app's values (the message is the chart's or kustomize's own)",
    """ArgoCD cannot render the source either: the app stays in ComparisonError and syncs
    nothing.""",
)  # fmt: skip
KUSTOMIZE_FIX = "fix the kustomization the message names (the message is kustomize's own)"
VALUES_KEY_UNKNOWN = register(
    "HG131", "values-key-unknown", "error",
    "use a key of the chart's values.schema.json (see the chart's values.yaml)",
    """A values key the chart's schema does not list, and that neither its defaults nor its
    templates read, is ignored: the setting it was meant to change silently stays default.""",
)  # fmt: skip
VALUES_KEY_UNLISTED = register(
    "HG132", "values-key-unlisted", "warning",
    "use a key of the chart's values.yaml (check its spelling)",
    """A key that the chart's defaults do not have under a map they fill, and that its
    templates never read, is most likely a typo: it does nothing.""",
)  # fmt: skip


def _owner_location(tree: Tree, owner_file: str, owner: str) -> Located:
    for app in tree.kind(*APP_KINDS):
        if app.doc.file == owner_file and app.name == owner:
            return app.where
    return Located(owner_file, 1, "")


def check_expansion(tree: Tree) -> Iterator[Finding]:
    """HG130-HG132: failed sources and unknown values keys, on the app they belong to."""
    expansion = tree.expansion
    if expansion is None:
        return
    for failure in expansion.failures:
        where = _owner_location(tree, failure.owner_file, failure.owner)
        message = f"{failure.app}: {failure.source}: {failure.message}"
        yield finding(RENDER_FAILED, where, message, fix=_fix(failure.source, failure.message))
    for failure, problem in expansion.values_problems:
        where = _owner_location(tree, failure.owner_file, failure.owner)
        rule = VALUES_KEY_UNKNOWN if problem.error else VALUES_KEY_UNLISTED
        yield finding(rule, where, f"{failure.app}: {failure.source}: {problem.message}")


def _fix(source: str, message: str) -> str | None:
    """A kustomize build that failed on its own (a patch, a missing file) is the
    kustomization's to fix, not values; a chart it inflates failing keeps the rule's fix."""
    if source.startswith("kustomize:") and not message.startswith("helm template"):
        return KUSTOMIZE_FIX
    return None


# Registered by calls rather than a decorator: mutmut leaves decorated functions unmutated.
tree_check(check_expansion)
