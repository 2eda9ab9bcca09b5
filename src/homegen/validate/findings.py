"""Findings, the rule registry and the report: the values every validation stage produces.

A bad resource becomes a ``Finding``, never an exception; the exit code is derived from the
worst unsuppressed finding in one place (``Report.exit_code``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]  # info: a note, e.g. what was not checked
Level = Literal["", "baseline", "restricted"]


@dataclass(frozen=True)
class Rule:
    """A check with a stable id (``HG301``), a slug, a severity and a one-line fix."""

    id: str
    name: str
    severity: Severity
    fix: str
    why: str
    # Pod Security level the rule belongs to ("" when it is not a Pod Security rule); a
    # namespace that enforces a lower level (with a reason) exempts its workloads.
    pss_level: Level = ""


@dataclass(frozen=True)
class Finding:
    """One problem at ``file:line`` in one object."""

    rule: str
    severity: Severity
    file: str
    line: int
    object: str  # "Kind/namespace/name" (namespace empty for cluster-scoped objects)
    message: str
    fix: str
    suppressed_reason: str | None = None
    path: str = ""  # JSON path inside the object, e.g. /spec/template/spec/containers/0
    # (kind, namespace, name) apart: ``object`` is ambiguous once a name holds a "/"
    subject: tuple[str, str, str] = ("", "", "")

    def sort_key(self) -> tuple[str, int, str, str, str]:
        """Report order: by file, line, rule, then message."""
        return (self.file, self.line, self.rule, self.object, self.message)

    @property
    def failing(self) -> bool:
        """Whether this finding fails the run (an unsuppressed error)."""
        return self.severity == "error" and self.suppressed_reason is None


RULES: dict[str, Rule] = {}
RULE_NAMES: dict[str, str] = {}  # slug → id


def register(
    rule_id: str, name: str, severity: Severity, fix: str, why: str, pss_level: Level = ""
) -> Rule:
    """Add a rule to the registry (ids and slugs are unique) and return it."""
    if rule_id in RULES or name in RULE_NAMES:
        raise ValueError(f"rule {rule_id} ({name}) registered twice")
    rule = Rule(rule_id, name, severity, fix, " ".join(why.split()), pss_level)
    RULES[rule_id] = rule
    RULE_NAMES[name] = rule_id
    return rule


@dataclass(frozen=True, slots=True)
class Located:
    """Where an object is: its file, line and ``Kind/namespace/name``."""

    file: str
    line: int
    object: str
    subject: tuple[str, str, str] = ("", "", "")  # (kind, namespace, name)


def finding(
    rule: Rule, where: Located, message: str, *, path: str = "", fix: str | None = None
) -> Finding:
    """Build a finding of ``rule`` at ``where``."""
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        file=where.file,
        line=where.line,
        object=where.object,
        subject=where.subject,
        message=message,
        fix=rule.fix if fix is None else fix,
        path=path,
    )


def suppress(item: Finding, reason: str) -> Finding:
    """The same finding, marked as suppressed with ``reason``."""
    return replace(item, suppressed_reason=reason)


def _apps(names: str) -> str:
    return f"apps {names} were" if ", " in names else f"app {names} was"


def not_verified(item: Finding, app: str) -> Finding:
    """The finding as a note: what it says depends on a source that was not expanded, so it
    is unknown, not wrong."""
    return replace(
        item,
        severity="info",
        message=f"not verified: {_apps(app)} not expanded: {item.message}",
        fix="make the source expandable (--charts, `homegen charts pull`), then validate again",
    )


@dataclass(frozen=True)
class AppRow:
    """One Application the tree makes ArgoCD create (``homegen validate --list-apps``)."""

    name: str
    source: str  # repoURL path, or chart@version (the first source)
    destination: str  # the destination namespace
    file: str
    line: int
    generated_by: str = ""  # the ApplicationSet, with the generator's origin


@dataclass(frozen=True)
class Coverage:
    """How much of what ArgoCD applies a run checked: never "0 errors" over nothing."""

    applications: int  # the Applications ArgoCD creates (the root reaches)
    not_expanded: tuple[tuple[str, str], ...]  # (app, why) of those with a source not expanded
    objects: int  # objects checked
    # why roots a bootstrap chart of the tree makes are not known ("root chart X: ...")
    roots_unknown: tuple[str, ...] = ()

    def text(self) -> str:
        """``coverage: N of M Applications expanded, K objects checked; not expanded: ...``."""
        unknown = "; ".join(self.roots_unknown)
        if not self.applications:
            where = f"no root known ({unknown})" if unknown else "no Application in the tree"
            return (
                f"coverage: {where}, {self.objects} objects checked one by "
                "one (none known to be synced by ArgoCD)"
            )
        done = self.applications - len(self.not_expanded)
        text = (
            f"coverage: {done} of {self.applications} Applications expanded, "
            f"{self.objects} objects checked"
        )
        if self.not_expanded:
            shown = [f"{app} ({why})" for app, why in self.not_expanded[:5]]
            more = len(self.not_expanded) - len(shown)
            text += "; not expanded: " + ", ".join(shown) + (f" and {more} more" if more else "")
        return text + (f"; {unknown}" if unknown else "")


@dataclass
class Report:
    """Everything one validation run found, with the counts the summary line shows."""

    findings: list[Finding] = field(default_factory=list)
    resources: int = 0
    files: int = 0
    skipped: int = 0
    not_object_files: int = 0  # files with no Kubernetes object (Kustomize, charts, configs)
    # every object checked, as (file, line, "Kind/ns/name", apiVersion, (kind, ns, name)), in
    # file order; the json and junit outputs list resources, not only findings
    objects: list[tuple[str, int, str, str, tuple[str, str, str]]] = field(default_factory=list)
    applications: list[AppRow] = field(default_factory=list)
    # a folder validated inside its repository: the folder, and the findings outside it
    # (read to resolve references, not reported)
    scope: str = ""
    outside: int = 0
    coverage: Coverage | None = None  # how much of what ArgoCD applies was checked

    @property
    def invalid(self) -> int:
        """Resources with at least one failing finding."""
        bad = {(f.file, f.object) for f in self.findings if f.failing}
        return sum(1 for file, _line, obj, *_ in self.objects if (file, obj) in bad)

    @property
    def valid(self) -> int:
        """Resources with no failing finding."""
        return self.resources - self.invalid

    @property
    def errors(self) -> int:
        """Failing findings (unsuppressed errors)."""
        return sum(1 for f in self.findings if f.failing)

    @property
    def warnings(self) -> int:
        """Unsuppressed warnings."""
        return sum(
            1 for f in self.findings if f.severity == "warning" and f.suppressed_reason is None
        )

    @property
    def notes(self) -> int:
        """Info findings: what was not checked, and why."""
        return sum(1 for f in self.findings if f.severity == "info")

    @property
    def suppressed(self) -> int:
        """Findings suppressed by an exception with a reason."""
        return sum(1 for f in self.findings if f.suppressed_reason is not None)

    @property
    def exit_code(self) -> int:
        """0 when clean (warnings and suppressed findings allowed), 1 on any failing finding."""
        return 1 if any(f.failing for f in self.findings) else 0

    def summary(self) -> str:
        """``N resources in M files: X valid, Y invalid, Z errors, W warnings``."""
        text = (
            f"{self.resources} resources in {self.files} files: {self.valid} valid, "
            f"{self.invalid} invalid, {self.errors} errors, {self.warnings} warnings"
        )
        if self.suppressed:
            text += f", {self.suppressed} suppressed"
        if self.not_object_files:
            text += f", {self.not_object_files} files skipped (not Kubernetes objects)"
        if self.notes:
            text += f", {self.notes} not checked"
        if self.outside:
            text += f"; note: {self.outside} findings outside {self.scope}/ not shown"
        if self.coverage is not None:
            text += f"; {self.coverage.text()}"
        return text


Check = Callable[..., Iterator[Finding]]


def json_path(parts: list[Any] | tuple[Any, ...]) -> str:
    """A JSON pointer-like path (``/spec/containers/0``) from path elements."""
    return "/" + "/".join(str(p) for p in parts) if parts else "/"
