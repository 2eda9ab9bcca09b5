"""HG301-HG312 and HG318 (policy_pods.py) and the workloads they read (workloads.py), on
small trees built in memory: each sub-condition of each rule is one change to a hardened pod,
with exactly the findings (rule, message, JSON path) it must give."""

from __future__ import annotations

from typing import Any

import pytest
from pod_trees import (
    DELETE,
    DISALLOWED_VOLUME_TYPES,
    HARDENED_CONTAINER,
    HARDENED_POD,
    RESTRICTED_VOLUME_TYPES,
    changed,
    namespace,
    tree_of,
    workload,
)
from validate_trees import clean_files, edit, rule_ids

from conftest import Validate
from homegen.validate.rules.policy_pods import check_pod_security
from homegen.validate.rules.workloads import pod_template, pod_templates, selector_matches

POD = "/spec/template/spec"
C0 = f"{POD}/containers/0"
Found = tuple[str, str, str]  # (rule, message, path)


def found(*objects: dict[str, Any], charted: tuple[dict[str, Any], ...] = ()) -> list[Found]:
    """The pod rules' findings on a tree of ``objects``, as (rule, message, path)."""
    tree = tree_of(*objects, charted=charted)
    return sorted((f.rule, f.message, f.path) for f in check_pod_security(tree))


def pod(changes: dict[str, Any]) -> dict[str, Any]:
    """The hardened pod spec with ``changes`` (``securityContext/…``, ``containers/0/…``)."""
    return changed(HARDENED_POD, changes)


SC = "containers/0/securityContext"
ALL_IDS = "container web has runAsUser unset or 0"
NO_PROBES = "container web has no livenessProbe or readinessProbe"

WEAKENED: list[tuple[str, dict[str, Any], list[Found]]] = [
    ("escalation-true", {f"{SC}/allowPrivilegeEscalation": True},
     [("HG301", "container web may escalate privileges", C0)]),
    ("escalation-unset", {f"{SC}/allowPrivilegeEscalation": DELETE},
     [("HG301", "container web may escalate privileges", C0)]),
    ("non-root-false", {"securityContext/runAsNonRoot": False},
     [("HG302", "container web may run as root", C0)]),
    ("non-root-unset", {"securityContext/runAsNonRoot": DELETE},
     [("HG302", "container web may run as root", C0)]),
    ("non-root-not-a-bool", {"securityContext/runAsNonRoot": 1},
     [("HG302", "container web may run as root", C0)]),
    ("user-0", {"securityContext/runAsUser": 0},
     [("HG302", "container web may run as root", C0), ("HG310", ALL_IDS, C0)]),
    ("container-non-root-false", {f"{SC}/runAsNonRoot": False},
     [("HG302", "container web may run as root", C0)]),
    ("container-user-0", {f"{SC}/runAsUser": 0},
     [("HG302", "container web may run as root", C0), ("HG310", ALL_IDS, C0)]),
    ("seccomp-unconfined", {"securityContext/seccompProfile": {"type": "Unconfined"}},
     [("HG303", "container web has seccomp profile Unconfined", C0)]),
    ("seccomp-unset", {"securityContext/seccompProfile": DELETE},
     [("HG303", "container web has seccomp profile unset", C0)]),
    ("container-seccomp-unconfined", {f"{SC}/seccompProfile": {"type": "Unconfined"}},
     [("HG303", "container web has seccomp profile Unconfined", C0)]),
    ("capability-added", {f"{SC}/capabilities/add": ["SYS_ADMIN"]},
     [("HG304", "container web keeps capabilities ['SYS_ADMIN']", C0)]),
    ("capability-beside-net-bind", {f"{SC}/capabilities/add": ["NET_BIND_SERVICE", "NET_RAW"]},
     [("HG304", "container web keeps capabilities ['NET_RAW']", C0)]),
    ("capabilities-not-dropped", {f"{SC}/capabilities/drop": ["NET_RAW"]},
     [("HG304", "container web keeps capabilities by default", C0)]),
    ("capabilities-unset", {f"{SC}/capabilities": DELETE},
     [("HG304", "container web keeps capabilities by default", C0)]),
    ("volume-nfs", {"volumes": [{"name": "tmp", "emptyDir": {}},
                                {"name": "nfs", "nfs": {"server": "nas", "path": "/"}}]},
     [("HG305", "volume nfs has type ['nfs']", f"{POD}/volumes/1")]),
    ("host-network", {"hostNetwork": True}, [("HG306", "pod uses hostNetwork", POD)]),
    ("host-pid", {"hostPID": True}, [("HG306", "pod uses hostPID", POD)]),
    ("host-ipc", {"hostIPC": True}, [("HG306", "pod uses hostIPC", POD)]),
    ("host-path", {"volumes": [{"name": "etc", "hostPath": {"path": "/etc"}}]},
     [("HG306", "pod uses hostPath volume etc", POD)]),
    ("host-everything", {"hostIPC": True, "hostPID": True, "hostNetwork": True,
                         "volumes": [{"name": "etc", "hostPath": {"path": "/etc"}}]},
     [("HG306", "pod uses hostNetwork, hostPID, hostIPC, hostPath volume etc", POD)]),
    ("host-port", {"containers/0/ports": [{"containerPort": 8080},
                                          {"containerPort": 53, "hostPort": 53}]},
     [("HG307", "container web binds a hostPort", C0)]),
    ("privileged", {f"{SC}/privileged": True}, [("HG308", "container web is privileged", C0)]),
    ("writable-root", {f"{SC}/readOnlyRootFilesystem": False},
     [("HG309", "container web has a writable root filesystem", C0)]),
    ("writable-root-unset", {f"{SC}/readOnlyRootFilesystem": DELETE},
     [("HG309", "container web has a writable root filesystem", C0)]),
    ("user-unset", {"securityContext/runAsUser": DELETE}, [("HG310", ALL_IDS, C0)]),
    ("group-0", {"securityContext/runAsGroup": 0},
     [("HG310", "container web has runAsGroup unset or 0", C0)]),
    ("group-unset", {"securityContext/runAsGroup": DELETE},
     [("HG310", "container web has runAsGroup unset or 0", C0)]),
    ("ids-unset", {"securityContext/runAsGroup": DELETE, "securityContext/runAsUser": DELETE},
     [("HG310", "container web has runAsUser/runAsGroup unset or 0", C0)]),
    ("fs-group-0", {"securityContext/fsGroup": 0},
     [("HG310", "pod has fsGroup unset or 0", f"{POD}/securityContext")]),
    ("fs-group-unset", {"securityContext/fsGroup": DELETE},
     [("HG310", "pod has fsGroup unset or 0", f"{POD}/securityContext")]),
    ("memory-limit", {"containers/0/resources/limits": {"cpu": "1"}},
     [("HG311", "container web has no limits.memory", C0)]),
    ("cpu-request-memory-limit", {"containers/0/resources/requests": {"memory": "1Gi"},
                                  "containers/0/resources/limits": {"cpu": "1"}},
     [("HG311", "container web has no requests.cpu, limits.memory", C0)]),
    ("resources-unset", {"containers/0/resources": DELETE},
     [("HG311", "container web has no requests.cpu, requests.memory, limits.cpu, "
       "limits.memory", C0)]),
    ("liveness", {"containers/0/livenessProbe": DELETE},
     [("HG312", "container web has no livenessProbe", C0)]),
    ("readiness", {"containers/0/readinessProbe": DELETE},
     [("HG312", "container web has no readinessProbe", C0)]),
    ("probes", {"containers/0/readinessProbe": DELETE, "containers/0/livenessProbe": DELETE},
     [("HG312", NO_PROBES, C0)]),
    ("empty-probe", {"containers/0/readinessProbe": {}},
     [("HG312", "container web has no readinessProbe", C0)]),
    # fields only a container has count on the container, not on the pod
    ("container-fields-on-the-pod", {
        SC: {"privileged": False},
        "securityContext/allowPrivilegeEscalation": False,
        "securityContext/readOnlyRootFilesystem": True,
        "securityContext/capabilities": {"drop": ["ALL"]}},
     [("HG301", "container web may escalate privileges", C0),
      ("HG304", "container web keeps capabilities by default", C0),
      ("HG309", "container web has a writable root filesystem", C0)]),
    ("privileged-on-the-pod", {"securityContext/privileged": True}, []),
    ("fs-group-on-the-container", {"securityContext/fsGroup": DELETE, f"{SC}/fsGroup": 65532},
     [("HG310", "pod has fsGroup unset or 0", f"{POD}/securityContext")]),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "expected"), [pytest.param(*w[1:], id=w[0]) for w in WEAKENED])
def test_weakened_pod_gives_exactly_its_findings(
    changes: dict[str, Any], expected: list[Found]
) -> None:
    assert found(workload(pod(changes))) == sorted(expected)


HARDENED_VARIANTS = {
    "hardened": {},
    "container-overrides-pod-non-root": {
        "securityContext/runAsNonRoot": False,
        f"{SC}/runAsNonRoot": True,
    },
    "container-overrides-pod-user-0": {"securityContext/runAsUser": 0, f"{SC}/runAsUser": 1000},
    "ids-on-the-container": {
        "securityContext/runAsUser": DELETE,
        "securityContext/runAsGroup": DELETE,
        f"{SC}/runAsUser": 1000,
        f"{SC}/runAsGroup": 1000,
    },
    "container-seccomp-localhost": {
        "securityContext/seccompProfile": DELETE,
        f"{SC}/seccompProfile": {"type": "Localhost", "localhostProfile": "web.json"},
    },
    "pod-seccomp-localhost": {"securityContext/seccompProfile": {"type": "Localhost"}},
    "net-bind-service": {f"{SC}/capabilities/add": ["NET_BIND_SERVICE"]},
    "drop-all-among-others": {f"{SC}/capabilities/drop": ["NET_RAW", "ALL"]},
    "privileged-false": {f"{SC}/privileged": False},
    "host-false": {"hostNetwork": False, "hostPID": False, "hostIPC": False},
    "host-port-0": {"containers/0/ports": [{"containerPort": 8080, "hostPort": 0}]},
}


@pytest.mark.parametrize("changes", HARDENED_VARIANTS.values(), ids=HARDENED_VARIANTS.keys())
def test_hardened_variants_give_nothing(changes: dict[str, Any]) -> None:
    assert found(workload(pod(changes))) == []


@pytest.mark.parametrize("volume_type", RESTRICTED_VOLUME_TYPES)
def test_every_volume_type_restricted_allows(volume_type: str) -> None:
    volumes = [{"name": "v", volume_type: {}}]
    assert found(workload(pod({"volumes": volumes}))) == []


@pytest.mark.parametrize("volume_type", DISALLOWED_VOLUME_TYPES)
def test_every_other_volume_type_is_refused(volume_type: str) -> None:
    volumes = [{"name": "v", volume_type: {}}]
    assert found(workload(pod({"volumes": volumes}))) == [
        ("HG305", f"volume v has type ['{volume_type}']", f"{POD}/volumes/0")
    ]


def test_init_and_ephemeral_containers_are_checked_but_need_no_probes() -> None:
    quiet = {k: v for k, v in HARDENED_CONTAINER.items() if not k.endswith("Probe")}
    privileged = changed(quiet, {"securityContext/privileged": True})
    spec = pod(
        {
            "initContainers": [{**quiet, "name": "init"}, {**privileged, "name": "setup"}],
            "ephemeralContainers": [{**privileged, "name": "debug"}],
        }
    )
    assert found(workload(spec)) == [
        ("HG308", "container debug is privileged", f"{POD}/ephemeralContainers/0"),
        ("HG308", "container setup is privileged", f"{POD}/initContainers/1"),
    ]


def test_every_container_is_checked_by_its_own_name_and_path() -> None:
    second = changed(HARDENED_CONTAINER, {"name": "sidecar", "securityContext/privileged": True})
    assert found(workload(pod({"containers": [HARDENED_CONTAINER, second]}))) == [
        ("HG308", "container sidecar is privileged", f"{POD}/containers/1")
    ]


# --- kinds: where each kind keeps its pod ---------------------------------------------------

PRIVILEGED = pod({f"{SC}/privileged": True})


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("Deployment", POD),
        ("StatefulSet", POD),
        ("DaemonSet", POD),
        ("ReplicaSet", POD),
        ("Job", POD),
        ("CronJob", "/spec/jobTemplate/spec/template/spec"),
        ("Pod", "/spec"),
    ],
)
def test_every_workload_kind_has_its_pod_checked(kind: str, path: str) -> None:
    assert found(workload(PRIVILEGED, kind=kind)) == [
        ("HG308", "container web is privileged", f"{path}/containers/0")
    ]


@pytest.mark.parametrize("kind", ["Job", "CronJob"])
def test_jobs_need_no_probes(kind: str) -> None:
    spec = pod({"containers/0/livenessProbe": DELETE, "containers/0/readinessProbe": DELETE})
    assert found(workload(spec, kind=kind)) == []


@pytest.mark.parametrize("kind", ["DaemonSet", "ReplicaSet", "Pod"])
def test_other_kinds_need_probes(kind: str) -> None:
    spec = pod({"containers/0/livenessProbe": DELETE, "containers/0/readinessProbe": DELETE})
    path = "/spec/containers/0" if kind == "Pod" else C0
    assert found(workload(spec, kind=kind)) == [("HG312", NO_PROBES, path)]


def test_objects_that_are_no_workload_are_not_checked() -> None:
    template = workload(PRIVILEGED, kind="Deployment")
    other = {**template, "apiVersion": "v1", "kind": "PodTemplate"}
    assert found(other) == []
    (item,) = tree_of(other).kind("PodTemplate")
    assert pod_template(item) is None


def test_chart_pods_are_left_to_pod_security_admission() -> None:
    assert found(charted=(workload(PRIVILEGED),)) == []
    assert found(workload(PRIVILEGED), charted=(workload(PRIVILEGED, name="chart"),)) == [
        ("HG308", "container web is privileged", C0)
    ]


# --- HG318: replicas without podAntiAffinity ------------------------------------------------

SPREAD = {
    "podAntiAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname"}}
        ]
    }
}


@pytest.mark.parametrize(
    ("kind", "replicas", "affinity", "expected"),
    [
        ("Deployment", 2, None, ["2 replicas without podAntiAffinity"]),
        ("StatefulSet", 3, None, ["3 replicas without podAntiAffinity"]),
        ("Deployment", 2, {"nodeAffinity": {}}, ["2 replicas without podAntiAffinity"]),
        ("Deployment", 2, SPREAD, []),
        ("Deployment", 1, None, []),
        ("Deployment", None, None, []),
        ("Deployment", "2", None, []),
        ("ReplicaSet", 2, None, []),
    ],
)
def test_replicas_without_anti_affinity_warn(
    kind: str, replicas: Any, affinity: Any, expected: list[str]
) -> None:
    spec = pod({} if affinity is None else {"affinity": affinity})
    owner = {} if replicas is None else {"replicas": replicas}
    findings = list(check_pod_security(tree_of(workload(spec, kind=kind, spec=owner))))
    assert [(f.rule, f.severity, f.message, f.path) for f in findings] == [
        ("HG318", "warning", message, POD) for message in expected
    ]


# --- namespaces below restricted, with a reason ---------------------------------------------

WEAK = pod(
    {
        f"{SC}/allowPrivilegeEscalation": True,
        f"{SC}/privileged": True,
        f"{SC}/readOnlyRootFilesystem": False,
    }
)
PRIVILEGED_REASON = "namespace web enforces privileged: Docker-in-Docker"
BASELINE_REASON = "namespace web enforces baseline: the test says so"


@pytest.mark.parametrize(
    ("ns", "suppressed"),
    [
        pytest.param(
            namespace("web", "privileged", "Docker-in-Docker"),
            {"HG301": PRIVILEGED_REASON, "HG308": PRIVILEGED_REASON},
            id="privileged-with-reason",
        ),
        pytest.param(
            namespace("web", "baseline", " the test says so "),
            {"HG301": BASELINE_REASON},
            id="baseline-with-reason",
        ),
        pytest.param(namespace("web", "baseline", " "), {}, id="baseline-blank-reason"),
        pytest.param(namespace("web", "baseline"), {}, id="baseline-without-reason"),
        pytest.param(namespace("web", "privileged", ""), {}, id="privileged-empty-reason"),
        pytest.param(namespace("web", "restricted", "why not"), {}, id="restricted"),
        pytest.param(namespace("web", "strict", "why not"), {}, id="no-such-level"),
        pytest.param(namespace("web", None, "why not"), {}, id="no-level"),
        pytest.param(namespace("other", "privileged", "why"), {}, id="another-namespace"),
    ],
)
def test_a_lower_level_with_a_reason_suppresses_the_rules_above_it(
    ns: dict[str, Any], suppressed: dict[str, str]
) -> None:
    findings = check_pod_security(tree_of(ns, workload(WEAK)))
    assert {f.rule: f.suppressed_reason for f in findings} == {
        "HG301": None,
        "HG308": None,
        "HG309": None,  # the hardening checklist has no level: never exempt
        **suppressed,
    }


def test_findings_name_the_workload_and_its_file() -> None:
    (item,) = check_pod_security(tree_of(namespace("web", "restricted"), workload(PRIVILEGED)))
    assert (item.file, item.line, item.object, item.severity) == (
        "manifests/1.yaml", 1, "Deployment/web/web", "error",
    )  # fmt: skip
    assert item.fix == "remove securityContext.privileged (or set it false)"


# --- workloads.py: pod templates and label selectors ----------------------------------------


META = {"labels": {"app": "web", "tier": "1"}, "annotations": {"note": "the pod's"}}


def _template_of(obj: dict[str, Any]) -> tuple[Any, ...]:
    (item,) = tree_of(obj).objects
    template = pod_template(item)
    assert template is not None
    assert template.owner is item
    return template.labels, template.annotations, template.spec, template.path


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"])
def test_pod_template_of_a_controller(kind: str) -> None:
    obj = workload(HARDENED_POD, kind=kind, template_meta=META)
    obj["metadata"]["annotations"] = {"note": "the workload's"}
    assert _template_of(obj) == (*META.values(), HARDENED_POD, POD)


def test_pod_template_of_a_cron_job_and_of_a_pod() -> None:
    cron = workload(HARDENED_POD, kind="CronJob", template_meta=META)
    path = "/spec/jobTemplate/spec/template/spec"
    assert _template_of(cron) == (*META.values(), HARDENED_POD, path)
    assert _template_of(workload(HARDENED_POD, kind="Pod", template_meta=META)) == (
        *META.values(), HARDENED_POD, "/spec",
    )  # fmt: skip


def test_pod_templates_of_a_tree_in_file_order_of_each_kind() -> None:
    tree = tree_of(
        workload(HARDENED_POD, kind="Job", name="a"),
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "web"}},
        workload(HARDENED_POD, kind="Deployment", name="b"),
        workload(HARDENED_POD, kind="Pod", name="c"),
        workload(HARDENED_POD, kind="Deployment", name="d"),
    )
    assert [t.owner.name for t in pod_templates(tree)] == ["b", "d", "a", "c"]


def test_containers_with_and_without_init_ones() -> None:
    spec = changed(
        HARDENED_POD, {"initContainers": [{"name": "i"}], "ephemeralContainers": [{"name": "e"}]}
    )
    (template,) = pod_templates(tree_of(workload(spec)))
    assert [(p, c["name"]) for p, c in template.containers()] == [
        (C0, "web"),
        (f"{POD}/initContainers/0", "i"),
        (f"{POD}/ephemeralContainers/0", "e"),
    ]
    assert [p for p, _ in template.containers(init=False)] == [C0]


LABELS = {"app": "web", "tier": "front", "replicas": 2}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ({}, True),
        ({"matchLabels": {"app": "web"}}, True),
        ({"matchLabels": {"app": "web", "tier": "front"}}, True),
        ({"matchLabels": {"app": "web", "tier": "back"}}, False),
        ({"matchLabels": {"zone": "a"}}, False),
        ({"matchLabels": {"replicas": "2"}}, True),
        ({"matchLabels": {"app": "web"}, "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["back"]}]}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["back", "front"]}]},
         True),
        ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]}, False),
        ({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}, False),
        ({"matchExpressions": [{"key": "replicas", "operator": "In", "values": [2]}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["back"]}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]},
         False),
        ({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, True),
        ({"matchExpressions": [{"key": "zone", "operator": "Exists"}]}, False),
        ({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "Equals", "values": ["front"]}]},
         False),
        ({"matchExpressions": [{"key": "tier", "operator": "Exists"},
                               {"key": "zone", "operator": "Exists"}]}, False),
    ],
)  # fmt: skip
def test_selector_matches(selector: dict[str, Any], matches: bool) -> None:
    assert selector_matches(selector, LABELS) is matches


@pytest.mark.parametrize("operator", ["In", "NotIn", "Exists", "DoesNotExist"])
def test_a_malformed_expression_key_selects_nothing(operator: str) -> None:
    expression = {"key": ["tier"], "operator": operator, "values": ["front"]}
    assert selector_matches({"matchExpressions": [expression]}, LABELS) is False


def test_a_malformed_selector_is_reported_not_a_crash(validate: Validate) -> None:
    expression = "{key: [app], operator: In, values: [whoami]}"
    files = edit(clean_files(), "manifests/whoami/deployment.yaml", "matchLabels: {app: whoami}",
                 f"matchLabels: {{app: whoami}}\n    matchExpressions: [{expression}]")  # fmt: skip
    report = validate(files)
    assert "HG104" in rule_ids(report)
    assert report.exit_code == 1
