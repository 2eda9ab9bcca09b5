"""What an import gives back: a floor below the importer's core, which starts an import, and
its last step (finish), which makes the result; neither imports the other for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homegen.importer.compare import Comparison
from homegen.importer.location import Location
from homegen.importer.report import Report


@dataclass
class ImportResult:
    """services.toml text, the data it holds, the report and the in-memory comparison."""

    text: str
    data: dict[str, Any]
    report: Report
    location: Location
    comparison: Comparison | None = None
