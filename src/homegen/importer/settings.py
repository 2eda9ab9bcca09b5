"""The sections around the apps: [cluster], [argocd], [gateway], [network], taken from the
objects that homegen renders itself (argocd-cm, Gateway, GatewayClass) or reported as
placeholders when the tree has none."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from homegen.importer.apps import ImportedApp
from homegen.importer.location import Location
from homegen.importer.report import Report
from homegen.importer.source import SourceTree
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import as_dict, as_list

DEFAULT_ARGOCD_VERSION = "v2.11.3"
_ARGOCD_VERSION = re.compile(r"argoproj/argo-cd/(?:raw/|)(?:refs/tags/)?(v[0-9]+\.[0-9]+\.[0-9]+)/")
_CM_KEYS = {
    "application.resourceTrackingMethod",
    "url",
    "resource.customizations.health.argoproj.io_Application",
}
_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_PARAM_KEYS = {"server.insecure", "server.basehref", "server.rootpath"}

Taken = list[tuple[str, Document, dict[str, Any]]]  # (app name, doc, object) pulled out


def argocd_section(
    tree: SourceTree, apps: dict[str, ImportedApp], taken: Taken, report: Report
) -> tuple[dict[str, Any], str | None]:
    """[argocd], and the domain its URL names (None when it names none)."""
    namespaces = Counter(
        str(as_dict(a.doc.obj.get("metadata")).get("namespace") or "argocd") for a in apps.values()
    )
    namespace = namespaces.most_common(1)[0][0] if namespaces else "argocd"
    section: dict[str, Any] = {"version": _version(tree, report), "namespace": namespace}
    domain = None
    for app_name, doc, obj in taken:
        if obj.get("kind") != "ConfigMap":
            continue
        name = as_dict(obj.get("metadata")).get("name")
        data = {str(k): str(v) for k, v in as_dict(obj.get("data")).items()}
        if name == "argocd-cm":
            section["app"] = app_name
            section["tracking"] = data.get("application.resourceTrackingMethod", "label")
            section["application_health"] = (
                "resource.customizations.health.argoproj.io_Application" in data
            )
            domain = _url(section, data.get("url"))
            extra = sorted(set(data) - _CM_KEYS)
        else:
            section["insecure"] = data.get("server.insecure") == "true"
            extra = sorted(set(data) - _PARAM_KEYS)
        report.add("imported", f"ConfigMap/{name}", "→ [argocd] settings", doc.file, doc.line)
        for key in extra:
            report.add(
                "not-expressed",
                f"ConfigMap/{name}",
                f"data.{key}: [argocd] has no such setting",
                doc.file,
                doc.line,
            )
    if "app" not in section and "argocd" in apps:
        section["app"] = "argocd-settings"
        report.add(
            "inferred",
            "argocd.app",
            "'argocd-settings': the tree's own app 'argocd' "
            "keeps its name; homegen's ArgoCD settings (argocd-cm) go in this one",
        )
    if not any(as_dict(o.get("metadata")).get("name") == "argocd-cm" for _, _, o in taken):
        report.add(
            "warning",
            "argocd-cm",
            "the tree has none; homegen renders one (annotation "
            "tracking, the Application health check) in app "
            f"{section.get('app', 'argocd')!r}, which replaces the cluster's argocd-cm "
            "when synced: set [argocd] tracking and application_health to what it holds",
        )
    charts = [n for n, a in apps.items() if as_dict(a.table.get("helm")).get("chart") == "argo-cd"]
    for name in charts:
        report.add(
            "warning",
            f"apps.{name}",
            "installs ArgoCD from the argo-cd chart, which "
            "manages argocd-cm and argocd-cmd-params-cm too: two apps would own them "
            "(set configs.cm.create and configs.params.create to false in its values)",
        )
    return section, domain


def _url(section: dict[str, Any], url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.path.strip("/"):
        section["path"] = parts.path.rstrip("/")
        return parts.hostname
    section["host"] = parts.hostname
    return None


def _version(tree: SourceTree, report: Report) -> str:
    found: Counter[str] = Counter()
    for text in tree.texts.values():
        found.update(_ARGOCD_VERSION.findall(text))
    if found:
        version = found.most_common(1)[0][0]
        report.add(
            "inferred", "argocd.version", f"{version}: the ArgoCD install manifests the tree names"
        )
        return version
    report.add(
        "warning",
        "argocd.version",
        f"not found in the tree: {DEFAULT_ARGOCD_VERSION} "
        "written (bootstrap/argocd.sh installs it): set your ArgoCD release",
    )
    return DEFAULT_ARGOCD_VERSION


def gateway_section(taken: Taken, apps: dict[str, ImportedApp], report: Report) -> dict[str, Any]:
    """[gateway] from the tree's Gateway and GatewayClass, else a reported placeholder."""
    gateways = [(a, d, o) for a, d, o in taken if o.get("kind") == "Gateway"]
    classes = {
        as_dict(o.get("metadata")).get("name"): (d, o)
        for _, d, o in taken
        if o.get("kind") == "GatewayClass"
    }
    if not gateways:
        app = "gateway-config" if "gateway-config" not in apps else "homegen-gateway"
        report.add(
            "warning",
            "[gateway]",
            "the tree has no Gateway; homegen always renders one: "
            f"a placeholder GatewayClass 'homegen' and Gateway 'homegen' in app {app!r} "
            "(set [gateway] to your controller, or remove them from the cluster)",
        )
        return {
            "app": app,
            "class_name": "homegen",
            "controller_name": "example.com/gateway-controller",
            "name": "homegen",
            "namespace": "default",
            "listeners": [{"name": "http", "port": 8000}],
        }
    app_name, doc, gw = gateways[0]
    meta, spec = as_dict(gw.get("metadata")), as_dict(gw.get("spec"))
    class_name = str(spec.get("gatewayClassName") or "")
    section: dict[str, Any] = {"app": app_name, "class_name": class_name}
    gw_class = classes.get(class_name)
    if gw_class:
        section["controller_name"] = str(as_dict(gw_class[1].get("spec")).get("controllerName"))
    else:
        section["controller_name"] = "example.com/gateway-controller"
        report.add(
            "warning",
            f"GatewayClass/{class_name}",
            "not in the tree; homegen renders one: set gateway.controller_name",
        )
    section["name"] = str(meta.get("name"))
    section["namespace"] = str(meta.get("namespace") or apps[app_name].table["namespace"])
    section["listeners"] = [_listener(x, doc, report) for x in as_list(spec.get("listeners"))]
    report.add("imported", f"Gateway/{section['name']}", "→ [gateway]", doc.file, doc.line)
    for other_app, other, obj in gateways[1:]:
        report.add(
            "not-expressed",
            f"Gateway/{as_dict(obj.get('metadata')).get('name')}",
            f"a second Gateway (app {other_app}): homegen renders one",
            other.file,
            other.line,
        )
    return section


def _listener(listener: Any, doc: Document, report: Report) -> dict[str, Any]:
    listener = as_dict(listener)
    out: dict[str, Any] = {"name": str(listener.get("name")), "port": listener.get("port")}
    if listener.get("protocol") and listener.get("protocol") != "HTTP":
        out["protocol"] = listener["protocol"]
    if listener.get("hostname"):
        out["hostname"] = listener["hostname"]
    allowed = as_dict(listener.get("allowedRoutes"))
    if allowed and allowed != {"namespaces": {"from": "Same"}}:
        report.add(
            "not-expressed",
            f"listener {out['name']}",
            f"allowedRoutes {allowed}: homegen admits routes from the Gateway's namespace",
            doc.file,
            doc.line,
        )
    for key in sorted(set(listener) - {"name", "port", "protocol", "hostname", "allowedRoutes"}):
        report.add(
            "not-expressed",
            f"listener {out['name']}",
            f"{key}: not in [gateway]",
            doc.file,
            doc.line,
        )
    return out


def domain_of(taken_domain: str | None, tree: SourceTree, report: Report) -> str:
    """cluster.domain: the ArgoCD URL's host, else the most common route hostname."""
    if taken_domain:
        report.add("inferred", "cluster.domain", f"{taken_domain}: the host of ArgoCD's url")
        return taken_domain
    hosts: Counter[str] = Counter()
    for doc in tree.docs:
        if doc.obj.get("kind") == "HTTPRoute":
            hosts.update(
                str(h)
                for h in as_list(as_dict(doc.obj.get("spec")).get("hostnames"))
                if "*" not in str(h)
            )
    if hosts:
        host = hosts.most_common(1)[0][0]
        report.add("inferred", "cluster.domain", f"{host}: the hostname most routes use")
        return host
    report.add("warning", "cluster.domain", "no route names a host: 'example.com' written")
    return "example.com"


def cluster_section(loc: Location, domain: str) -> dict[str, Any]:
    """[cluster]."""
    return {
        "repo_url": loc.repo_url,
        "revision": loc.revision,
        "tree_path": loc.tree_path,
        "domain": domain,
    }


def storage_classes(apps: dict[str, ImportedApp], report: Report) -> list[str]:
    """[cluster] storage_classes: the classes the tree's claims name that it does not install
    (they exist in the cluster, or the claims never bound there either)."""
    named: set[str] = set()
    installed: set[str] = set()
    for app in apps.values():
        for _, obj in app.objects:
            spec = as_dict(obj.get("spec"))
            if obj.get("kind") == "StorageClass":
                installed.add(str(as_dict(obj.get("metadata")).get("name")))
            claims = [spec] if obj.get("kind") == "PersistentVolumeClaim" else []
            claims += [
                as_dict(as_dict(t).get("spec")) for t in as_list(spec.get("volumeClaimTemplates"))
            ]
            named |= {str(c["storageClassName"]) for c in claims if c.get("storageClassName")}
    found = sorted(named - installed)
    kept = [c for c in found if _DNS_LABEL.fullmatch(c)]
    for name in sorted(set(found) - set(kept)):
        report.add("not-expressed", "cluster.storage_classes", f"{name!r} is no DNS label")
    if kept:
        report.add(
            "inferred",
            "cluster.storage_classes",
            f"{', '.join(kept)}: named by the tree's claims and installed by none of its apps",
        )
    return kept
