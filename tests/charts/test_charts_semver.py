"""Version constraints as ArgoCD reads a chart's targetRevision (Masterminds semver) (issue 14)."""

from __future__ import annotations

import pytest

from homegen.charts.semver import ConstraintError, is_range, parse_constraint, parse_version

VERSIONS = [
    "0.0.3", "0.0.4", "0.2.3", "0.2.9", "0.3.0", "1.0.0", "1.2.0", "1.2.3", "1.2.9", "1.3.0",
    "1.4.5", "1.4.6", "2.0.0-rc.1", "2.0.0", "v2.1.0", "not-a-version",
]  # fmt: skip


@pytest.mark.parametrize(
    ("constraint", "matching"),
    [
        ("1.2.*", ["1.2.0", "1.2.3", "1.2.9"]),
        ("1.2.x", ["1.2.0", "1.2.3", "1.2.9"]),
        ("^1.2", ["1.2.0", "1.2.3", "1.2.9", "1.3.0", "1.4.5", "1.4.6"]),
        ("^0.2.3", ["0.2.3", "0.2.9"]),
        ("^0.0.3", ["0.0.3"]),
        ("^0.0", ["0.0.3", "0.0.4"]),
        ("~1.2.3", ["1.2.3", "1.2.9"]),
        ("~> 1.2", ["1.2.0", "1.2.3", "1.2.9"]),
        ("~1", ["1.0.0", "1.2.0", "1.2.3", "1.2.9", "1.3.0", "1.4.5", "1.4.6"]),
        (">=1.2.3 <1.3", ["1.2.3", "1.2.9"]),
        (">=1.2.3, <1.3", ["1.2.3", "1.2.9"]),
        ("1.2 - 1.4.5", ["1.2.0", "1.2.3", "1.2.9", "1.3.0", "1.4.5"]),
        (">1.4", ["2.0.0", "v2.1.0"]),
        ("<=0.2", ["0.0.3", "0.0.4", "0.2.3", "0.2.9"]),
        ("0.0.x || >=2.1", ["0.0.3", "0.0.4", "v2.1.0"]),
        ("!=1.2.9, 1.2.x", ["1.2.0", "1.2.3"]),
        ("=1.2.3", ["1.2.3"]),
        ("v1.2.3", ["1.2.3"]),
        (">=2.0.0-rc.0 <2.0.1", ["2.0.0-rc.1", "2.0.0"]),  # names a pre-release: they count
        ("*", [v for v in VERSIONS if (v[0].isdigit() and "-" not in v) or v == "v2.1.0"]),
    ],
)
def test_constraints_match_as_masterminds_semver_does(constraint: str, matching: list[str]) -> None:
    parsed = parse_constraint(constraint)
    allowed = [v for v in VERSIONS if (p := parse_version(v)) is not None and parsed.allows(p)]
    assert allowed == matching
    assert parsed.best(VERSIONS) == max(matching, key=lambda v: parse_version(v).key())


def test_ordering_puts_a_pre_release_before_its_release() -> None:
    order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0", "1.0.1"]
    parsed = [parse_version(v) for v in order]
    assert sorted(parsed, key=lambda v: v.key()) == parsed


@pytest.mark.parametrize("text", [">>1", "1.2 ||", "abc", ">= 1.2.3.4", "^"])
def test_unreadable_constraints_raise(text: str) -> None:
    with pytest.raises(ConstraintError):
        parse_constraint(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.2.3", False), ("v1.2.3", False), ("1.2.3-rc.1+build.5", False), ("1.2.*", True),
     ("^1", True), ("1.x", True), (">=1 <2", True), ("*", True), ("1.2 - 1.3", True)],
)  # fmt: skip
def test_is_range(text: str, expected: bool) -> None:
    assert is_range(text) is expected
