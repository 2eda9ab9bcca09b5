"""The sync options ArgoCD knows, with their values: one table for services.toml's checks,
the importer and ``validate`` (HG219), so the three never disagree.

From ArgoCD's user guide (sync-options) and its sync code; a value outside the set is one
ArgoCD ignores, which silently does nothing.
"""

from __future__ import annotations

_BOOL = frozenset({"true", "false"})
KNOWN_SYNC_OPTIONS: dict[str, frozenset[str]] = {
    "Validate": _BOOL,
    "CreateNamespace": _BOOL,
    "PrunePropagationPolicy": frozenset({"foreground", "background", "orphan"}),
    "PruneLast": _BOOL,
    "ApplyOutOfSyncOnly": _BOOL,
    "Replace": _BOOL,
    "Force": _BOOL,
    "ServerSideApply": _BOOL,
    "ClientSideApplyMigration": _BOOL,
    "FailOnSharedResource": _BOOL,
    "RespectIgnoreDifferences": _BOOL,
    "Prune": frozenset({"true", "false", "confirm"}),
    "Delete": frozenset({"true", "false", "confirm"}),
    "SkipDryRunOnMissingResource": _BOOL,
}
# options of the argocd.argoproj.io/compare-options annotation, often misplaced in syncOptions
COMPARE_OPTIONS = frozenset({"ServerSideDiff", "IgnoreExtraneous", "IncludeMutationWebhook"})
