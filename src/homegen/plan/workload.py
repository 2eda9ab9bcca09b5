"""A hardened workload for one [services.NAME] table."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from homegen.config.fields import parse_op_ref, secret_name
from homegen.config.models import Config, Probe, Service
from homegen.plan.model import Container, WorkloadPlan
from homegen.plan.netpol import workload_selector


def plan_workload(config: Config, name: str, svc: Service) -> WorkloadPlan:
    """The Deployment, Service, ConfigMap and claims of a service."""
    version = image_version(svc.image)
    labels = {
        **dict(sorted(svc.labels.items())),
        "app": name,
        "version": version,
        "component": svc.component,
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/version": version,
        "app.kubernetes.io/component": svc.component,
        "app.kubernetes.io/part-of": config.cluster.name,
        "app.kubernetes.io/managed-by": "homegen",
    }
    config_data = {config_key(path): text for path, text in sorted(svc.config_files.items())}
    pod_annotations = dict(sorted(svc.annotations.items()))
    if config_data:
        digest = hashlib.sha256(repr(sorted(config_data.items())).encode()).hexdigest()
        pod_annotations["checksum/config"] = digest
    volumes, mounts = _volumes(name, svc)
    return WorkloadPlan(
        name=name,
        namespace=svc.namespace or name,
        replicas=svc.replicas,
        labels=labels,
        selector=workload_selector(name),
        pod_annotations=pod_annotations,
        annotations={
            f"policy.homegen.dev/{rule}": reason
            for rule, reason in sorted(svc.policy_exceptions.items())
        },
        run_as=config.defaults.run_as,
        anti_affinity=svc.anti_affinity and svc.replicas > 1,
        service_account_token=svc.service_account_token,
        container=Container(
            image=svc.image,
            port=svc.port,
            port_name=svc.port_name,
            command=tuple(svc.command),
            args=tuple(svc.args),
            env=tuple(sorted(svc.env.items())),
            secret_env=tuple(
                (var, secret_name(parse_op_ref(ref)[1]), parse_op_ref(ref)[2])
                for var, ref in sorted(svc.secret_env.items())
            ),
            liveness=_probe(svc.probes.liveness, svc.port),
            readiness=_probe(svc.probes.readiness, svc.port),
            resources=_resources(config, svc),
            mounts=tuple(mounts),
        ),
        volumes=tuple(volumes),
        service_port=svc.service_port or svc.port,
        config_data=config_data,
        claims=tuple(
            (f"{name}-{vol}", spec.size, spec.storage_class)
            for vol, spec in sorted(svc.volumes.items())
        ),
    )


def image_version(image: str) -> str:
    """A label-safe version from an image's tag or digest."""
    reference = image.rsplit("/", 1)[-1]
    if "@" in reference:
        return "sha256-" + reference.split("@sha256:")[1][:12]
    tag = reference.split(":", 1)[1] if ":" in reference else "unknown"
    return re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", tag[:63]) or "unknown"


def config_key(path: str) -> str:
    """The ConfigMap key of a config file path: the path with '/' as '-'."""
    return re.sub(r"[^-._a-zA-Z0-9]", "-", path.strip("/"))[:253]


def _probe(probe: Probe | None, default_port: int) -> dict[str, Any]:
    probe = probe or Probe(type="tcp")
    port = probe.port or default_port
    if probe.type == "http":
        action: dict[str, Any] = {"httpGet": {"path": probe.path, "port": port, "scheme": "HTTP"}}
    elif probe.type == "tcp":
        action = {"tcpSocket": {"port": port}}
    else:
        action = {"exec": {"command": list(probe.command)}}
    return {
        **action,
        "initialDelaySeconds": probe.initial_delay,
        "periodSeconds": probe.period,
        "timeoutSeconds": 1,
        "successThreshold": 1,
        "failureThreshold": 3,
    }


def _resources(config: Config, svc: Service) -> dict[str, dict[str, str]]:
    res = svc.resources or config.defaults.resources
    return {
        "requests": {"cpu": res.cpu_request, "memory": res.memory_request},
        "limits": {"cpu": res.cpu_limit, "memory": res.memory_limit},
    }


def _volumes(name: str, svc: Service) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Volumes and mounts: writable emptyDirs, config files, secret files, claims."""
    volumes: list[dict[str, Any]] = []
    mounts: list[dict[str, Any]] = []
    for i, path in enumerate(sorted(svc.writable_paths)):
        volumes.append({"name": f"writable-{i}", "emptyDir": {}})
        mounts.append({"name": f"writable-{i}", "mountPath": path})
    if svc.config_files:
        volumes.append({"name": "config", "configMap": {"name": f"{name}-config"}})
        for path in sorted(svc.config_files):
            mounts.append(
                {"name": "config", "mountPath": path, "subPath": config_key(path), "readOnly": True}
            )
    secret_volumes: dict[str, str] = {}
    for path, ref in sorted(svc.secret_files.items()):
        _, item, field = parse_op_ref(ref)
        secret = secret_name(item)
        volume = secret_volumes.setdefault(secret, f"secret-{len(secret_volumes)}")
        mounts.append({"name": volume, "mountPath": path, "subPath": field, "readOnly": True})
    for secret, volume in secret_volumes.items():
        volumes.append({"name": volume, "secret": {"secretName": secret}})
    for vol, spec in sorted(svc.volumes.items()):
        volumes.append(
            {"name": f"data-{vol}", "persistentVolumeClaim": {"claimName": f"{name}-{vol}"}}
        )
        mounts.append({"name": f"data-{vol}", "mountPath": spec.path})
    mounts.sort(key=lambda m: (m["mountPath"], m["name"]))
    return volumes, mounts
