"""A Deployment and its Service → a ``[services.NAME]`` candidate.

The candidate is only a guess read off the manifests; ``finish`` renders it and keeps it only
when homegen's Deployment and Service equal the source's (homegen's own labels and
annotations aside). Anything the guess cannot read (volumes other than writable emptyDirs,
init containers, a second container ...) makes the rendering differ, so the objects stay.
"""

from __future__ import annotations

from typing import Any

from homegen.validate.reader.tree import as_dict, as_list

_STANDARD = frozenset(
    {
        "app", "version", "component", "app.kubernetes.io/name", "app.kubernetes.io/instance",
        "app.kubernetes.io/version", "app.kubernetes.io/component", "app.kubernetes.io/part-of",
        "app.kubernetes.io/managed-by",
    }
)  # fmt: skip
VAULT = "Imported"


def service_candidate(deployment: dict[str, Any], service: dict[str, Any]) -> dict[str, Any]:
    """The [services.NAME] keys that would render this Deployment and Service."""
    meta = as_dict(deployment.get("metadata"))
    spec = as_dict(deployment.get("spec"))
    pod = as_dict(as_dict(spec.get("template")).get("spec"))
    container = as_dict((as_list(pod.get("containers")) or [{}])[0])
    port = as_dict((as_list(container.get("ports")) or [{}])[0])
    labels = as_dict(meta.get("labels"))
    data: dict[str, Any] = {"image": container.get("image"), "port": port.get("containerPort")}
    if port.get("name") not in (None, "http"):
        data["port_name"] = port["name"]
    service_port = as_dict((as_list(as_dict(service.get("spec")).get("ports")) or [{}])[0])
    if service_port.get("port") not in (None, data["port"]):
        data["service_port"] = service_port["port"]
    if spec.get("replicas", 1) != 1:
        data["replicas"] = spec.get("replicas", 1)
    for key in ("command", "args"):
        if container.get(key):
            data[key] = [str(x) for x in as_list(container[key])]
    _env(container, data)
    for kind in ("liveness", "readiness"):
        probe = _probe(as_dict(container.get(f"{kind}Probe")), data["port"])
        if probe:
            data.setdefault("probes", {})[kind] = probe
    _resources(as_dict(container.get("resources")), data)
    writable = [
        str(m.get("mountPath"))
        for m in as_list(container.get("volumeMounts"))
        if isinstance(m, dict) and str(m.get("name", "")).startswith("writable-")
    ]
    if sorted(writable) != ["/tmp"]:
        data["writable_paths"] = sorted(writable)
    if labels.get("component", "server") != "server":
        data["component"] = labels["component"]
    if pod.get("automountServiceAccountToken") is True:
        data["service_account_token"] = True
    if not pod.get("affinity") and data.get("replicas", 1) > 1:
        data["anti_affinity"] = False
    extra = {k: v for k, v in labels.items() if k not in _STANDARD}
    if extra:
        data["labels"] = extra
    return data


def _env(container: dict[str, Any], data: dict[str, Any]) -> None:
    for item in as_list(container.get("env")):
        item = as_dict(item)
        name = str(item.get("name"))
        ref = as_dict(as_dict(item.get("valueFrom")).get("secretKeyRef"))
        if ref:
            data.setdefault("secret_env", {})[name] = (
                f"op://{VAULT}/{ref.get('name')}/{ref.get('key')}"
            )
        elif "value" in item:
            data.setdefault("env", {})[name] = str(item["value"])


def _probe(probe: dict[str, Any], port: Any) -> dict[str, Any] | None:
    if not probe:
        return None
    out: dict[str, Any] = {}
    if "httpGet" in probe:
        http = as_dict(probe["httpGet"])
        out = {"type": "http", "path": http.get("path", "/")}
        probe_port = http.get("port")
    elif "tcpSocket" in probe:
        out = {"type": "tcp"}
        probe_port = as_dict(probe["tcpSocket"]).get("port")
    elif "exec" in probe:
        out = {"type": "exec", "command": as_list(as_dict(probe["exec"]).get("command"))}
        probe_port = port
    else:
        return None
    if probe_port != port and isinstance(probe_port, int):
        out["port"] = probe_port
    if probe.get("initialDelaySeconds", 5) != 5:
        out["initial_delay"] = probe.get("initialDelaySeconds", 0)
    if probe.get("periodSeconds", 10) != 10:
        out["period"] = probe.get("periodSeconds", 10)
    return out


def _resources(resources: dict[str, Any], data: dict[str, Any]) -> None:
    requests, limits = as_dict(resources.get("requests")), as_dict(resources.get("limits"))
    picked = {
        "cpu_request": requests.get("cpu"), "memory_request": requests.get("memory"),
        "cpu_limit": limits.get("cpu"), "memory_limit": limits.get("memory"),
    }  # fmt: skip
    defaults = {
        "cpu_request": "100m",
        "memory_request": "128Mi",
        "cpu_limit": "500m",
        "memory_limit": "512Mi",
    }
    if all(isinstance(v, str) for v in picked.values()) and picked != defaults:
        data["resources"] = picked


def policies_differ(source: list[dict[str, Any]], rendered: list[dict[str, Any]]) -> str | None:
    """Why the tree's NetworkPolicies of a service are not the ones homegen renders for it
    (name and spec compared), or None. A tree with none gets homegen's: reported, not kept."""
    if not source:
        return None

    def by_name(objs: list[dict[str, Any]]) -> dict[str, Any]:
        return {str(as_dict(o.get("metadata")).get("name")): o.get("spec") for o in objs}

    mine, theirs = by_name(source), by_name(rendered)
    names = sorted(n for n in set(mine) | set(theirs) if mine.get(n) != theirs.get(n))
    return ", ".join(f"NetworkPolicy {n}" for n in names) or None
