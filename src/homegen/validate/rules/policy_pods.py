"""Policy for pods: Pod Security "restricted" and the homelab's hardening checklist.

Pod Security rules carry their level; workloads in a namespace that enforces a lower level
with a reason (``homegen.dev/pod-security-reason``) get those findings suppressed with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from homegen.validate.findings import Finding, Rule, finding, register, suppress
from homegen.validate.reader.tree import Obj, Tree, as_dict, as_list, tree_check
from homegen.validate.rules.workloads import PodTemplate, own_pod_templates

ENFORCE = "pod-security.kubernetes.io/enforce"
REASON = "homegen.dev/pod-security-reason"
LEVELS = {"privileged": 0, "baseline": 1, "restricted": 2}
RESTRICTED_VOLUMES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
     "projected", "secret"}
)  # fmt: skip


def _rule(rule_id: str, name: str, fix: str, why: str, level: str = "") -> Rule:
    return register(rule_id, name, "error", fix, why, level)  # type: ignore[arg-type]


ESCALATION = _rule(
    "HG301",
    "allow-privilege-escalation",
    "set securityContext.allowPrivilegeEscalation: false",
    "Pod Security restricted: a process must not gain more privileges than its parent.",
    "restricted",
)
NON_ROOT = _rule(
    "HG302",
    "run-as-non-root",
    "set securityContext.runAsNonRoot: true (and a non-zero runAsUser)",
    "Pod Security restricted: containers must not run as root.",
    "restricted",
)
SECCOMP = _rule(
    "HG303",
    "seccomp-profile",
    "set securityContext.seccompProfile.type: RuntimeDefault",
    "Pod Security restricted: the syscall filter must be RuntimeDefault or Localhost.",
    "restricted",
)
CAPABILITIES = _rule(
    "HG304",
    "capabilities",
    "set securityContext.capabilities.drop: [ALL] (add only NET_BIND_SERVICE)",
    "Pod Security restricted: drop every capability; only NET_BIND_SERVICE may be added.",
    "restricted",
)
VOLUMES = _rule(
    "HG305",
    "volume-types",
    "use configMap, secret, emptyDir, projected, downwardAPI, csi, "
    "ephemeral or persistentVolumeClaim volumes",
    "Pod Security restricted allows only these volume types.",
    "restricted",
)
HOST_ACCESS = _rule(
    "HG306",
    "host-namespaces",
    "remove hostNetwork/hostPID/hostIPC and hostPath volumes",
    "Pod Security baseline: sharing the node's namespaces or files escapes the container.",
    "baseline",
)
HOST_PORTS = _rule(
    "HG307",
    "host-ports",
    "remove ports[].hostPort; expose the port through a Service",
    "Pod Security baseline: host ports bind the node's network.",
    "baseline",
)
PRIVILEGED = _rule(
    "HG308",
    "privileged",
    "remove securityContext.privileged (or set it false)",
    "Pod Security baseline: a privileged container is root on the node.",
    "baseline",
)
READ_ONLY_ROOT = _rule(
    "HG309",
    "read-only-root-filesystem",
    "set securityContext.readOnlyRootFilesystem: true (mount an emptyDir where the app writes)",
    "Hardening checklist: an attacker cannot modify the image's files.",
)
RUN_AS_IDS = _rule(
    "HG310",
    "run-as-ids",
    "set runAsUser, runAsGroup and fsGroup to 65532",
    "Hardening checklist: explicit non-zero ids, never the image's default or root's group.",
)
RESOURCES = _rule(
    "HG311",
    "resources",
    "set resources.requests and resources.limits for cpu and memory",
    "Without requests the scheduler overcommits; without limits one pod starves the node.",
)
PROBES = _rule(
    "HG312",
    "probes",
    "add livenessProbe and readinessProbe",
    "Without probes a hung container keeps receiving traffic and is never restarted.",
)
ANTI_AFFINITY = register(
    "HG318",
    "anti-affinity",
    "warning",
    "add spec.template.spec.affinity.podAntiAffinity on kubernetes.io/hostname",
    "Replicas on one node all fail with it: spreading them is what replicas >= 2 are for.",
)


def enforced_level(ns: Obj) -> int | None:
    """The Pod Security level a Namespace's enforce label names (None: no label, no level)."""
    return LEVELS.get(str(ns.labels.get(ENFORCE)))


def _namespace_levels(tree: Tree) -> dict[str, tuple[int, str]]:
    """namespace → (enforced level, reason) for namespaces below restricted with a reason."""
    levels: dict[str, tuple[int, str]] = {}
    for ns in tree.kind("Namespace"):
        level = enforced_level(ns)
        reason = str(ns.annotations.get(REASON, "")).strip()
        if level is not None and level < LEVELS["restricted"] and reason:
            levels[ns.name] = (
                level,
                f"namespace {ns.name} enforces {ns.labels[ENFORCE]}: {reason}",
            )
    return levels


def _effective(pod: dict[str, Any], container: dict[str, Any], key: str) -> Any:
    """A security setting from the container, else from the pod."""
    own = as_dict(container.get("securityContext"))
    return own[key] if key in own else as_dict(pod.get("securityContext")).get(key)


def _container_checks(template: PodTemplate) -> Iterator[tuple[Rule, str, str]]:
    pod = template.spec
    for path, c in template.containers():
        name = c.get("name")
        sc = as_dict(c.get("securityContext"))
        if sc.get("allowPrivilegeEscalation") is not False:
            yield ESCALATION, f"container {name} may escalate privileges", path
        if _effective(pod, c, "runAsNonRoot") is not True or _effective(pod, c, "runAsUser") == 0:
            yield NON_ROOT, f"container {name} may run as root", path
        seccomp = as_dict(_effective(pod, c, "seccompProfile")).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            yield SECCOMP, f"container {name} has seccomp profile {seccomp or 'unset'}", path
        caps = as_dict(sc.get("capabilities"))
        added = [str(x) for x in as_list(caps.get("add")) if x != "NET_BIND_SERVICE"]
        if "ALL" not in as_list(caps.get("drop")) or added:
            yield CAPABILITIES, f"container {name} keeps capabilities {added or 'by default'}", path
        if sc.get("privileged") is True:
            yield PRIVILEGED, f"container {name} is privileged", path
        if any(as_dict(p).get("hostPort") for p in as_list(c.get("ports"))):
            yield HOST_PORTS, f"container {name} binds a hostPort", path
        if sc.get("readOnlyRootFilesystem") is not True:
            yield READ_ONLY_ROOT, f"container {name} has a writable root filesystem", path
        ids = [k for k in ("runAsUser", "runAsGroup") if not _effective(pod, c, k)]
        if ids:
            yield RUN_AS_IDS, f"container {name} has {'/'.join(ids)} unset or 0", path
        resources = as_dict(c.get("resources"))
        gaps = [
            f"{part}.{res}"
            for part in ("requests", "limits")
            for res in ("cpu", "memory")
            if res not in as_dict(resources.get(part))
        ]
        if gaps:
            yield RESOURCES, f"container {name} has no {', '.join(gaps)}", path


def _pod_checks(template: PodTemplate) -> Iterator[tuple[Rule, str, str]]:
    pod, path = template.spec, template.path
    host = [k for k in ("hostNetwork", "hostPID", "hostIPC") if pod.get(k) is True]
    for i, volume in enumerate(as_list(pod.get("volumes"))):
        kinds = [k for k in as_dict(volume) if k != "name"]
        if "hostPath" in kinds:
            host.append(f"hostPath volume {as_dict(volume).get('name')}")
        elif any(k not in RESTRICTED_VOLUMES for k in kinds):
            yield (
                VOLUMES,
                f"volume {as_dict(volume).get('name')} has type {kinds}",
                f"{path}/volumes/{i}",
            )
    if host:
        yield HOST_ACCESS, f"pod uses {', '.join(host)}", path
    if not as_dict(pod.get("securityContext")).get("fsGroup"):
        yield RUN_AS_IDS, "pod has fsGroup unset or 0", f"{path}/securityContext"
    if template.owner.kind not in ("Job", "CronJob"):
        for cpath, c in template.containers(init=False):
            missing = [p for p in ("livenessProbe", "readinessProbe") if not c.get(p)]
            if missing:
                yield PROBES, f"container {c.get('name')} has no {' or '.join(missing)}", cpath
    replicas = template.owner.spec.get("replicas", 1)
    spread = as_dict(pod.get("affinity")).get("podAntiAffinity")
    scaled = isinstance(replicas, int) and replicas >= 2
    if template.owner.kind in ("Deployment", "StatefulSet") and scaled and not spread:
        yield ANTI_AFFINITY, f"{replicas} replicas without podAntiAffinity", path


def check_pod_security(tree: Tree) -> Iterator[Finding]:
    """HG301-HG312, HG318: Pod Security and hardening of every workload's pods."""
    exempt = _namespace_levels(tree)
    for template in own_pod_templates(tree):
        level, reason = exempt.get(template.owner.namespace, (LEVELS["restricted"], ""))
        checks = [*_container_checks(template), *_pod_checks(template)]
        for rule, message, path in checks:
            item = finding(rule, template.owner.where, message, path=path)
            if rule.pss_level and LEVELS[rule.pss_level] > level:
                item = suppress(item, reason)
            yield item


tree_check(check_pod_security)  # a call, not a decorator: mutmut mutates undecorated functions only


def admission_violations(template: PodTemplate, level: int) -> Iterator[tuple[Rule, str, str]]:
    """The Pod Security rules a pod breaks at an enforced level (0 privileged … 2 restricted).

    Only the admission rules (those with a level): the hardening checklist is not what the
    API server rejects.
    """
    for rule, message, path in [*_container_checks(template), *_pod_checks(template)]:
        if rule.pss_level and LEVELS[rule.pss_level] <= level:
            yield rule, message, path
