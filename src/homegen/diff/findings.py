"""validate's findings on one side, as lines that do not move when a file does: the diff
lists those HEAD has and BASE has not."""

from __future__ import annotations

import copy
from typing import Any

from homegen.validate.reader.documents import Document


def side_findings(docs: list[Document], settings: Any, expansion: Any) -> list[str]:
    """``severity rule Kind/namespace/name: message`` of every unsuppressed finding."""
    from homegen.validate.run import ValidateOptions, validate_documents

    options = ValidateOptions(
        kubernetes_version=settings.kubernetes_version,
        # offline, as a render checks: a kind without a schema is skipped, not an error
        ignore_missing_schemas=True,
        repo_root_in_git=settings.repo_prefix,
        expansion=expansion,
    )
    # validation reads the objects the diff compares: it gets copies
    report = validate_documents(copy.deepcopy(docs), options=options)
    return sorted(
        {
            f"{f.severity} {f.rule} {f.object}: {f.message}"
            for f in report.findings
            if f.suppressed_reason is None
        }
    )


def new_findings(base: list[str], head: list[str]) -> list[str]:
    """The findings of HEAD that BASE does not have."""
    known = set(base)
    return [line for line in head if line not in known]
