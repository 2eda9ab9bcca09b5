"""The values the diff passes between its stages: sides, keys, changes and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

AppStatus = Literal["added", "removed", "changed", "renamed", "failed"]
ObjectStatus = Literal["added", "removed", "changed", "moved"]
Review = Literal["routine", "caution", "danger"]
NO_APP = "(no app)"  # objects no Application syncs (the root app itself)


@dataclass(frozen=True, order=True)
class Key:
    """An object's identity inside one app: (group, kind, namespace, name)."""

    group: str
    kind: str
    namespace: str
    name: str

    def label(self) -> str:
        """``Kind/namespace/name`` (``Kind/name`` when cluster-wide), group-qualified."""
        kind = f"{self.kind}.{self.group}" if self.group else self.kind
        return f"{kind}/{self.namespace}/{self.name}" if self.namespace else f"{kind}/{self.name}"


@dataclass
class Side:
    """What one revision makes ArgoCD apply: objects per app, and what went wrong."""

    label: str  # the revision as given ("main", "HEAD", "working tree")
    commit: str  # its commit id ("" for the working tree)
    objects: dict[str, dict[Key, dict[str, Any]]] = field(default_factory=dict)  # app → objects
    apps: dict[str, dict[str, Any]] = field(default_factory=dict)  # app → its Application
    chart_sources: dict[str, set[Key]] = field(default_factory=dict)  # app → chart-made keys
    failures: dict[str, str] = field(default_factory=dict)  # app → why it did not render
    notes: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # validate's findings, as lines
    error: str = ""  # the whole side could not be read (bad services.toml, bad revision)


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its path, both values (None: absent), and why it is noise."""

    path: str
    old: Any
    new: Any
    noise: str = ""  # "" when it matters; else "chart label", "checksum", "caBundle", ...


@dataclass(frozen=True)
class SecretKey:
    """A key of a Secret's data/stringData: how it changed and its sizes (never its value)."""

    key: str
    status: Literal["added", "removed", "changed"]
    old_size: int | None
    new_size: int | None


@dataclass
class ObjectDiff:
    """One object that differs between the sides."""

    key: Key
    status: ObjectStatus
    changes: list[FieldChange] = field(default_factory=list)
    secret_keys: list[SecretKey] = field(default_factory=list)
    moved_from: str = ""
    # the two versions as shown (Secret values masked), for the unified diff, made on demand
    before: dict[str, Any] | None = field(default=None, repr=False)
    after: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def unified(self) -> str:
        """The unified YAML diff of the object (keys sorted; Secret values masked)."""
        from homegen.diff.yamldiff import unified

        return unified(self.before, self.after, self.key.label())

    @property
    def noise_only(self) -> bool:
        """Changed, and every change is noise."""
        return (
            self.status == "changed" and not self.secret_keys and all(c.noise for c in self.changes)
        )

    @property
    def paths(self) -> list[str]:
        """The paths that matter (noise left out)."""
        return [c.path for c in self.changes if not c.noise]


@dataclass
class AppDiff:
    """One app that differs: its status and its objects that differ."""

    name: str
    status: AppStatus
    objects: list[ObjectDiff] = field(default_factory=list)
    renamed_from: str = ""
    failure: str = ""  # why a side of it could not be rendered


@dataclass(frozen=True)
class ImageChange:
    """A container whose image changes."""

    app: str
    container: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Risk:
    """A change a reviewer must not miss."""

    app: str
    key: Key
    reason: str


@dataclass
class DiffResult:
    """Everything the outputs show."""

    base: str
    head: str
    apps: list[AppDiff] = field(default_factory=list)
    images: list[ImageChange] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    review: Review = "routine"
    review_reasons: list[str] = field(default_factory=list)
    findings_new: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # a side or an app that did not render

    @property
    def changed(self) -> bool:
        """Whether anything differs that is not noise."""
        return any(
            app.status != "changed" or any(not o.noise_only for o in app.objects)
            for app in self.apps
        )
