"""Pod Security admission as the baseline and restricted levels define it (pod_security.py),
and HG320/HG321 (policy_admission.py): a chart's pods against their namespace's level.

Each control is one change to a pod that passes the level, with exactly the violations
(level, message, JSON path) it must give."""

from __future__ import annotations

from typing import Any

import pytest
from pod_trees import (
    CHART_FILE,
    DELETE,
    DISALLOWED_VOLUME_TYPES,
    RESTRICTED_VOLUME_TYPES,
    changed,
    namespace,
    tree_of,
    workload,
)

from homegen.validate.rules.pod_security import LEVEL_CHECKS, baseline, restricted
from homegen.validate.rules.policy_admission import check_admission

Violation = tuple[str, str, str]
B, R = "baseline", "restricted"
SPEC = "/spec"
C0 = "/spec/containers/0"
APPARMOR = "container.apparmor.security.beta.kubernetes.io/c"

BASELINE_POD: dict[str, Any] = {"containers": [{"name": "c", "image": "c:1"}]}
RESTRICTED_POD: dict[str, Any] = {
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [
        {
            "name": "c",
            "image": "c:1",
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
            },
        }
    ],
}
PSC = "securityContext"
CSC = "containers/0/securityContext"

BASELINE_CASES: list[tuple[str, dict[str, Any], dict[str, str], list[Violation]]] = [
    ("host-network", {"hostNetwork": True}, {}, [(B, "hostNetwork: true", "/spec/hostNetwork")]),
    ("host-pid", {"hostPID": True}, {}, [(B, "hostPID: true", "/spec/hostPID")]),
    ("host-ipc", {"hostIPC": True}, {}, [(B, "hostIPC: true", "/spec/hostIPC")]),
    ("host-path", {"volumes": [{"name": "tmp", "emptyDir": {}},
                               {"name": "etc", "hostPath": {"path": "/etc"}}]}, {},
     [(B, "hostPath volume etc", "/spec/volumes/1")]),
    ("pod-host-process", {f"{PSC}/windowsOptions": {"hostProcess": True}}, {},
     [(B, "pod: windowsOptions.hostProcess", "/spec/securityContext")]),
    ("container-host-process", {f"{CSC}/windowsOptions": {"hostProcess": True}}, {},
     [(B, "container c: windowsOptions.hostProcess", f"{C0}/securityContext")]),
    ("init-host-process", {"initContainers": [{"name": "i", "securityContext": {
        "windowsOptions": {"hostProcess": True}}}]}, {},
     [(B, "container i: windowsOptions.hostProcess", "/spec/initContainers/0/securityContext")]),
    ("ephemeral-host-process", {"ephemeralContainers": [{"name": "e", "securityContext": {
        "windowsOptions": {"hostProcess": True}}}]}, {},
     [(B, "container e: windowsOptions.hostProcess",
       "/spec/ephemeralContainers/0/securityContext")]),
    ("selinux-type", {f"{PSC}/seLinuxOptions": {"type": "spc_t"}}, {},
     [(B, "pod: seLinuxOptions.type 'spc_t'", "/spec/securityContext")]),
    ("container-selinux-type", {f"{CSC}/seLinuxOptions": {"type": "unconfined_t"}}, {},
     [(B, "container c: seLinuxOptions.type 'unconfined_t'", f"{C0}/securityContext")]),
    ("selinux-user", {f"{PSC}/seLinuxOptions": {"user": "system_u"}}, {},
     [(B, "pod: seLinuxOptions.user/role set", "/spec/securityContext")]),
    ("selinux-role", {f"{CSC}/seLinuxOptions": {"role": "system_r"}}, {},
     [(B, "container c: seLinuxOptions.user/role set", f"{C0}/securityContext")]),
    ("seccomp-unconfined", {f"{PSC}/seccompProfile": {"type": "Unconfined"}}, {},
     [(B, "pod: seccompProfile Unconfined", "/spec/securityContext")]),
    ("apparmor-unconfined", {f"{CSC}/appArmorProfile": {"type": "Unconfined"}}, {},
     [(B, "container c: appArmorProfile Unconfined", f"{C0}/securityContext")]),
    ("unsafe-sysctl", {f"{PSC}/sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"},
                                          {"name": "kernel.msgmax", "value": "1"}]}, {},
     [(B, "unsafe sysctl kernel.msgmax", "/spec/securityContext/sysctls")]),
    ("privileged", {f"{CSC}/privileged": True}, {}, [(B, "container c is privileged", C0)]),
    ("capability", {f"{CSC}/capabilities": {"add": ["CHOWN", "SYS_ADMIN", "NET_RAW"]}}, {},
     [(B, "container c adds capabilities ['SYS_ADMIN', 'NET_RAW']", C0)]),
    ("host-port", {"containers/0/ports": [{"containerPort": 80},
                                          {"containerPort": 53, "hostPort": 53}]}, {},
     [(B, "container c binds a hostPort", C0)]),
    ("proc-mount", {f"{CSC}/procMount": "Unmasked"}, {},
     [(B, "container c has procMount Unmasked", C0)]),
    ("proc-mount-other", {f"{CSC}/procMount": "Masked"}, {},
     [(B, "container c has procMount Masked", C0)]),
    ("apparmor-runtime-other", {}, {APPARMOR: "runtime/unconfined"},
     [(B, f"AppArmor profile 'runtime/unconfined' ({APPARMOR})", "/metadata/annotations")]),
    ("apparmor-annotation", {}, {APPARMOR: "unconfined"},
     [(B, f"AppArmor profile 'unconfined' ({APPARMOR})", "/metadata/annotations")]),
]  # fmt: skip

BASELINE_PASSES: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "minimal": ({}, {}),
    "host-false": ({"hostNetwork": False, "hostPID": False, "hostIPC": False}, {}),
    "host-process-false": ({f"{PSC}/windowsOptions": {"hostProcess": False}}, {}),
    "selinux-level": ({f"{PSC}/seLinuxOptions": {"level": "s0:c123,c456"}}, {}),
    "seccomp-runtime-default": ({f"{CSC}/seccompProfile": {"type": "RuntimeDefault"}}, {}),
    "apparmor-runtime-default": ({f"{CSC}/appArmorProfile": {"type": "RuntimeDefault"}}, {}),
    "privileged-false": ({f"{CSC}/privileged": False}, {}),
    "host-port-0": ({"containers/0/ports": [{"containerPort": 80, "hostPort": 0}]}, {}),
    "proc-mount-default": ({f"{CSC}/procMount": "Default"}, {}),
    "apparmor-runtime": ({}, {APPARMOR: "runtime/default", "other/key": "unconfined"}),
    "apparmor-localhost": ({}, {APPARMOR: "localhost/k8s-web"}),
    "apparmor-empty": ({}, {APPARMOR: ""}),
    "nfs-volume": ({"volumes": [{"name": "n", "nfs": {"server": "nas", "path": "/"}}]}, {}),
}


def _violations(level: str, pod: dict[str, Any], annotations: dict[str, str]) -> list[Violation]:
    return list(LEVEL_CHECKS[level](pod, annotations, SPEC))


@pytest.mark.parametrize(
    ("changes", "annotations", "expected"), [pytest.param(*c[1:], id=c[0]) for c in BASELINE_CASES]
)
def test_baseline_control_gives_exactly_its_violation(
    changes: dict[str, Any], annotations: dict[str, str], expected: list[Violation]
) -> None:
    assert list(baseline(changed(BASELINE_POD, changes), annotations, SPEC)) == expected


@pytest.mark.parametrize(
    ("changes", "annotations"), BASELINE_PASSES.values(), ids=BASELINE_PASSES.keys()
)
def test_baseline_allows(changes: dict[str, Any], annotations: dict[str, str]) -> None:
    assert _violations(B, changed(BASELINE_POD, changes), annotations) == []


@pytest.mark.parametrize(
    ("changes", "annotations", "expected"), [pytest.param(*c[1:], id=c[0]) for c in BASELINE_CASES]
)
def test_restricted_includes_every_baseline_control(
    changes: dict[str, Any], annotations: dict[str, str], expected: list[Violation]
) -> None:
    found = _violations(R, changed(RESTRICTED_POD, changes), annotations)
    assert found[: len(expected)] == expected
    assert all(level == R for level, _, _ in found[len(expected) :])


@pytest.mark.parametrize(
    "capability",
    ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
     "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"],
)  # fmt: skip
def test_baseline_allows_every_default_capability(capability: str) -> None:
    pod = changed(BASELINE_POD, {f"{CSC}/capabilities/add": [capability]})
    assert _violations(B, pod, {}) == []


@pytest.mark.parametrize(
    "sysctl",
    ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
     "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
     "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
     "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
     "net.ipv4.tcp_keepalive_probes"],
)  # fmt: skip
def test_baseline_allows_every_safe_sysctl(sysctl: str) -> None:
    pod = changed(BASELINE_POD, {f"{PSC}/sysctls": [{"name": sysctl, "value": "1"}]})
    assert _violations(B, pod, {}) == []


@pytest.mark.parametrize(
    "capability",
    ["ALL", "BPF", "NET_ADMIN", "NET_RAW", "PERFMON", "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE",
     "SYS_TIME", "DAC_READ_SEARCH", "LINUX_IMMUTABLE", "IPC_LOCK"],
)  # fmt: skip
def test_baseline_refuses_any_other_capability(capability: str) -> None:
    pod = changed(BASELINE_POD, {f"{CSC}/capabilities/add": [capability]})
    assert _violations(B, pod, {}) == [(B, f"container c adds capabilities ['{capability}']", C0)]


@pytest.mark.parametrize(
    "sysctl",
    ["kernel.msgmax", "kernel.sem", "kernel.shmmax", "net.core.somaxconn", "net.ipv4.ip_forward",
     "net.ipv4.conf.all.route_localnet", "vm.swappiness", "vm.overcommit_memory"],
)  # fmt: skip
def test_baseline_refuses_any_other_sysctl(sysctl: str) -> None:
    pod = changed(BASELINE_POD, {f"{PSC}/sysctls": [{"name": sysctl, "value": "1"}]})
    assert _violations(B, pod, {}) == [
        (B, f"unsafe sysctl {sysctl}", "/spec/securityContext/sysctls")
    ]


@pytest.mark.parametrize(
    "selinux_type", ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]
)
def test_baseline_allows_every_container_selinux_type(selinux_type: str) -> None:
    pod = changed(BASELINE_POD, {f"{CSC}/seLinuxOptions": {"type": selinux_type}})
    assert _violations(B, pod, {}) == []


RESTRICTED_CASES: list[tuple[str, dict[str, Any], list[Violation]]] = [
    ("nfs-volume", {"volumes": [{"name": "tmp", "emptyDir": {}},
                                {"name": "n", "nfs": {"server": "nas", "path": "/"}}]},
     [(R, "volume n has type nfs", "/spec/volumes/1")]),
    ("two-types", {"volumes": [{"name": "x", "emptyDir": {}, "gitRepo": {"repository": "r"}}]},
     [(R, "volume x has type emptyDir, gitRepo", "/spec/volumes/0")]),
    ("host-path-is-baseline-only", {"volumes": [{"name": "etc", "hostPath": {"path": "/"}}]},
     [(B, "hostPath volume etc", "/spec/volumes/0")]),
    ("pod-user-0", {f"{PSC}/runAsUser": 0}, [(R, "pod runAsUser 0", "/spec/securityContext")]),
    ("escalation-unset", {f"{CSC}/allowPrivilegeEscalation": DELETE},
     [(R, "container c allows privilege escalation", C0)]),
    ("escalation-true", {f"{CSC}/allowPrivilegeEscalation": True},
     [(R, "container c allows privilege escalation", C0)]),
    ("non-root-unset", {f"{PSC}/runAsNonRoot": DELETE},
     [(R, "container c may run as root (runAsNonRoot not true)", C0)]),
    ("non-root-false", {f"{PSC}/runAsNonRoot": False},
     [(R, "container c may run as root (runAsNonRoot not true)", C0)]),
    ("container-non-root-false", {f"{CSC}/runAsNonRoot": False},
     [(R, "container c may run as root (runAsNonRoot not true)", C0)]),
    ("container-user-0", {f"{CSC}/runAsUser": 0}, [(R, "container c runAsUser 0", C0)]),
    ("seccomp-unset", {f"{PSC}/seccompProfile": DELETE},
     [(R, "container c has seccompProfile unset", C0)]),
    ("container-seccomp-unconfined", {f"{CSC}/seccompProfile": {"type": "Unconfined"}},
     [(B, "container c: seccompProfile Unconfined", f"{C0}/securityContext"),
      (R, "container c has seccompProfile Unconfined", C0)]),
    ("drop-not-all", {f"{CSC}/capabilities/drop": ["NET_RAW"]},
     [(R, "container c does not drop ALL capabilities", C0)]),
    ("capabilities-unset", {f"{CSC}/capabilities": DELETE},
     [(R, "container c does not drop ALL capabilities", C0)]),
    ("adds-a-default-capability", {f"{CSC}/capabilities/add": ["NET_BIND_SERVICE", "CHOWN"]},
     [(R, "container c adds capabilities ['CHOWN']", C0)]),
    ("adds-another-capability", {f"{CSC}/capabilities/add": ["SYS_ADMIN"]},
     [(B, "container c adds capabilities ['SYS_ADMIN']", C0)]),
    ("windows-needs-non-root-still", {"os": {"name": "windows"}, f"{PSC}/runAsNonRoot": DELETE},
     [(R, "container c may run as root (runAsNonRoot not true)", C0)]),
    ("linux-is-no-windows", {"os": {"name": "linux"}, f"{CSC}/capabilities": DELETE},
     [(R, "container c does not drop ALL capabilities", C0)]),
]  # fmt: skip

RESTRICTED_PASSES: dict[str, dict[str, Any]] = {
    "restricted": {},
    "container-non-root": {f"{PSC}/runAsNonRoot": DELETE, f"{CSC}/runAsNonRoot": True},
    "container-overrides-pod": {f"{PSC}/runAsNonRoot": False, f"{CSC}/runAsNonRoot": True},
    "users": {f"{PSC}/runAsUser": 1000, f"{CSC}/runAsUser": 1001},
    "container-seccomp": {f"{PSC}/seccompProfile": DELETE,
                          f"{CSC}/seccompProfile": {"type": "Localhost"}},
    "container-seccomp-beside-the-pod": {f"{PSC}/seccompProfile": {"type": "Localhost"},
                                         f"{CSC}/seccompProfile": {"type": "RuntimeDefault"}},
    "net-bind-service": {f"{CSC}/capabilities/add": ["NET_BIND_SERVICE"]},
    "windows": {"os": {"name": "windows"}, f"{PSC}/seccompProfile": DELETE,
                f"{CSC}/capabilities": DELETE, f"{CSC}/allowPrivilegeEscalation": DELETE},
}  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "expected"), [pytest.param(*c[1:], id=c[0]) for c in RESTRICTED_CASES]
)
def test_restricted_control_gives_exactly_its_violation(
    changes: dict[str, Any], expected: list[Violation]
) -> None:
    assert list(restricted(changed(RESTRICTED_POD, changes), {}, SPEC)) == expected


@pytest.mark.parametrize("changes", RESTRICTED_PASSES.values(), ids=RESTRICTED_PASSES.keys())
def test_restricted_allows(changes: dict[str, Any]) -> None:
    assert _violations(R, changed(RESTRICTED_POD, changes), {}) == []


@pytest.mark.parametrize("volume_type", DISALLOWED_VOLUME_TYPES)
def test_restricted_refuses_every_other_volume_type(volume_type: str) -> None:
    pod = changed(RESTRICTED_POD, {"volumes": [{"name": "v", volume_type: {}}]})
    assert _violations(R, pod, {}) == [(R, f"volume v has type {volume_type}", "/spec/volumes/0")]


def test_malformed_capabilities_and_sysctls_are_violations_not_a_crash() -> None:
    pod = changed(RESTRICTED_POD, {f"{CSC}/capabilities/add": [["CHOWN"]],
                                   f"{PSC}/sysctls": [{"name": ["kernel.msgmax"]}]})  # fmt: skip
    assert _violations(R, pod, {}) == [
        (B, "unsafe sysctl ['kernel.msgmax']", "/spec/securityContext/sysctls"),
        (B, "container c adds capabilities [\"['CHOWN']\"]", C0),
    ]


@pytest.mark.parametrize("volume_type", RESTRICTED_VOLUME_TYPES)
def test_restricted_allows_every_volume_type(volume_type: str) -> None:
    pod = changed(RESTRICTED_POD, {"volumes": [{"name": "v", volume_type: {}}]})
    assert _violations(R, pod, {}) == []


def test_restricted_checks_every_container() -> None:
    pod = changed(RESTRICTED_POD, {"initContainers": [{"name": "i"}]})
    pod["ephemeralContainers"] = [pod["containers"][0] | {"name": "e"}]
    init = "/spec/initContainers/0"
    assert _violations(R, pod, {}) == [
        (R, "container i allows privilege escalation", init),
        (R, "container i does not drop ALL capabilities", init),
    ]


# --- HG320/HG321: what a chart renders meets its namespace's level -------------------------

CHART_WEAK = {"containers": [{"name": "web", "image": "web:1", "securityContext": {
    "privileged": True}}]}  # fmt: skip
ESCALATION = "container web allows privilege escalation"


def admission(*objects: dict[str, Any], charted: tuple[dict[str, Any], ...]) -> list[Any]:
    """HG320/HG321 findings as (rule, object, message, path)."""
    found = check_admission(tree_of(*objects, charted=charted))
    return [(f.rule, f.object, f.message, f.path) for f in found]


def test_restricted_namespace_refuses_a_chart_pod_at_both_levels() -> None:
    found = admission(namespace("web", "restricted"), charted=(workload(CHART_WEAK),))
    suffix = ": namespace web enforces Pod Security restricted"
    container = "/spec/template/spec/containers/0"
    assert found == [
        ("HG320", "Deployment/web/web", f"container web is privileged{suffix}", container),
        ("HG321", "Deployment/web/web", f"{ESCALATION}{suffix}", container),
        ("HG321", "Deployment/web/web",
         f"container web may run as root (runAsNonRoot not true){suffix}", container),
        ("HG321", "Deployment/web/web", f"container web has seccompProfile unset{suffix}",
         container),
        ("HG321", "Deployment/web/web", f"container web does not drop ALL capabilities{suffix}",
         container),
    ]  # fmt: skip


def test_baseline_namespace_refuses_only_baseline() -> None:
    found = admission(namespace("web", "baseline"), charted=(workload(CHART_WEAK),))
    assert found == [
        ("HG320", "Deployment/web/web",
         "container web is privileged: namespace web enforces Pod Security baseline",
         "/spec/template/spec/containers/0"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "ns",
    [
        pytest.param(namespace("web", "privileged"), id="privileged"),
        pytest.param(namespace("web", None), id="no-label"),
        pytest.param(namespace("web", "strict"), id="no-such-level"),
        pytest.param(namespace("other", "restricted"), id="another-namespace"),
    ],
)
def test_chart_pods_where_nothing_is_enforced(ns: dict[str, Any]) -> None:
    assert admission(ns, charted=(workload(CHART_WEAK),)) == []


def test_the_trees_own_workloads_are_left_to_the_hardening_checklist() -> None:
    tree = tree_of(namespace("web", "baseline"), workload(CHART_WEAK))
    assert list(check_admission(tree)) == []
    found = admission(
        namespace("web", "baseline"),
        workload(CHART_WEAK, name="own"),
        workload(CHART_WEAK, name="elsewhere", namespace="other"),
        charted=(workload(CHART_WEAK, name="chart"),),
    )
    assert [(rule, obj) for rule, obj, _, _ in found] == [("HG320", "Deployment/web/chart")]


def test_findings_are_located_at_the_chart_template() -> None:
    tree = tree_of(namespace("web", "baseline"), charted=(workload(CHART_WEAK),))
    (item,) = check_admission(tree)
    assert (item.file, item.severity) == (CHART_FILE, "error")
    assert item.fix == (
        "set the chart's securityContext values so its pods meet Pod Security baseline"
    )


@pytest.mark.parametrize(
    ("kind", "annotations"),
    [
        ("Deployment", "/spec/template/metadata/annotations"),
        ("CronJob", "/spec/jobTemplate/spec/template/metadata/annotations"),
        ("Pod", "/metadata/annotations"),
    ],
)
def test_apparmor_annotation_of_the_pod_of_each_kind(kind: str, annotations: str) -> None:
    unconfined = {APPARMOR.replace("/c", "/web"): "unconfined"}
    pod = changed(CHART_WEAK, {"containers/0/securityContext": DELETE})
    chart_pod = workload(pod, kind=kind, template_meta={"annotations": unconfined})
    assert admission(namespace("web", "baseline"), charted=(chart_pod,)) == [
        ("HG320", f"{kind}/web/web",
         "AppArmor profile 'unconfined' (container.apparmor.security.beta.kubernetes.io/web): "
         "namespace web enforces Pod Security baseline", annotations),
    ]  # fmt: skip


def test_apparmor_annotation_of_the_workload_itself_is_not_the_pods() -> None:
    unconfined = {APPARMOR: "unconfined"}
    deployment = workload(CHART_WEAK)
    deployment["metadata"]["annotations"] = unconfined
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"] = {}
    assert admission(namespace("web", "baseline"), charted=(deployment,)) == []


@pytest.mark.parametrize("label", [["restricted"], {"level": "restricted"}, 2])
def test_an_enforce_label_that_is_no_string_enforces_nothing(label: Any) -> None:
    """The schema reports it (HG104); the rule must not crash the run on it."""
    ns = namespace("web", "restricted")
    ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = label
    assert admission(ns, charted=(workload(CHART_WEAK),)) == []
