"""Semantic versions and the constraints ArgoCD accepts as a chart's ``targetRevision``.

ArgoCD (like Helm) reads ``targetRevision: 1.2.*`` or ``^1.2`` with Masterminds' semver and
syncs the newest chart version that satisfies it. Supported here: comparisons (``=``, ``!=``,
``>``, ``>=``, ``<``, ``<=``), ``~``/``~>`` (patch updates), ``^`` (no new major; below 1.0 no
new minor), wildcards (``1.2.x``, ``1.*``, ``*``), hyphen ranges (``1.2 - 1.4.5``), ``,`` or
space for "and", ``||`` for "or". Pre-releases only match a constraint that names one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

_VERSION = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)(?:\.(?P<minor>\d+))?(?:\.(?P<patch>\d+))?"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)
_PARTIAL = re.compile(
    r"^v?(?P<major>\d+|[xX*])(?:\.(?P<minor>\d+|[xX*]))?(?:\.(?P<patch>\d+|[xX*]))?"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)
_RANGE_CHARS = re.compile(r"[*^~<>=!|, ]|(^|\.)[xX](\.|$)")


class Version(NamedTuple):
    """A parsed version; ordering follows semver (a pre-release sorts before its release)."""

    major: int
    minor: int
    patch: int
    pre: tuple[tuple[int, int | str], ...]  # () for a release

    @property
    def is_pre(self) -> bool:
        """Whether it is a pre-release."""
        return bool(self.pre)

    def key(self) -> tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]:
        """Sort key: releases after their pre-releases."""
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, self.pre)


def parse_version(text: str) -> Version | None:
    """``1.2.3``, ``v1.2``, ``1.2.3-rc.1+build`` → ``Version``; anything else ``None``."""
    match = _VERSION.match(text.strip())
    if match is None:
        return None
    pre = tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in (match["pre"] or "").split(".")
        if part
    )
    return Version(int(match["major"]), int(match["minor"] or 0), int(match["patch"] or 0), pre)


def is_range(text: str) -> bool:
    """Whether ``text`` is a constraint rather than one exact version."""
    return bool(_RANGE_CHARS.search(text.strip()))


@dataclass(frozen=True)
class _Bound:
    op: str  # one of = != > >= < <=
    version: Version

    def allows(self, v: Version) -> bool:
        key, mine = v.key(), self.version.key()
        return {
            "=": key == mine, "!=": key != mine, ">": key > mine,
            ">=": key >= mine, "<": key < mine, "<=": key <= mine,
        }[self.op]  # fmt: skip


class ConstraintError(ValueError):
    """A ``targetRevision`` that is neither a version nor a constraint homegen can read."""


@dataclass(frozen=True)
class Constraint:
    """Alternatives (``||``) of conjunctions of bounds."""

    text: str
    alternatives: tuple[tuple[_Bound, ...], ...]
    allows_pre: bool

    def allows(self, version: Version) -> bool:
        """Whether ``version`` satisfies the constraint."""
        if version.is_pre and not self.allows_pre:
            return False
        return any(all(b.allows(version) for b in group) for group in self.alternatives)

    def best(self, versions: list[str]) -> str | None:
        """The newest of ``versions`` that satisfies the constraint (as written there)."""
        parsed = [(v, parse_version(v)) for v in versions]
        fits = [(p.key(), v) for v, p in parsed if p is not None and self.allows(p)]
        return max(fits)[1] if fits else None


def parse_constraint(text: str) -> Constraint:
    """Parse a constraint; ``ConstraintError`` names what could not be read."""
    groups: list[tuple[_Bound, ...]] = []
    for alternative in text.split("||"):
        spaced = re.sub(r"\s*-\s+|\s+-\s*", " - ", alternative.replace(",", " "))
        hyphen = re.fullmatch(r"\s*(\S+) - (\S+)\s*", spaced)
        if hyphen:
            bounds = [*_expand(">=", hyphen[1], text), *_expand("<=", hyphen[2], text)]
        else:
            bounds = [b for op, ver in _terms(spaced, text) for b in _expand(op or "=", ver, text)]
        groups.append(tuple(bounds))
    return Constraint(text, tuple(groups), "-" in re.sub(r"\s-\s", " ", text))


_TERM = re.compile(r"\s*(!=|>=|<=|~>|[=<>~^]?)\s*([^\s<>=!~^|]+)\s*")


def _terms(alternative: str, whole: str) -> list[tuple[str, str]]:
    """``>=1.2 <2`` → ``[(">=", "1.2"), ("<", "2")]``; every character must belong to a term."""
    terms: list[tuple[str, str]] = []
    position = 0
    while position < len(alternative):
        match = _TERM.match(alternative, position)
        if match is None or match.end() == position:
            raise ConstraintError(f"{whole!r}: cannot read {alternative[position:].strip()!r}")
        terms.append((match[1], match[2]))
        position = match.end()
    if not terms:
        raise ConstraintError(f"{whole!r}: an empty alternative")
    return terms


def _expand(op: str, text: str, whole: str) -> list[_Bound]:
    """One term (``^1.2``, ``>=1.x``, ``1.2.*``) as plain bounds."""
    match = _PARTIAL.match(text)
    if match is None:
        raise ConstraintError(f"{whole!r}: {text!r} is not a version")
    parts = [match["major"], match["minor"], match["patch"]]
    known = [int(p) for p in _leading_numbers(parts)]
    pre = parse_version(text.lstrip("=v")) if len(known) == 3 and match["pre"] else None
    low = pre or _release(known)
    if not known:
        return (
            [_Bound(">=", Version(0, 0, 0, ()))]
            if op not in ("<", "!=")
            else [_Bound("<", Version(0, 0, 0, ()))]
        )
    if op in ("~", "~>"):
        return [_Bound(">=", low), _Bound("<", _bump(known[:2] if len(known) > 1 else known))]
    if op == "^":
        first = next((i for i, n in enumerate(known) if n != 0), len(known) - 1)
        return [_Bound(">=", low), _Bound("<", _bump(known[: first + 1]))]
    if len(known) == 3:
        return [_Bound(op, low)]
    upper = _bump(known)  # a partial version: a range of its own
    return {
        "=": [_Bound(">=", low), _Bound("<", upper)],
        "!=": [],  # "not 1.2.x" as "anything": rare, and a stricter reading would surprise
        ">": [_Bound(">=", upper)],
        ">=": [_Bound(">=", low)],
        "<": [_Bound("<", low)],
        "<=": [_Bound("<", upper)],
    }[op]


def _leading_numbers(parts: list[str | None]) -> list[str]:
    numbers: list[str] = []
    for part in parts:
        if part is None or not part.isdigit():
            break
        numbers.append(part)
    return numbers


def _bump(known: list[int]) -> Version:
    """The first version after every version starting with ``known``."""
    return _release([*known[:-1], known[-1] + 1])


def _release(numbers: list[int]) -> Version:
    """``[1, 2]`` → 1.2.0."""
    padded = [*numbers, 0, 0, 0]
    return Version(padded[0], padded[1], padded[2], ())
