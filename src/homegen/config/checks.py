"""Checks across the whole Config, after each table passed its model.

Each check yields (key path, message); the loader locates and reports them all together.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from itertools import combinations, pairwise
from typing import Any

from homegen.argocd_options import COMPARE_OPTIONS, KNOWN_SYNC_OPTIONS
from homegen.config.fields import address_range, looks_secret, parse_op_ref, secret_name
from homegen.config.models import App, Config, Route, Service
from homegen.crds import describe
from homegen.plan.crd_order import derive_after
from homegen.plan.waves import find_cycle

Problem = tuple[tuple[str | int, ...], str]
Check = Callable[[Config], Iterator[Problem]]


_CHECKS: list[Check] = []


def check(fn: Check) -> Check:
    """Register a whole-config check."""
    _CHECKS.append(fn)
    return fn


def check_config(config: Config, raw: dict[str, Any]) -> list[Problem]:
    """Every problem of a Config that passed its models."""
    del raw  # positions come from the text; kept for future checks on raw input
    return [problem for fn in _CHECKS for problem in fn(config)]


def units(config: Config) -> dict[str, tuple[str, App | Service]]:
    """Every app and service by name, with its table ('apps' or 'services')."""
    found: dict[str, tuple[str, App | Service]] = {}
    for name, app in config.apps.items():
        found[name] = ("apps", app)
    for name, svc in config.services.items():
        found.setdefault(name, ("services", svc))
    return found


@check
def _names_unique(config: Config) -> Iterator[Problem]:
    for name in sorted(set(config.apps) & set(config.services)):
        yield ("services", name), f"name {name!r} is already used by apps.{name}"
    root = config.argocd.root_app
    if root in config.apps or root in config.services or root == config.argocd.app:
        yield (
            ("argocd", "root_app"),
            f"name {root!r} is taken by an app or service; the root app needs its own",
        )
    if config.argocd.app in config.apps or config.argocd.app in config.services:
        yield (
            ("apps", config.argocd.app),
            f"name {config.argocd.app!r} is taken by ArgoCD's "
            "own app (argocd.app); choose another name",
        )


# Application metadata homegen writes itself: a services.toml value would be overwritten.
_OWN_APP_LABELS = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
)
_OWN_APP_ANNOTATIONS = ("argocd.argoproj.io/sync-wave",)


@check
def _application_metadata(config: Config) -> Iterator[Problem]:
    for name, (table, spec) in sorted(units(config).items()):
        fields = spec.application
        for key in sorted(set(fields.labels) & set(_OWN_APP_LABELS)):
            yield (table, name, "application", "labels", key), "homegen sets this label itself"
        for key in sorted(fields.annotations):
            if key in _OWN_APP_ANNOTATIONS or key.startswith("homegen.dev/"):
                yield (
                    (table, name, "application", "annotations", key),
                    "homegen sets this annotation itself (sync waves come from `after`)",
                )


@check
def _after_exists(config: Config) -> Iterator[Problem]:
    known = set(units(config)) | {config.argocd.app}
    for name, (table, unit) in units(config).items():
        for i, dep in enumerate(unit.after):
            if dep not in known:
                yield (table, name, "after", i), f"{dep!r} is not an app or service"
            elif dep == name:
                yield (table, name, "after", i), "an app cannot come after itself"


@check
def _no_cycles(config: Config) -> Iterator[Problem]:
    table = units(config)
    deps = {name: [d for d in unit.after if d in table] for name, (_, unit) in table.items()}
    cycle = find_cycle(deps)
    if cycle and len(cycle) > 2:
        first = cycle[0]
        yield (table[first][0], first, "after"), "dependency cycle: " + " -> ".join(cycle)
        return
    derived = derive_after(config)
    for name, edges in derived.items():
        deps.setdefault(name, []).extend(edges)
    cycle = find_cycle(deps)
    if cycle and len(cycle) > 2:
        first = cycle[0]
        why = [
            f"{a} uses {describe(derived[a][b])} whose CRDs {b} installs"
            for a, b in pairwise(cycle)
            if b in derived.get(a, {})
        ]
        where = (table[first][0], first, "after") if first in table else ("argocd", "app")
        yield where, "dependency cycle: " + " -> ".join(cycle) + " (" + "; ".join(why) + ")"


@check
def _routes_unique(config: Config) -> Iterator[Problem]:
    claims: dict[tuple[str, str], str] = {}
    for name, table, route in _routes(config):
        for host in route.hosts or [config.cluster.domain]:
            key = (host, route.path.rstrip("/") or "/")
            if key in claims:
                yield (
                    (table, name, "route"),
                    (f"{host}{route.path} is already routed to {claims[key]}"),
                )
            else:
                claims[key] = name


def _routes(config: Config) -> Iterator[tuple[str, str, Route]]:
    argocd = config.argocd
    if argocd.path or argocd.host:
        hosts = [argocd.host] if argocd.host else []
        yield argocd.app, "argocd", Route(path=argocd.path or "/", hosts=hosts)
    for name, (table, unit) in sorted(units(config).items()):
        if unit.route:
            yield name, table, unit.route


@check
def _gateway_apps(config: Config) -> Iterator[Problem]:
    if config.gateway.app not in config.apps:
        yield ("gateway", "app"), f"no [apps.{config.gateway.app}] syncs the Gateway and routes"
    if config.network.pools and config.network.app not in config.apps:
        yield ("network", "app"), f"no [apps.{config.network.app}] syncs the address pools"
    controller = config.gateway.controller_app
    if controller and not (controller in config.apps and config.apps[controller].helm):
        yield ("gateway", "controller_app"), f"{controller!r} is not a Helm chart app"
    for name in (config.gateway.app, config.network.app):
        app = config.apps.get(name)
        if app and (app.helm or app.git):
            yield ("apps", name), "this app syncs generated manifests: give it no helm or git"


@check
def _address_pools(config: Config) -> Iterator[Problem]:
    ranges = []
    for i, pool in enumerate(config.network.pools):
        for j, text in enumerate(pool.addresses):
            ranges.append((("network", "pools", i, "addresses", j), address_range(text), text))
    for (path_a, (ver_a, lo_a, hi_a), text_a), (_, (ver_b, lo_b, hi_b), text_b) in combinations(
        ranges, 2
    ):
        if ver_a == ver_b and lo_a <= hi_b and lo_b <= hi_a:
            yield path_a, f"{text_a} overlaps {text_b}"
    ip = config.gateway.load_balancer_ip
    if ip and ranges:
        address = ipaddress.ip_address(ip)
        inside = any(
            ver == address.version and lo <= int(address) <= hi for _, (ver, lo, hi), _ in ranges
        )
        if not inside:
            yield ("gateway", "load_balancer_ip"), f"{ip} is in no [network] pool"


@check
def _sync_options(config: Config) -> Iterator[Problem]:
    for name, (table, unit) in units(config).items():
        for i, option in enumerate(unit.sync_options):
            key, _, value = option.partition("=")
            path = (table, name, "sync_options", i)
            if key in COMPARE_OPTIONS:
                yield (
                    path,
                    (
                        f"{key} is a compare option, not a sync option (it belongs in the "
                        "argocd.argoproj.io/compare-options annotation)"
                    ),
                )
            elif key not in KNOWN_SYNC_OPTIONS:
                yield (
                    path,
                    f"unknown sync option {option!r}; known: "
                    + ", ".join(sorted(KNOWN_SYNC_OPTIONS)),
                )
            elif value.lower() not in KNOWN_SYNC_OPTIONS[key]:
                allowed = ", ".join(f"{key}={v}" for v in sorted(KNOWN_SYNC_OPTIONS[key]))
                yield path, f"{option!r} is not valid; use one of {allowed}"


@check
def _no_literal_secrets(config: Config) -> Iterator[Problem]:
    for name, svc in config.services.items():
        for var in svc.env:
            if looks_secret(var):
                yield (
                    ("services", name, "env", var),
                    (
                        f"{var} looks like a secret: move it to secret_env as an op:// reference "
                        "(or rename it if it is not secret)"
                    ),
                )
    for name, app in config.apps.items():
        for i, obj in enumerate(app.objects):
            if obj.get("kind") == "Secret" and (obj.get("data") or obj.get("stringData")):
                yield (
                    ("apps", name, "objects", i),
                    (
                        "a Secret with literal data would commit a secret: use secrets = "
                        "['op://vault/item/field'] instead"
                    ),
                )


@check
def _objects_shape(config: Config) -> Iterator[Problem]:
    for name, app in config.apps.items():
        for i, obj in enumerate(app.objects):
            for key in ("apiVersion", "kind"):
                if not isinstance(obj.get(key), str):
                    yield ("apps", name, "objects", i), f"an object needs a string {key}"
            meta = obj.get("metadata")
            if not (isinstance(meta, dict) and isinstance(meta.get("name"), str)):
                yield ("apps", name, "objects", i), "an object needs metadata.name"


@check
def _pod_security_consistent(config: Config) -> Iterator[Problem]:
    levels: dict[str, tuple[str, str]] = {}
    for name, (table, unit) in sorted(units(config).items()):
        if unit.pod_security is None:
            continue
        namespace = unit.namespace or name
        level = unit.pod_security.level
        if namespace in levels and levels[namespace][0] != level:
            other = levels[namespace][1]
            yield (
                (table, name, "pod_security", "level"),
                (f"namespace {namespace} already has level {levels[namespace][0]} from {other}"),
            )
        levels.setdefault(namespace, (level, name))


_TEMPLATE_KEY = re.compile(r"\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@check
def _generators(config: Config) -> Iterator[Problem]:
    for name, app in config.apps.items():
        if app.generator is None:
            continue
        seen: set[str] = set()
        for i, element in enumerate(app.generator.elements):
            element_name = element.get("name")
            path = ("apps", name, "generator", "elements", i)
            if not isinstance(element_name, str) or not re.fullmatch(
                r"[a-z]([-a-z0-9]{0,40}[a-z0-9])?", element_name
            ):
                yield path, "each element needs a DNS-1123 `name` (at most 42 characters)"
            elif element_name in seen:
                yield path, f"element name {element_name!r} is used twice"
            else:
                seen.add(element_name)
        for param, template in app.generator.parameters.items():
            for key in _TEMPLATE_KEY.findall(template):
                missing = [i for i, e in enumerate(app.generator.elements) if key not in e]
                if missing:
                    yield (
                        ("apps", name, "generator", "parameters", param),
                        (f"{{{{.{key}}}}} is not set in element(s) {missing}"),
                    )


@check
def _secret_keys_unique(config: Config) -> Iterator[Problem]:
    """Two references must not land on the same Secret key (one Secret per item, key = field)."""
    claimed: dict[tuple[str, str, str], str] = {}
    for table, name, key, ref in _secret_refs(config):
        _, item, field = parse_op_ref(ref)
        namespace = (config.apps.get(name) or config.services[name]).namespace or name
        slot = (namespace, secret_name(item), field)
        if claimed.setdefault(slot, ref) != ref:
            yield (
                (table, name, *key),
                (
                    f"{ref} and {claimed[slot]} would both be key {field!r} of Secret "
                    f"{namespace}/{slot[1]}: rename one field in 1Password"
                ),
            )


def _secret_refs(config: Config) -> Iterator[tuple[str, str, tuple[str | int, ...], str]]:
    for name, app in sorted(config.apps.items()):
        for i, ref in enumerate(app.secrets):
            yield "apps", name, ("secrets", i), ref
    for name, svc in sorted(config.services.items()):
        for var, ref in sorted(svc.secret_env.items()):
            yield "services", name, ("secret_env", var), ref
        for path, ref in sorted(svc.secret_files.items()):
            yield "services", name, ("secret_files", path), ref


MAX_DEPTH = 64


@check
def _nesting_depth(config: Config) -> Iterator[Problem]:
    """Values and objects nested deeper than any chart needs are refused, not crashed on."""
    for name, app in sorted(config.apps.items()):
        for key, value in (("values", app.values), ("objects", app.objects)):
            if _depth(value) > MAX_DEPTH:
                yield ("apps", name, key), f"nested more than {MAX_DEPTH} levels deep"


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return deepest
