"""The bootstrap scripts of the rendered tree: bootstrap/setup-secrets.sh and bootstrap/argocd.sh.

Templates lay the scripts out; every value reaches them through the `sh` filter (shlex.quote),
and the secrets script keeps its data in one array, so nothing from services.toml is ever
in a position where bash would run it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from homegen.plan.model import Plan

SECRETS_SCRIPT = "bootstrap/setup-secrets.sh"
ARGOCD_SCRIPT = "bootstrap/argocd.sh"
INSTALL_URL = "https://raw.githubusercontent.com/argoproj/argo-cd/{version}/manifests/install.yaml"

Render = Callable[..., str]

_PURPOSE = {
    "script": (
        "Creates every Kubernetes Secret services.toml references, from 1Password, creating",
        "its namespace when missing. Run it before bootstrap/argocd.sh.",
    ),
    "1password-operator": (
        "services.toml lets the 1Password Connect operator create the Secrets (OnePasswordItem).",
        "This script creates only what Connect and the operator need to start: the Connect",
        "server's credentials and the operator's Connect token (the Helm chart's defaults).",
    ),
    "external-secrets": (
        "services.toml lets External Secrets create the Secrets (ExternalSecret). This script",
        "creates only what its 1Password Connect ClusterSecretStore needs to start: the Connect",
        "server's credentials and the Connect token (connectTokenSecretRef).",
    ),
}


def bootstrap_files(
    plan: Plan, settings: Sequence[str], render: Render
) -> Iterator[tuple[str, str]]:
    """Both scripts as (path, text); settings are ArgoCD's setting files in the tree."""
    yield (
        SECRETS_SCRIPT,
        render(
            "bootstrap/setup-secrets.sh.j2",
            rows=plan.bootstrap_keys,
            provider=plan.secrets_provider,
            purpose=_PURPOSE[plan.secrets_provider],
        ),
    )
    yield ARGOCD_SCRIPT, render("bootstrap/argocd.sh.j2", **argocd_context(plan, settings))


def argocd_context(plan: Plan, settings: Sequence[str]) -> dict[str, Any]:
    """What argocd.sh needs: version, install URL, files to apply, how to reach the UI."""
    argocd = plan.argocd
    insecure = argocd.params.get("server.insecure") == "true"
    service_port = 80 if insecure else 443
    local_port = 8080 if insecure else 8443
    scheme = "http" if insecure else "https"
    root_path = argocd.params.get("server.rootpath", "").rstrip("/")
    return {
        "version": argocd.version,
        "namespace": argocd.namespace,
        "install_url": INSTALL_URL.format(version=argocd.version),
        "settings": sorted(settings),
        "root_app": "app-of-apps.yaml",
        "restart_server": "yes" if argocd.params else "no",
        "ui_url": argocd.url or "",
        "port_forward": (
            f"kubectl -n {argocd.namespace} port-forward svc/argocd-server "
            f"{local_port}:{service_port}"
        ),
        "local_url": f"{scheme}://localhost:{local_port}{root_path}/",
        "password_command": (
            f"kubectl -n {argocd.namespace} get secret argocd-initial-admin-secret "
            "-o jsonpath='{.data.password}' | base64 -d"
        ),
    }
