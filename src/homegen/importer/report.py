"""The import report: one line per thing imported, inferred, changed or left out."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

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

    def as_json(self, summary: dict[str, object] | None = None) -> str:
        """The report as JSON: counts, every line, and ``summary`` (the share reproduced)."""
        data: dict[str, object] = {
            "counts": self.counts(),
            "lines": [asdict(x) for x in self.lines],
        }
        if summary is not None:
            data["reproduced"] = summary
        return json.dumps(data, indent=2)
