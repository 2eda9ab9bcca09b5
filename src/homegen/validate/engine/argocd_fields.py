"""ArgoCD fields newer than the built-in schemas: unknown to the catalog is not wrong.

homegen's built-in Application, ApplicationSet and AppProject schemas are one ArgoCD release
(the catalog's ``argo-cd`` folder). A field a later release added is "unknown" to them, yet
the tree's ArgoCD accepts it. So an unknown-field HG104 on an argoproj.io kind checked against
the built-in schema is weighed against two things:

- ``NEWER_FIELDS``: fields added after the catalog's release, with the first release that has
  them (read from ArgoCD's ``manifests/crds`` at each tag). Such a field is a note "needs
  ArgoCD >= X"; an error only where the tree installs an exact older release.
- the ArgoCD the tree installs (``installed_argocd``): when it is newer than the catalog, any
  other unknown field is "not verified", not wrong. Type errors on known fields stay errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from homegen.crdschemas.catalog import normal_url, version_key
from homegen.validate.findings import Finding

CATALOG_PREFIX = "built-in argo-cd "  # how a KindValidator names the built-in ArgoCD schemas

# An Application source's fields apply to ``source`` and to each of ``sources``.
_SOURCE_FIELDS = (
    ("helm/apiVersions", "v2.13.0"),
    ("helm/kubeVersion", "v2.13.0"),
    ("helm/namespace", "v2.13.0"),
    ("kustomize/apiVersions", "v2.13.0"),
    ("kustomize/kubeVersion", "v2.13.0"),
    ("helm/skipSchemaValidation", "v2.14.0"),
    ("helm/skipTests", "v2.14.0"),
    ("name", "v2.14.0"),
    ("kustomize/ignoreMissingComponents", "v3.0.0"),
    ("kustomize/labelIncludeTemplates", "v3.0.0"),
    ("tagPrefix", "v3.5.0"),
)
# paths inside an Application's spec (a field under a new field is reported at the new one)
_APP_SPEC_FIELDS = {
    **{f"source/{p}": v for p, v in _SOURCE_FIELDS},
    **{f"sources/*/{p}": v for p, v in _SOURCE_FIELDS},
    "sourceHydrator": "v2.14.0",
    "syncPolicy/automated/enabled": "v3.1.0",
    "syncPolicy/retry/refresh": "v3.2.0",
}
# an ApplicationSet's own fields, generators un-nested (matrix/merge children as top level)
_APPSET_FIELDS = {
    "generators/*/pullRequest/bitbucketServer/bearerToken": "v2.13.0",
    "generators/*/pullRequest/bitbucketServer/caRef": "v2.13.0",
    "generators/*/pullRequest/bitbucketServer/insecure": "v2.13.0",
    "generators/*/pullRequest/gitlab/caRef": "v2.13.0",
    "generators/*/scmProvider/bitbucketServer/bearerToken": "v2.13.0",
    "generators/*/scmProvider/bitbucketServer/caRef": "v2.13.0",
    "generators/*/scmProvider/bitbucketServer/insecure": "v2.13.0",
    "generators/*/scmProvider/gitlab/caRef": "v2.13.0",
    "generators/*/clusters/flatList": "v2.14.0",
    "generators/*/pullRequest/values": "v3.0.0",
    "generators/*/git/files/*/exclude": "v3.1.0",
    "generators/*/pullRequest/gitea/labels": "v3.1.0",
    "generators/*/pullRequest/continueOnRepoNotFoundError": "v3.2.0",
    "generators/*/pullRequest/filters/*/titleMatch": "v3.2.0",
    "strategy/deletionOrder": "v3.2.0",
    "generators/*/scmProvider/gitea/excludeArchivedRepos": "v3.5.0",
    "generators/*/scmProvider/github/excludeArchivedRepos": "v3.5.0",
    "generators/*/scmProvider/gitlab/includeArchivedRepos": "v3.5.0",
}
_PROJECT_FIELDS = {
    "destinationServiceAccounts": "v2.13.0",
    "syncWindows/*/andOperator": "v3.0.0",
    "syncWindows/*/description": "v3.1.0",
    "clusterResourceBlacklist/*/name": "v3.3.0",
    "clusterResourceWhitelist/*/name": "v3.3.0",
    "sourceIntegrity": "v3.5.0",
    "syncWindows/*/syncOverrun": "v3.5.0",
}
NEWER_FIELDS: dict[str, dict[str, str]] = {
    "Application": _APP_SPEC_FIELDS,
    "ApplicationSet": _APPSET_FIELDS,
    "AppProject": _PROJECT_FIELDS,
}

# argo-helm's argo-cd chart: the first chart version of each ArgoCD minor (its appVersion),
# read from charts/argo-cd/Chart.yaml's history; a chart version maps to at least the
# appVersion of the last row not above it (appVersion never goes down there)
ARGO_CD_CHART = (
    ("7.0.0", "v2.11.2"),
    ("7.1.2", "v2.11.3"),
    ("7.3.4", "v2.11.4"),
    ("7.4.0", "v2.12.0"),
    ("7.7.0", "v2.13.0"),
    ("7.8.0", "v2.14.1"),
    ("8.0.0", "v3.0.0"),
    ("8.3.0", "v3.1.0"),
    ("9.1.0", "v3.2.0"),
    ("9.4.0", "v3.3.0"),
    ("9.5.12", "v3.4.1"),
    ("10.0.0", "v3.4.4"),
)
ARGO_HELM = ("argoproj.github.io/argo-helm", "ghcr.io/argoproj/argo-helm")
ARGO_CD_REPO = "github.com/argoproj/argo-cd"
_EXACT = re.compile(r"^v?\d+\.\d+\.\d+$")
# install manifests at a tag: raw.githubusercontent.com/argoproj/argo-cd/v3.0.0/manifests/...
# or a kustomize remote base github.com/argoproj/argo-cd//manifests/...?ref=v3.0.0
_URL_TAG = re.compile(
    r"(?:raw\.githubusercontent\.com/argoproj/argo-cd/(v\d+\.\d+\.\d+)/"
    r"|github\.com/argoproj/argo-cd[/.].*[?&]ref=(v\d+\.\d+\.\d+)\b)"
)
_UNEXPECTED = re.compile(
    r"^Additional properties are not allowed \((.*) (?:was|were) unexpected\)$"
)


@dataclass(frozen=True)
class InstalledArgoCD:
    """The ArgoCD the tree installs: ``tag``, or at least ``tag`` (a chart's lower bound)."""

    tag: str
    exact: bool
    origin: str  # where the tree says so, e.g. "argo-cd chart 10.4.0 (argocd/kustomization.yaml)"

    def describe(self) -> str:
        """``ArgoCD v3.0.0`` or ``ArgoCD >= v3.4.4``, with where it comes from."""
        return f"ArgoCD {'' if self.exact else '>= '}{self.tag} ({self.origin})"


def _from_chart(version: str, origin: str) -> InstalledArgoCD | None:
    if not _EXACT.match(version.strip()):
        return None
    rows = [app for chart, app in ARGO_CD_CHART if version_key(chart) <= version_key(version)]
    return InstalledArgoCD(rows[-1], False, f"argo-cd chart {version}, {origin}") if rows else None


def _from_source(source: Mapping[str, Any], origin: str) -> InstalledArgoCD | None:
    repo, revision = source.get("repoURL"), source.get("targetRevision")
    if not isinstance(repo, str) or not isinstance(revision, str):
        return None
    if source.get("chart") == "argo-cd" and normal_url(repo) in ARGO_HELM:
        return _from_chart(revision, origin)
    if normal_url(repo) == ARGO_CD_REPO and _EXACT.match(revision):
        return InstalledArgoCD("v" + revision.removeprefix("v"), True, origin)
    return None


def _app_sources(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    spec = obj.get("spec")
    if isinstance(spec, dict) and obj.get("kind") == "ApplicationSet":
        template = spec.get("template")
        spec = template.get("spec") if isinstance(template, dict) else None
    if not isinstance(spec, dict):
        return []
    listed = spec.get("sources")
    found = [*(listed if isinstance(listed, list) else []), spec.get("source")]
    return [s for s in found if isinstance(s, dict)]


def _from_kustomization(folder: str, kustomization: Mapping[str, Any]) -> list[InstalledArgoCD]:
    origin = f"{folder.rstrip('/') or '.'}/kustomization.yaml"
    found = []
    resources = kustomization.get("resources")
    for ref in resources if isinstance(resources, list) else []:
        match = _URL_TAG.search(str(ref))
        if match:
            found.append(InstalledArgoCD(match.group(1) or match.group(2), True, origin))
    charts = kustomization.get("helmCharts")
    for chart in charts if isinstance(charts, list) else []:
        if isinstance(chart, dict) and chart.get("name") == "argo-cd":
            repo, version = str(chart.get("repo") or ""), str(chart.get("version") or "")
            if normal_url(repo) in ARGO_HELM and (got := _from_chart(version, origin)):
                found.append(got)
    return found


def installed_argocd(
    objects: Iterable[tuple[Mapping[str, Any], str]],
    kustomizations: Mapping[str, Mapping[str, Any]],
    declared: str | None = None,
) -> InstalledArgoCD | None:
    """The newest ArgoCD the tree installs, from its Applications' sources (``(object,
    file)`` pairs) and its kustomizations (folder → kustomization); None if it does not say.
    ``declared`` (services.toml's ``[cluster] argocd_version``) is the owner's word: it wins."""
    if declared and _EXACT.match(declared):
        tag = "v" + declared.removeprefix("v")
        return InstalledArgoCD(tag, True, "[cluster] argocd_version")
    found: list[InstalledArgoCD] = []
    for obj, file in objects:
        if obj.get("kind") in ("Application", "ApplicationSet"):
            found.extend(x for s in _app_sources(obj) if (x := _from_source(s, file)))
    for folder, kustomization in sorted(kustomizations.items()):
        found.extend(_from_kustomization(folder, kustomization))
    # the newest; of equals, an exact tag over a lower bound
    return max(found, key=lambda v: (version_key(v.tag), v.exact), default=None)


_TEMPLATE_SPEC = re.compile(
    r"^/spec/(?:generators/\*/(?:(?:matrix|merge)/generators/\*/)*[^/]+/)?template/spec/(.*)$"
)
_NESTED = re.compile(r"(?:matrix|merge)/generators/\*/")


def added_in(kind: str, path: str) -> str | None:
    """The first ArgoCD release with the field at JSON path ``path`` of a ``kind`` object,
    when it is one added after the built-in schemas' release."""
    path = re.sub(r"/\d+(?=/|$)", "/*", path)
    if kind == "ApplicationSet" and (template := _TEMPLATE_SPEC.match(path)):
        return _APP_SPEC_FIELDS.get(template.group(1))
    if not path.startswith("/spec/"):
        return None
    inner = path.removeprefix("/spec/")
    if kind == "ApplicationSet":
        inner = _NESTED.sub("", inner)
    return NEWER_FIELDS.get(kind, {}).get(inner)


def _unexpected(message: str) -> list[str]:
    match = _UNEXPECTED.match(message)
    return re.findall(r"'([^']*)'", match.group(1)) if match else []


def weigh(
    item: Finding, kind: str, catalog: str, installed: InstalledArgoCD | None
) -> list[Finding]:
    """An HG104 on an object checked against the built-in ArgoCD schemas (``catalog``: their
    tag), one finding per unknown field: a note where the field is newer than ``catalog``
    (by the table, or because the tree runs a newer ArgoCD), else the error it was."""
    names = _unexpected(item.message)
    if not names:
        return [item]  # a type or value error on a known field: wrong in every release
    return [_weigh_field(item, kind, name, catalog, installed) for name in names]


def _weigh_field(
    item: Finding, kind: str, name: str, catalog: str, installed: InstalledArgoCD | None
) -> Finding:
    field = f"{item.path.rstrip('/')}/{name}"
    single = replace(
        item, message=f"Additional properties are not allowed ('{name}' was unexpected)"
    )
    unknown = f"field {field} is unknown to ArgoCD {catalog}'s schema"
    needed = added_in(kind, field)
    newer = installed is not None and version_key(installed.tag) > version_key(catalog)
    if needed is not None:
        if (
            installed is not None
            and installed.exact
            and version_key(installed.tag) < version_key(needed)
        ):
            return replace(
                single,
                message=f"{single.message}: field {field} needs ArgoCD >= {needed}; "
                f"the tree installs {installed.describe()}",
                fix=f"upgrade ArgoCD to {needed} or later, or remove the field",
            )
        runs = f"; the tree runs {installed.describe()}" if installed is not None else ""
        return _note(single, f"needs ArgoCD >= {needed}: {unknown}{runs}")
    if newer and installed is not None:
        return _note(single, f"not verified: {unknown}; the tree runs {installed.describe()}")
    return single


def _note(item: Finding, message: str) -> Finding:
    return replace(
        item,
        severity="info",
        message=message,
        fix="check the field against the CRDs of the ArgoCD the tree runs "
        "(`homegen crd-schemas CRD.yaml -o DIR`, then --schema-location DIR)",
    )
