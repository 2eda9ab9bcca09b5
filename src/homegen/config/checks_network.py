"""Checks of NetworkPolicy and image policy keys: allow_from, egress, [policy].

Registered with ``checks.check`` on import (the loader imports this module).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from homegen.config.checks import Problem, check, units
from homegen.config.models import App, Config

# namespaces whose every pod a default deny would cut, though homegen knows few of them
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


def is_cidr(entry: str) -> bool:
    """Whether an egress entry is meant as an address block (it has a '/' or is an address)."""
    return "/" in entry or entry.replace(".", "").isdigit() or ":" in entry.removeprefix("app:")


@check
def _peers(config: Config) -> Iterator[Problem]:
    """allow_from and egress name services and apps that exist, each once."""
    for name, (table, unit) in sorted(units(config).items()):
        for key, entries in (("allow_from", unit.allow_from), ("egress", unit.egress)):
            seen: set[str] = set()
            for i, entry in enumerate(entries):
                path = (table, name, key, i)
                if entry in seen:
                    yield path, f"{entry!r} is listed twice"
                seen.add(entry)
                if key == "egress" and is_cidr(entry):
                    yield from _cidr(path, entry)
                else:
                    yield from _peer(config, path, entry)


def _cidr(path: tuple[str | int, ...], entry: str) -> Iterator[Problem]:
    try:
        ipaddress.ip_network(entry, strict=True)
    except ValueError:
        yield path, f"{entry!r} is not a CIDR: write the network address, e.g. 10.0.20.0/24"


def _peer(config: Config, path: tuple[str | int, ...], entry: str) -> Iterator[Problem]:
    if entry.startswith("app:"):
        app = entry.removeprefix("app:")
        if app not in config.apps:
            yield path, f"{app!r} is not an app: write app:NAME of an [apps.NAME] table"
    elif entry not in config.services:
        hint = f"; for the app write 'app:{entry}'" if entry in config.apps else ""
        yield path, f"{entry!r} is not a service{hint}"


@check
def _policy_keys_used(config: Config) -> Iterator[Problem]:
    """Keys that would do nothing are errors, not silently ignored."""
    for name, (table, unit) in sorted(units(config).items()):
        for key in ("allow_from", "egress"):
            if not getattr(unit, key):
                continue
            if not config.policy.network_policies:
                yield (table, name, key), "has no effect: [policy] network_policies is false"
            elif isinstance(unit, App) and unit.network_policy != "default-deny":
                yield (
                    (table, name, key),
                    'has no effect on a chart app without network_policy = "default-deny"',
                )


@check
def _digests(config: Config) -> Iterator[Problem]:
    """[policy] require_digest: every generated image is pinned by digest."""
    if not config.policy.require_digest:
        return
    for name, svc in sorted(config.services.items()):
        if "@sha256:" not in svc.image:
            yield (
                ("services", name, "image"),
                f"{svc.image!r} has no digest and [policy] require_digest is true: pin it "
                "as image:tag@sha256:... (Renovate's pinDigests keeps it current)",
            )


@check
def _default_deny_alone(config: Config) -> Iterator[Problem]:
    """A chart app's default deny selects every pod of its namespace: it must not share it
    with an app that has no policies (or a system namespace), whose traffic it would cut."""
    if not config.policy.network_policies:
        return
    for name, app in sorted(config.apps.items()):
        if app.network_policy != "default-deny":
            continue
        namespace = app.namespace or name
        others = sorted(
            other
            for other, spec in config.apps.items()
            if other != name
            and (spec.namespace or other) == namespace
            and spec.network_policy != "default-deny"
        )
        if namespace in SYSTEM_NAMESPACES or namespace == config.argocd.namespace:
            yield (
                ("apps", name, "network_policy"),
                f"namespace {namespace} holds pods homegen does not know, which its default "
                "deny would cut: give the app a namespace of its own",
            )
        elif others:
            yield (
                ("apps", name, "network_policy"),
                f"its default deny would cut the traffic of {', '.join(others)} in namespace "
                f"{namespace}: give the app a namespace of its own",
            )
