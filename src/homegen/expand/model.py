"""The values the expand stage takes and gives: settings, provenance, the expansion."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homegen.validate.reader.documents import Document
from homegen.validate.reader.origin import Origin

__all__ = [
    "ExpandSettings",
    "Expansion",
    "Failure",
    "Origin",
    "SourceResult",
    "ValuesProblem",
]


@dataclass(frozen=True)
class ExpandSettings:
    """What expansion needs besides the documents."""

    kubernetes_version: str = "1.28"
    # the tree's path inside its git repository; None: derived from the root app
    repo_prefix: str | None = None
    chart_dirs: tuple[Path, ...] = ()  # --charts and HOMEGEN_CHARTS, in order
    # the tree on disk (validate); None for a tree held in memory (render)
    tree_root: Path | None = None
    cache_dir: Path | None = None  # None: no cache of expansion results
    chart_cache: Path | None = None  # the chart fetcher's cache (None: its default)
    # what reads tree_root (homegen.treeread.TreeReader; None: one made for tree_root)
    reader: Any = None
    repo_url: str = ""  # the repository the tree is (--repo-url, origin); "": its sources say
    # targetRevisions of this repository that are not the checkout (reader/revisions.py)
    other_revisions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ValuesProblem:
    """A values key the chart does not have (found once per expansion, cached with it)."""

    path: str  # dotted key, e.g. "providers.kubernetesGateway.enabeld"
    message: str
    error: bool  # from values.schema.json (an error) or from the defaults (a warning)


@dataclass
class SourceResult:
    """One expanded source: its documents, or why it failed or was not expanded."""

    origin_app: str
    documents: list[Document] = field(default_factory=list)
    failure: str = ""  # the chart's own message when it failed to render
    values_problems: list[ValuesProblem] = field(default_factory=list)
    crds_installed: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Failure:
    """A source that could not be expanded though it was found: a finding on the app."""

    owner_file: str
    owner: str
    app: str
    source: str
    message: str


@dataclass
class Expansion:
    """The documents to validate (the tree's, minus kustomize inputs, plus every expanded
    object), the sources that failed, and notes on sources that were not expanded."""

    documents: list[Document]
    failures: list[Failure] = field(default_factory=list)
    values_problems: list[tuple[Failure, ValuesProblem]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    expanded: int = 0  # sources expanded (charts rendered or read from the cache, builds)
    # destination namespaces of apps with a source not expanded or failed: checks that need
    # everything a namespace holds (a Service, a ServiceAccount) skip them
    incomplete: set[str] = field(default_factory=set)
    cached: int = 0  # of which read from the cache
    # apps with a source not expanded, and why (the coverage line of the summary)
    skipped: dict[str, str] = field(default_factory=dict)
    # a namespace only the inputs of a build not made name (none of its apps deploys there by
    # destination) → that app
    named_by: dict[str, str] = field(default_factory=dict)
    # why the roots a bootstrap chart makes are not known (a dependency not found offline)
    roots_unknown: list[str] = field(default_factory=list)

    def not_expanded(self, app: str, namespace: str, why: str) -> None:
        """Record an app whose source was not expanded: its namespace is not fully known."""
        self.incomplete.add(namespace)
        self.skipped.setdefault(app, why)
