"""What homegen knows about which sources install which CRDs, and which kinds charts create.

A small built-in table, pinned to the sources of the reference homelab: the Gateway API
standard install at a revision, and charts known to ship CRDs or to render custom resources.
The planner uses it to order apps (an app syncs after the app installing the CRDs it uses);
``validate`` uses it to see what an Application's chart or Git source brings, without
rendering the chart. Once a chart is expanded, its real ``crds/`` and objects say more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

CrdKind = tuple[str, str]  # (API group, kind)

GATEWAY_GROUP = "gateway.networking.k8s.io"
GATEWAY_REPO = re.compile(r"^(https://)?github\.com/kubernetes-sigs/gateway-api(\.git)?/?$")
_GATEWAY_V1_0 = ("GatewayClass", "Gateway", "HTTPRoute", "ReferenceGrant")
_GATEWAY_V1_1 = (*_GATEWAY_V1_0, "GRPCRoute")

METALLB = tuple(
    ("metallb.io", kind)
    for kind in (
        "BFDProfile", "BGPAdvertisement", "BGPPeer", "Community", "IPAddressPool",
        "L2Advertisement", "ServiceL2Status",
    )
)  # fmt: skip
ARC = tuple(
    ("actions.github.com", kind)
    for kind in (
        "AutoscalingListener", "AutoscalingRunnerSet", "EphemeralRunner", "EphemeralRunnerSet"
    )
)  # fmt: skip
TRAEFIK = tuple(
    ("traefik.io", kind)
    for kind in (
        "IngressRoute", "IngressRouteTCP", "IngressRouteUDP", "Middleware", "MiddlewareTCP",
        "ServersTransport", "ServersTransportTCP", "TLSOption", "TLSStore", "TraefikService",
    )
)  # fmt: skip


@dataclass(frozen=True)
class ChartCrds:
    """CRDs a chart installs: from crds/ (skipped by skipCrds) or from its templates (never)."""

    in_crds_folder: tuple[CrdKind, ...] = ()
    in_templates: tuple[CrdKind, ...] = ()
    uses: tuple[CrdKind, ...] = ()  # custom resources its templates create


def gateway_kinds(revision: str) -> tuple[CrdKind, ...]:
    """The standard-channel CRDs of Gateway API at a tag (v1.0.0 and later)."""
    match = re.match(r"^v?1\.(\d+)", revision)
    if not match:
        return ()
    kinds = _GATEWAY_V1_0 if match.group(1) == "0" else _GATEWAY_V1_1
    return tuple((GATEWAY_GROUP, kind) for kind in kinds)


# Checked against the charts at these versions (crds/ folders and templates).
KNOWN_CHARTS: dict[str, ChartCrds] = {
    # MetalLB ships its CRDs as a subchart's templates: skipCrds does not skip them.
    "metallb": ChartCrds(in_templates=METALLB),
    "gha-runner-scale-set-controller": ChartCrds(in_crds_folder=ARC),
    "gha-runner-scale-set": ChartCrds(uses=(("actions.github.com", "AutoscalingRunnerSet"),)),
    # Traefik 33's crds/ holds its own CRDs and the Gateway API v1.2.1 standard install.
    "traefik": ChartCrds(in_crds_folder=(*TRAEFIK, *gateway_kinds("v1.2.1"))),
}


def source_installs(
    repo_url: str, chart: str | None, revision: str, path: str | None, *, skip_crds: bool
) -> tuple[CrdKind, ...]:
    """The CRDs one Application source is known to install (empty when unknown)."""
    if chart:
        known = KNOWN_CHARTS.get(chart)
        if known is None:
            return ()
        return known.in_templates + (() if skip_crds else known.in_crds_folder)
    folder = (path or "").strip("/")
    if GATEWAY_REPO.match(repo_url) and folder == "config/crd/standard":
        return gateway_kinds(revision)
    return ()


def source_uses(chart: str | None) -> tuple[CrdKind, ...]:
    """The custom resources a chart source is known to create."""
    known = KNOWN_CHARTS.get(chart or "")
    return known.uses if known else ()


def kind_of(api_version: str, kind: str) -> CrdKind:
    """(group, kind) of an object's apiVersion and kind."""
    group, _, _ = api_version.rpartition("/")
    return group, kind


def describe(kinds: Iterable[CrdKind]) -> str:
    """Kinds for a message: ``ReferenceGrant, HTTPRoute``, sorted, without groups."""
    return ", ".join(sorted({kind for _, kind in kinds}))
