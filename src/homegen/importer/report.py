"""The import report: one line per thing imported, inferred, changed or left out."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

# how an external-backends mark starts its report line (importer/exceptions.py)
EXTERNAL_MARK = 'homegen.dev/external-backends: "true"'

Kind = Literal[
    "imported", "inferred", "not-expressed", "not-reproduced", "secret", "skipped", "warning"
]


@dataclass(frozen=True)
class Line:
    """One fact about the import: what (``subject``, e.g. ``Application/traefik``), where it
    came from (``file``, ``line``), what became of it (``kind``) and why (``message``)."""

    kind: Kind
    subject: str
    message: str
    file: str = ""
    line: int = 0

    def text(self) -> str:
        """The line as shown on stderr."""
        where = f"{self.file}:{self.line}: " if self.file else ""
        return f"{self.kind}: {where}{self.subject}: {self.message}"


@dataclass
class Report:
    """Every line of one import, in the order they were found."""

    lines: list[Line] = field(default_factory=list)

    def add(self, kind: Kind, subject: str, message: str, file: str = "", line: int = 0) -> None:
        """Record one line."""
        self.lines.append(Line(kind, subject, message, file, line))

    def of_kind(self, kind: Kind) -> list[Line]:
        """The lines of one kind."""
        return [x for x in self.lines if x.kind == kind]

    def counts(self) -> dict[str, int]:
        """How many lines of each kind."""
        found: dict[str, int] = {}
        for x in self.lines:
            found[x.kind] = found.get(x.kind, 0) + 1
        return dict(sorted(found.items()))

    def as_json(self, summary: dict[str, object] | None = None, out: str = "") -> str:
        """The report as JSON: counts, every line, ``summary`` (the share reproduced) and
        ``decide`` (what a person reviews before the first commit)."""
        data: dict[str, object] = {
            "counts": self.counts(),
            "lines": [asdict(x) for x in self.lines],
        }
        if summary is not None:
            data["reproduced"] = summary
        data["decide"] = self.decisions(out)
        return json.dumps(data, indent=2)

    def exceptions_by_rule(self) -> dict[str, list[str]]:
        """Rule id → the apps an ``imported:`` exception (or external-backends mark) was added
        to, for that rule."""
        found: dict[str, list[str]] = {}
        for x in self.of_kind("inferred"):
            parts = x.subject.split(".")
            if len(parts) == 4 and parts[0] == "apps" and parts[2] == "policy_exceptions":
                found.setdefault(parts[3], []).append(parts[1])
            elif parts[0] == "apps" and ".annotations.policy.homegen.dev/" in x.subject:
                found.setdefault(x.subject.rsplit("/", 1)[1], []).append(parts[1])
            elif x.message.startswith(EXTERNAL_MARK):
                found.setdefault(x.message.split("imported: ", 1)[1].split(" ", 1)[0], []).append(
                    x.subject
                )
        return {rule: sorted(set(apps)) for rule, apps in sorted(found.items())}

    def decisions(self, out: str) -> dict[str, object]:
        """What the end of the report asks a person to decide: the share reproduced, the
        exceptions added by rule, each field services.toml could not express, what to run."""
        share = next(
            (x.message for x in reversed(self.of_kind("imported")) if x.subject == "tree"), ""
        )
        config = out or "services.toml"
        return {
            "reproduced": share,
            "exceptions": self.exceptions_by_rule(),
            "not_expressed": [
                {"subject": x.subject, "field": x.message, "file": x.file, "line": x.line}
                for x in self.of_kind("not-expressed")
            ],
            "next": [
                f"review {config}: each `imported:` exception is debt `homegen validate` shows",
                f"homegen render --config {config} --check   # then without --check to write",
                "homegen diff   # what the new tree changes in what ArgoCD applies",
            ],
        }

    def decision_text(self, out: str) -> list[str]:
        """The decisions as the closing lines of the text report."""
        found = self.decisions(out)
        lines = [f"decide: {found['reproduced'] or 'the new services.toml does not load'}"]
        exceptions = found["exceptions"]
        assert isinstance(exceptions, dict)
        for rule, apps in exceptions.items():
            lines.append(f"decide: exception {rule} added for {', '.join(apps)}")
        lost = found["not_expressed"]
        assert isinstance(lost, list)
        for item in lost:
            lines.append(
                f"decide: not expressed, deploys differently: {item['subject']}: {item['field']}"
            )
        nexts = found["next"]
        assert isinstance(nexts, list)
        lines.extend(f"next: {step}" for step in nexts)
        return lines
