"""The rule registry is what docs/rules.md promises: each rule's id, name, severity, Pod
Security level, fix and reason, word for word (a rule registered with a wrong severity or
level would fail or pass runs the documentation says otherwise)."""

from __future__ import annotations

import re

import pytest
from validate_trees import REPO

import homegen.validate.run  # noqa: F401  (imports every rule module: fills the registry)
from homegen.validate.findings import RULE_NAMES, RULES


def _documented() -> dict[str, list[str]]:
    """Rows of the rules table of docs/rules.md: id → [id, name, severity, pss, fix, why]."""
    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    rows = [line.strip()[2:-2].split(" | ") for line in text.splitlines()]
    return {row[0]: row for row in rows if re.fullmatch(r"HG\d{3}", row[0])}


DOCUMENTED = _documented()


def test_every_registered_rule_is_documented_and_nothing_else() -> None:
    assert sorted(RULES) == sorted(DOCUMENTED)


@pytest.mark.parametrize("rule_id", sorted(DOCUMENTED))
def test_registered_rule_matches_its_documentation(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert [rule.id, rule.name, rule.severity, rule.pss_level, rule.fix, rule.why] == (
        DOCUMENTED[rule_id]
    )
    assert RULE_NAMES[rule.name] == rule_id


@pytest.mark.parametrize(
    ("rule_id", "severity", "level"),
    [
        ("HG301", "error", "restricted"),
        ("HG302", "error", "restricted"),
        ("HG303", "error", "restricted"),
        ("HG304", "error", "restricted"),
        ("HG305", "error", "restricted"),
        ("HG306", "error", "baseline"),
        ("HG307", "error", "baseline"),
        ("HG308", "error", "baseline"),
        ("HG309", "error", ""),
        ("HG310", "error", ""),
        ("HG311", "error", ""),
        ("HG312", "error", ""),
        ("HG318", "warning", ""),
        ("HG320", "error", ""),
        ("HG321", "error", ""),
        ("HG253", "error", ""),
    ],
)
def test_pod_rules_severity_and_level(rule_id: str, severity: str, level: str) -> None:
    """The Pod Security levels of docs/rules.md's PSS column, which exemptions rely on."""
    assert (RULES[rule_id].severity, RULES[rule_id].pss_level) == (severity, level)
