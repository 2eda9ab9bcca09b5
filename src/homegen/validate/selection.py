"""Which rules and kinds a run reports, as ruff and kubeconform choose them: ``select`` and
``ignore`` by rule id or prefix (the more specific entry wins), ``skip`` and ``reject`` by kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from homegen.validate.findings import Finding, Located, finding, register

KIND_REJECTED = register(
    "HG108", "kind-rejected", "error",
    "remove the object, or drop its kind from --reject / [validate] reject",
    """A kind the tree must not contain (e.g. a Secret where secrets come from an operator):
    kubeconform's -reject, as a rule.""",
)  # fmt: skip


@dataclass(frozen=True)
class Selection:
    """Rule and kind choices of one run; the default reports every rule of every kind."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    skip: frozenset[str] = frozenset()
    reject: frozenset[str] = frozenset()

    def keeps(self, rule_id: str) -> bool:
        """Whether findings of ``rule_id`` are reported."""
        selected = max((len(s) for s in self.select if rule_id.startswith(s)), default=-1)
        if not self.select:
            selected = 0
        ignored = max((len(s) for s in self.ignore if rule_id.startswith(s)), default=-1)
        return selected >= 0 and selected > ignored

    @property
    def everything(self) -> bool:
        """Whether nothing is left out (the fast path)."""
        return not (self.select or self.ignore or self.skip)


def kind_of(item: Finding) -> str:
    """The kind of the object a finding is about ("" for a file-level finding)."""
    return item.object.split("/", 1)[0] if item.object else ""


def selected(findings: Iterable[Finding], selection: Selection) -> Iterator[Finding]:
    """The findings the selection reports."""
    for item in findings:
        if selection.keeps(item.rule) and kind_of(item) not in selection.skip:
            yield item


def rejected(kind: str, where: Located) -> Finding:
    """The finding for one object of a rejected kind."""
    return finding(KIND_REJECTED, where, f"kind {kind} is rejected")
