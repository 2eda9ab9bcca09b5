"""ArgoCD's own settings: argocd-cm, argocd-cmd-params-cm, OCI chart registries."""

from __future__ import annotations

import re

from homegen.config.models import Config
from homegen.plan.model import ArgoCDPlan

# Makes a parent app wait for a child Application to be Healthy before the next sync wave.
# ArgoCD removed this check in v1.8; the docs give it back as a customisation.
APPLICATION_HEALTH_LUA = """\
hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
"""


def plan_argocd(config: Config) -> ArgoCDPlan:
    """argocd-cm and argocd-cmd-params-cm data, the UI URL and OCI registries to declare."""
    argocd = config.argocd
    cm: dict[str, str] = {"application.resourceTrackingMethod": argocd.tracking}
    if argocd.application_health:
        cm["resource.customizations.health.argoproj.io_Application"] = APPLICATION_HEALTH_LUA
    params: dict[str, str] = {}
    if argocd.insecure:
        params["server.insecure"] = "true"
    if argocd.path and argocd.path != "/":
        params["server.basehref"] = argocd.path
        params["server.rootpath"] = argocd.path
    url = None
    if argocd.host:
        url = f"https://{argocd.host}"
    elif argocd.path:
        url = f"https://{config.cluster.domain}{argocd.path.rstrip('/')}"
    if url:
        cm["url"] = url
    return ArgoCDPlan(
        app=argocd.app,
        version=argocd.version,
        namespace=argocd.namespace,
        cm=dict(sorted(cm.items())),
        params=dict(sorted(params.items())),
        url=url,
        oci_repos=_oci_repos(config),
        root_app=argocd.root_app,
    )


def oci_registry(repo_url: str) -> str | None:
    """An oci:// chart repository as ArgoCD names it (no scheme); None for https:// or http://.

    services.toml takes the scheme in any case, as URLs do.
    """
    scheme, _, rest = repo_url.partition("://")
    return rest if scheme.lower() == "oci" else None


def _oci_repos(config: Config) -> tuple[tuple[str, str], ...]:
    """Helm OCI registries ArgoCD must know (a repository Secret with enableOCI)."""
    registries = (oci_registry(app.helm.repo_url) for app in config.apps.values() if app.helm)
    urls = {url for url in registries if url}
    return tuple(
        ("helm-oci-" + re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-"), url)
        for url in sorted(urls)
    )
