"""Integrity of CRDs across apps: one owner per CRD, and CRDs installed before their objects."""

from __future__ import annotations

from collections.abc import Iterator

from homegen.crds import CrdKind, source_uses
from homegen.validate.findings import Finding, finding, register
from homegen.validate.rules.app_facts import AppFacts

CRD_TWO_OWNERS = register(
    "HG250", "crd-two-owners", "error",
    "let one app install the CRD: skipCrds on the chart source (helm.skipCrds: true) or drop "
    "it from the other app",
    """Two Applications that both apply a CRD fight over it: one is always OutOfSync and
    self-heal flips it back and forth (argoproj/argo-cd#18166); deleting either app deletes
    the CRD and with it every object of that kind in the cluster.""",
)  # fmt: skip
CRD_INSTALLED_LATER = register(
    "HG251", "crd-installed-later", "error",
    "give the app a sync-wave greater than the wave of the app that installs the CRD "
    "(in services.toml: after = [that app], or let homegen derive it)",
    """ArgoCD applies an object whose kind is not served yet as a failed sync: the first
    sync of an app in the same or an earlier wave than the app installing the CRD fails
    and leans on retries, and with automated sync the order of waves is all there is.""",
)  # fmt: skip


def _installers(apps: list[AppFacts]) -> dict[CrdKind, list[AppFacts]]:
    """Each CRD kind, with the apps that install it (their objects or their sources)."""
    installers: dict[CrdKind, list[AppFacts]] = {}
    for facts in apps:
        for crd in facts.installs:
            installers.setdefault(crd, []).append(facts)
    return installers


def check_crd_owners(apps: list[AppFacts]) -> Iterator[Finding]:
    """HG250: a CRD installed by two apps (their objects or what their sources ship)."""
    for (group, kind), owners in sorted(_installers(apps).items()):
        if len(owners) < 2:
            continue
        names = ", ".join(f"{a.app.name} ({a.installs[(group, kind)]})" for a in owners)
        for facts in owners:
            yield finding(
                CRD_TWO_OWNERS, facts.app.where,
                f"the CRD of {kind} ({group}) is installed by {len(owners)} apps: {names}",
            )  # fmt: skip


def check_crd_order(facts: list[AppFacts]) -> Iterator[Finding]:
    """HG251: an object whose kind's CRD another app installs in the same or a later wave."""
    installers = _installers(facts)
    for item in facts:
        reported: set[tuple[CrdKind, str]] = set()
        for crd, obj in item.uses():
            if crd in item.installs:
                continue  # one app: ArgoCD applies CRDs before the objects that use them
            for installer in installers.get(crd, ()):
                key = (crd, installer.app.name)
                if installer.wave < item.wave or key in reported:
                    continue
                reported.add(key)
                where = obj.where if obj is not None else item.app.where
                what = f"{crd[1]} ({crd[0]})"
                by = "" if obj is not None else f" (created by chart {_chart_of(item, crd)})"
                yield finding(
                    CRD_INSTALLED_LATER, where,
                    f"{what}{by} is synced by {item.app.name} in wave {item.wave}, but its CRD "
                    f"comes from {installer.app.name} in wave {installer.wave}",
                )  # fmt: skip


def _chart_of(item: AppFacts, crd: CrdKind) -> str:
    return next((c for c, _ in item.charts if crd in source_uses(c)), "?")
