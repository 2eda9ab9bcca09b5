"""The Gateway's routes, the ReferenceGrants they need and the Gateway itself."""

from __future__ import annotations

from collections.abc import Iterator

from homegen.config.models import Config, Route
from homegen.plan.model import GatewayPlan, GrantPlan, RoutePlan


def plan_routes(config: Config) -> Iterator[RoutePlan]:
    """Every route of the Gateway: ArgoCD's own, then the apps', then the services'."""
    argocd = config.argocd
    if argocd.path or argocd.host:
        route = Route(path=argocd.path or "/", hosts=[argocd.host] if argocd.host else [])
        yield _route(
            config,
            argocd.app,
            route,
            argocd.service,
            argocd.namespace,
            argocd.service_port,
            external=True,
        )
    for name, app in sorted(config.apps.items()):
        if app.route:
            assert app.route.service and app.route.port
            yield _route(
                config,
                name,
                app.route,
                app.route.service,
                app.namespace or name,
                app.route.port,
                external=True,
            )
    for name, svc in sorted(config.services.items()):
        if svc.route:
            port = svc.service_port or svc.port
            yield _route(config, name, svc.route, name, svc.namespace or name, port, external=False)


def _route(
    config: Config,
    name: str,
    route: Route,
    service: str,
    namespace: str,
    port: int,
    *,
    external: bool,
) -> RoutePlan:
    hosts = tuple(sorted(route.hosts)) if route.hosts else (config.cluster.domain,)
    return RoutePlan(
        name=name,
        namespace=config.gateway.namespace,
        hostnames=hosts,
        path=route.path,
        rewrite=route.rewrite,
        service=service,
        service_namespace=namespace,
        port=port,
        external=external,
    )


def plan_grants(routes: tuple[RoutePlan, ...]) -> dict[str, tuple[GrantPlan, ...]]:
    """Grants by the unit whose folder holds them: one per cross-namespace backend."""
    grants: dict[str, tuple[GrantPlan, ...]] = {}
    for route in routes:
        if route.service_namespace == route.namespace:
            continue
        grant = GrantPlan(
            name=f"{route.name}-from-{route.namespace}"[:253],
            namespace=route.service_namespace,
            from_namespace=route.namespace,
            service=route.service,
        )
        grants[route.name] = (*grants.get(route.name, ()), grant)
    return grants


def plan_gateway(config: Config, routes: tuple[RoutePlan, ...]) -> GatewayPlan:
    """The Gateway, its listeners and its routes (sorted by name)."""
    gw = config.gateway
    listeners = tuple(
        {"name": ln.name, "port": ln.port, "protocol": ln.protocol, "hostname": ln.hostname}
        for ln in gw.listeners
    )
    return GatewayPlan(
        gw.class_name,
        gw.controller_name,
        gw.name,
        gw.namespace,
        listeners,
        tuple(sorted(routes, key=lambda r: r.name)),
    )
