"""Pod Security admission, exactly as the ``baseline`` and ``restricted`` levels define it.

https://kubernetes.io/docs/concepts/security/pod-security-standards/ (the controls of the
``latest`` version). Each check returns the violations of one pod spec as (level, message,
JSON path); ``restricted`` includes every ``baseline`` control. Unlike homegen's hardening
checklist this asks only what the admission controller refuses.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from homegen.validate.reader.tree import as_dict, as_list

Violation = tuple[str, str, str]  # (level, message, JSON path)

BASELINE_CAPABILITIES = frozenset(
    {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
     "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
)  # fmt: skip
SAFE_SYSCTLS = frozenset(
    {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
     "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
     "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time",
     "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"}
)  # fmt: skip
SELINUX_TYPES = frozenset(
    {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
)
RESTRICTED_VOLUMES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
     "projected", "secret"}
)  # fmt: skip
APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
FIELDS = ("containers", "initContainers", "ephemeralContainers")


def _containers(pod: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for field in FIELDS:
        for i, container in enumerate(as_list(pod.get(field))):
            yield f"{path}/{field}/{i}", as_dict(container)


def _contexts(pod: dict[str, Any], path: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(who, JSON path, securityContext) of the pod, then of each container."""
    yield "pod", f"{path}/securityContext", as_dict(pod.get("securityContext"))
    for cpath, container in _containers(pod, path):
        yield (
            f"container {container.get('name')}",
            f"{cpath}/securityContext",
            as_dict(container.get("securityContext")),
        )


def baseline(pod: dict[str, Any], annotations: dict[str, Any], path: str) -> Iterator[Violation]:
    """Every ``baseline`` control the pod spec at ``path`` breaks (``annotations``: its pod's,
    in the metadata beside that spec)."""
    level = "baseline"
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(key) is True:
            yield level, f"{key}: true", f"{path}/{key}"
    for i, volume in enumerate(as_list(pod.get("volumes"))):
        if "hostPath" in as_dict(volume):
            yield level, f"hostPath volume {as_dict(volume).get('name')}", f"{path}/volumes/{i}"
    for who, spath, context in _contexts(pod, path):
        if as_dict(context.get("windowsOptions")).get("hostProcess") is True:
            yield level, f"{who}: windowsOptions.hostProcess", spath
        selinux = as_dict(context.get("seLinuxOptions"))
        if str(selinux.get("type") or "") not in SELINUX_TYPES:
            yield level, f"{who}: seLinuxOptions.type {selinux.get('type')!r}", spath
        if selinux.get("user") or selinux.get("role"):
            yield level, f"{who}: seLinuxOptions.user/role set", spath
        if as_dict(context.get("seccompProfile")).get("type") == "Unconfined":
            yield level, f"{who}: seccompProfile Unconfined", spath
        if as_dict(context.get("appArmorProfile")).get("type") == "Unconfined":
            yield level, f"{who}: appArmorProfile Unconfined", spath
    for sysctl in as_list(as_dict(pod.get("securityContext")).get("sysctls")):
        name = as_dict(sysctl).get("name")
        if str(name) not in SAFE_SYSCTLS:
            yield level, f"unsafe sysctl {name}", f"{path}/securityContext/sysctls"
    for cpath, container in _containers(pod, path):
        name = container.get("name")
        context = as_dict(container.get("securityContext"))
        if context.get("privileged") is True:
            yield level, f"container {name} is privileged", cpath
        added = [str(c) for c in as_list(as_dict(context.get("capabilities")).get("add"))]
        extra = [c for c in added if c not in BASELINE_CAPABILITIES]
        if extra:
            yield level, f"container {name} adds capabilities {extra}", cpath
        if any(as_dict(p).get("hostPort") for p in as_list(container.get("ports"))):
            yield level, f"container {name} binds a hostPort", cpath
        if context.get("procMount") not in (None, "Default"):
            yield level, f"container {name} has procMount {context.get('procMount')}", cpath
    annotations_path = f"{path.removesuffix('/spec')}/metadata/annotations"
    for key, value in annotations.items():
        profile = str(value)
        if str(key).startswith(APPARMOR_PREFIX) and not (
            profile in ("", "runtime/default") or profile.startswith("localhost/")
        ):
            yield level, f"AppArmor profile {profile!r} ({key})", annotations_path


def restricted(pod: dict[str, Any], annotations: dict[str, Any], path: str) -> Iterator[Violation]:
    """Every ``restricted`` control the pod spec breaks (baseline's included)."""
    yield from baseline(pod, annotations, path)
    level = "restricted"
    for i, volume in enumerate(as_list(pod.get("volumes"))):
        kinds = [k for k in as_dict(volume) if k != "name"]
        if any(k not in RESTRICTED_VOLUMES and k != "hostPath" for k in kinds):
            name = as_dict(volume).get("name")
            yield level, f"volume {name} has type {', '.join(kinds)}", f"{path}/volumes/{i}"
    pod_context = as_dict(pod.get("securityContext"))
    if pod_context.get("runAsUser") == 0:
        yield level, "pod runAsUser 0", f"{path}/securityContext"
    pod_seccomp = as_dict(pod_context.get("seccompProfile")).get("type")
    windows = as_dict(pod.get("os")).get("name") == "windows"
    for cpath, container in _containers(pod, path):
        name = container.get("name")
        context = as_dict(container.get("securityContext"))
        if context.get("allowPrivilegeEscalation") is not False and not windows:
            yield level, f"container {name} allows privilege escalation", cpath
        non_root = context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))
        if non_root is not True:
            yield level, f"container {name} may run as root (runAsNonRoot not true)", cpath
        if context.get("runAsUser") == 0:
            yield level, f"container {name} runAsUser 0", cpath
        seccomp = as_dict(context.get("seccompProfile")).get("type", pod_seccomp)
        if seccomp not in ("RuntimeDefault", "Localhost") and not windows:
            yield level, f"container {name} has seccompProfile {seccomp or 'unset'}", cpath
        capabilities = as_dict(context.get("capabilities"))
        if "ALL" not in as_list(capabilities.get("drop")) and not windows:
            yield level, f"container {name} does not drop ALL capabilities", cpath
        added = [
            c
            for c in map(str, as_list(capabilities.get("add")))
            if c != "NET_BIND_SERVICE" and c in BASELINE_CAPABILITIES  # others: baseline
        ]
        if added:
            yield level, f"container {name} adds capabilities {added}", cpath


LEVEL_CHECKS = {"baseline": baseline, "restricted": restricted}
