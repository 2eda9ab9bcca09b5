"""`homegen list`: one row per Application of the plan — what it is, where, when, reached how."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from homegen.config.models import Config
from homegen.plan.model import AppPlan, Plan, RoutePlan

KINDS = ("helm", "git", "manifests", "applicationset", "service")
COLUMNS = ("NAME", "KIND", "NAMESPACE", "WAVE", "AFTER", "ROUTES", "SOURCE")


@dataclass(frozen=True)
class RouteRow:
    """Where the Gateway sends traffic for one app: hostnames, path prefix, backend."""

    hostnames: tuple[str, ...]
    path: str
    service: str
    namespace: str
    port: int

    def urls(self) -> list[str]:
        """host+path for each hostname, as a user would type them."""
        return [f"{host}{self.path}" for host in self.hostnames]


@dataclass(frozen=True)
class AppRow:
    """One Application (or ApplicationSet) of the app-of-apps."""

    name: str
    kind: str
    tier: str
    namespace: str
    wave: int
    after: tuple[str, ...]
    # after edges derived from CRDs: installer app → kinds of its CRDs this app uses
    derived_after: dict[str, tuple[str, ...]]
    routes: tuple[RouteRow, ...]
    source: str  # image, chart@version, repo@revision, or "" for generated manifests
    description: str


def app_rows(config: Config, plan: Plan) -> list[AppRow]:
    """The rows of every app and service, in sync order (wave, then name)."""
    routes: dict[str, list[RouteRow]] = {}
    for route in plan.gateway.routes:
        routes.setdefault(route.name, []).append(_route_row(route))
    return [
        AppRow(
            name=app.name,
            kind=_kind(config, app),
            tier=app.tier,
            namespace=app.namespace,
            wave=app.wave,
            after=app.after,
            derived_after=dict(app.derived_after),
            routes=tuple(routes.get(app.name, ())),
            source=_source(config, app),
            description=app.description,
        )
        for app in plan.apps
    ]


def _route_row(route: RoutePlan) -> RouteRow:
    return RouteRow(route.hostnames, route.path, route.service, route.service_namespace, route.port)


def _kind(config: Config, app: AppPlan) -> str:
    if app.name in config.services:
        return "service"
    spec = config.apps.get(app.name)
    if spec is None:  # ArgoCD's own settings app: manifests homegen generates
        return "manifests"
    if spec.generator:
        return "applicationset"
    if spec.helm:
        return "helm"
    return "git" if spec.git else "manifests"


def _source(config: Config, app: AppPlan) -> str:
    if app.workload is not None:
        return app.workload.container.image
    spec = config.apps.get(app.name)
    if spec is not None and spec.helm:
        return f"{spec.helm.chart}@{spec.helm.version}"
    if spec is not None and spec.git:
        repo = spec.git.repo_url.removeprefix("https://").removesuffix(".git")
        return f"{repo}/{spec.git.path.strip('/')}@{spec.git.revision}"
    return ""


def rows_json(rows: list[AppRow]) -> str:
    """The rows as a JSON document: ``{"apps": [...]}`` with every field, sorted keys."""
    data = {"apps": [asdict(row) for row in rows]}
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def rows_table(rows: list[AppRow]) -> str:
    """The rows as a plain aligned table (no colour: it is data on stdout)."""
    cells = [COLUMNS] + [
        (
            row.name,
            row.kind,
            row.namespace,
            str(row.wave),
            ",".join([*row.after, *(f"{a}(derived)" for a in row.derived_after)]) or "-",
            ",".join(url for route in row.routes for url in route.urls()) or "-",
            row.source or "-",
        )
        for row in rows
    ]
    widths = [max(len(line[col]) for line in cells) for col in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in cells]
    return "".join(line.rstrip() + "\n" for line in lines)
