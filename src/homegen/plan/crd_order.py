"""Ordering derived from CRDs: an app syncs after the app that installs the kinds it uses.

ArgoCD applies an object whose kind is not served yet as a failed sync and leans on retries;
homegen knows, for every app, which custom resources it will hold (its generated objects,
its extra objects, what its chart is known to create) and which CRDs each app installs
(``homegen.crds``), so it adds the missing ``after`` edges itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from homegen.config.models import App, Config, Service
from homegen.crds import GATEWAY_GROUP, CrdKind, kind_of, source_installs, source_uses

REFERENCE_GRANT: CrdKind = (GATEWAY_GROUP, "ReferenceGrant")
SECRET_KINDS: dict[str, CrdKind] = {
    "1password-operator": ("onepassword.com", "OnePasswordItem"),
    "external-secrets": ("external-secrets.io", "ExternalSecret"),
}

# (installer app, kinds it installs that this app uses), by app
DerivedAfter = dict[str, dict[str, tuple[CrdKind, ...]]]


def app_installs(app: App) -> set[CrdKind]:
    """The CRDs an app installs: known from its source, or CRD objects it carries."""
    found: set[CrdKind] = set()
    if app.helm:
        h = app.helm
        found.update(source_installs(h.repo_url, h.chart, h.version, None, skip_crds=h.skip_crds))
    if app.git:
        g = app.git
        found.update(
            source_installs(
                g.repo_url, None, g.revision, g.path, skip_crds=bool(g.helm and g.helm.skip_crds)
            )
        )
    for obj in app.objects:
        found.update(_crd_defined(obj))
    return found


def _crd_defined(obj: dict[str, Any]) -> Iterator[CrdKind]:
    if obj.get("kind") != "CustomResourceDefinition":
        return
    spec = obj.get("spec")
    names = spec.get("names") if isinstance(spec, dict) else None
    if isinstance(spec, dict) and isinstance(names, dict):
        group, kind = spec.get("group"), names.get("kind")
        if isinstance(group, str) and isinstance(kind, str):
            yield group, kind


def unit_uses(config: Config, name: str, spec: App | Service | None) -> set[CrdKind]:
    """The custom resources one app (None: ArgoCD's own) will hold once rendered."""
    used: set[CrdKind] = set()
    gateway = config.gateway
    if spec is None:
        namespace = config.argocd.namespace
        routed = bool(config.argocd.path or config.argocd.host)
    else:
        namespace = spec.namespace or name
        routed = spec.route is not None
    if routed and namespace != gateway.namespace:
        used.add(REFERENCE_GRANT)  # the grant lives in the backend's namespace, in its app
    if name == gateway.app:
        used.update((GATEWAY_GROUP, k) for k in ("GatewayClass", "Gateway", "HTTPRoute"))
    if name == config.network.app and config.network.pools:
        used.add(("metallb.io", "IPAddressPool"))
        if any(pool.l2 for pool in config.network.pools):
            used.add(("metallb.io", "L2Advertisement"))
    if isinstance(spec, App):
        if spec.helm:
            used.update(source_uses(spec.helm.chart))
        for obj in spec.objects:
            if isinstance(obj.get("apiVersion"), str) and isinstance(obj.get("kind"), str):
                used.add(kind_of(obj["apiVersion"], obj["kind"]))
    if spec is not None and _has_secrets(spec) and config.secrets.provider in SECRET_KINDS:
        used.add(SECRET_KINDS[config.secrets.provider])
    return used


def _has_secrets(spec: App | Service) -> bool:
    if isinstance(spec, App):
        return bool(spec.secrets)
    return bool(spec.secret_env or spec.secret_files)


def derive_after(config: Config) -> DerivedAfter:
    """For each app: the apps it must follow because they install CRDs of kinds it uses.

    Edges already written in ``after`` are not repeated; an app never follows itself.
    """
    specs: dict[str, App | Service | None] = {config.argocd.app: None}
    specs.update(config.apps)
    specs.update({n: s for n, s in config.services.items() if n not in config.apps})
    installers: dict[CrdKind, list[str]] = {}
    for name, app in sorted(config.apps.items()):
        for crd in app_installs(app):
            installers.setdefault(crd, []).append(name)
    derived: DerivedAfter = {}
    for name, spec in sorted(specs.items()):
        explicit = set(spec.after) if spec is not None else set()
        by_installer: dict[str, set[CrdKind]] = {}
        for crd in unit_uses(config, name, spec):
            for installer in installers.get(crd, ()):
                if installer != name and installer not in explicit:
                    by_installer.setdefault(installer, set()).add(crd)
        if by_installer:
            derived[name] = {i: tuple(sorted(k)) for i, k in sorted(by_installer.items())}
    return derived
