"""HG253 (policy_controllers.py): the ARC listener pod the controller creates from a scale
set's listenerTemplate, against the Pod Security level of the namespace it runs in."""

from __future__ import annotations

from typing import Any

import pytest
from pod_trees import namespace, tree_of

from homegen.validate.reader.tree import Tree
from homegen.validate.rules.app_facts import AppFacts
from homegen.validate.rules.policy_controllers import check_listener_pods, listener_pod

CONTROLLER = "gha-runner-scale-set-controller"
SCALE_SET = "gha-runner-scale-set"
LISTENER_OK = {
    "spec": {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [
            {
                "name": "listener",
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "capabilities": {"drop": ["ALL"]},
                },
            }
        ],
    }
}
REJECTED = "the ARC listener pod created in arc-systems (enforces {level}) would be rejected: "
RESTRICTED_DEFAULT = REJECTED.format(level="restricted") + (
    "container listener may escalate privileges (HG301); "
    "container listener may run as root (HG302); "
    "container listener has seccomp profile unset (HG303); "
    "container listener keeps capabilities by default (HG304)"
)


def application(name: str, destination: str = "") -> dict[str, Any]:
    spec = {"destination": {"namespace": destination}} if destination else {}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": spec,
    }


def controller_deployment(ns: str) -> dict[str, Any]:
    """The controller's Deployment as its chart renders it (found by its part-of label)."""
    labels = {"app.kubernetes.io/part-of": "gha-rs-controller"}
    meta = {"name": "arc-gha-rs-controller", "namespace": ns, "labels": labels}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": {}}


def runner_set(template: Any) -> dict[str, Any]:
    meta = {"name": "home-io", "namespace": "arc-runners"}
    spec = {"githubConfigUrl": "https://github.com/me/lab", "listenerTemplate": template}
    return {"apiVersion": "actions.github.com/v1alpha1", "kind": "AutoscalingRunnerSet",
            "metadata": meta, "spec": spec}  # fmt: skip


def _facts(tree: Tree, charts: dict[str, list[tuple[str, dict[str, Any]]]]) -> list[AppFacts]:
    """Each Application of the tree with the charts (and values) given for it by name."""
    return [AppFacts(app, 0, charts=charts.get(app.name, [])) for app in tree.kind("Application")]


def hg253(
    level: str | None,
    values: dict[str, Any],
    *objects: dict[str, Any],
    controller_app: str = "arc-systems",
) -> list[tuple[str, str, str]]:
    """HG253 on a tree with the controller's app (destination ``controller_app``), a runner
    scale set app with ``values``, and the arc-systems Namespace at ``level``."""
    tree = tree_of(
        namespace("arc-systems", level),
        application("arc", controller_app),
        application("runners", "arc-runners"),
        *objects,
    )
    charts = {"arc": [(CONTROLLER, {})], "runners": [(SCALE_SET, values)]}
    return [(f.object, f.message, f.path) for f in check_listener_pods(tree, _facts(tree, charts))]


def test_listener_without_template_in_a_restricted_namespace() -> None:
    assert hg253("restricted", {}) == [("Application/argocd/runners", RESTRICTED_DEFAULT, "")]


def test_restricted_listener_template_is_clean() -> None:
    assert hg253("restricted", {"listenerTemplate": LISTENER_OK}) == []


def test_baseline_namespace_needs_only_baseline() -> None:
    assert hg253("baseline", {}) == []
    host = {"listenerTemplate": {"spec": {"hostNetwork": True}}}
    message = REJECTED.format(level="baseline") + "pod uses hostNetwork (HG306)"
    assert hg253("baseline", host) == [("Application/argocd/runners", message, "")]


@pytest.mark.parametrize("level", ["privileged", None, "strict"])
def test_namespace_that_enforces_nothing_known(level: str | None) -> None:
    host = {"listenerTemplate": {"spec": {"hostNetwork": True}}}
    assert hg253(level, host) == []


def test_controller_found_by_its_deployment() -> None:
    found = hg253("restricted", {}, controller_deployment("arc-systems"), controller_app="")
    assert found == [("Application/argocd/runners", RESTRICTED_DEFAULT, "")]


def test_two_controllers_the_values_must_name_the_namespace() -> None:
    second = controller_deployment("arc-other")
    enforced = namespace("arc-other", "restricted")  # either namespace would give a finding
    assert hg253("restricted", {}, second, enforced) == []
    account = {"controllerServiceAccount": {"name": "arc", "namespace": "arc-systems"}}
    assert hg253("restricted", account, second) == [
        ("Application/argocd/runners", RESTRICTED_DEFAULT, "")
    ]


@pytest.mark.parametrize("named", ["", 5, None])
def test_a_namespace_that_is_no_name_means_the_controllers(named: Any) -> None:
    account = {"controllerServiceAccount": {"name": "arc", "namespace": named}}
    assert hg253("restricted", account) == [("Application/argocd/runners", RESTRICTED_DEFAULT, "")]


def test_values_naming_a_namespace_without_level() -> None:
    account = {"controllerServiceAccount": {"name": "arc", "namespace": "elsewhere"}}
    assert hg253("restricted", account) == []


def test_other_charts_have_no_listener() -> None:
    tree = tree_of(namespace("arc-systems", "restricted"), application("arc", "arc-systems"),
                   application("runners", "arc-runners"))  # fmt: skip
    charts = {"arc": [(CONTROLLER, {})], "runners": [("actions-runner-controller", {})]}
    assert list(check_listener_pods(tree, _facts(tree, charts))) == []


def test_autoscaling_runner_set_object_is_checked_and_its_chart_app_is_not() -> None:
    template = {"spec": {"containers": [{"name": "listener", "securityContext": {
        "privileged": True, "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}],
        "securityContext": LISTENER_OK["spec"]["securityContext"]}}  # fmt: skip
    host = {"listenerTemplate": {"spec": {"hostNetwork": True}}}
    tree = tree_of(
        namespace("arc-systems", "baseline"),
        application("arc", "arc-systems"),
        application("runners", "arc-runners"),
        application("more-runners", "arc-runners"),
        runner_set(template),
    )
    (runners_set,) = tree.kind("AutoscalingRunnerSet")
    charts = {"arc": [(CONTROLLER, {})], "runners": [(SCALE_SET, host)],
              "more-runners": [(SCALE_SET, host)]}  # fmt: skip
    apps = _facts(tree, charts)
    apps[1].objects.append(runners_set)  # the runners chart was expanded into it
    first, second = check_listener_pods(tree, apps)
    rejected = REJECTED.format(level="baseline")
    assert (first.rule, first.object, first.message, first.path) == (
        "HG253", "AutoscalingRunnerSet/arc-runners/home-io",
        rejected + "container listener is privileged (HG308)", "/spec/listenerTemplate/spec",
    )  # fmt: skip
    assert first.file == "manifests/4.yaml"
    assert (second.object, second.message, second.path) == (
        "Application/argocd/more-runners", rejected + "pod uses hostNetwork (HG306)", "",
    )  # fmt: skip


def test_listener_pod_merges_the_listener_container_first() -> None:
    sidecar = {"name": "proxy", "image": "proxy:1"}
    listener = {"name": "listener", "securityContext": {"runAsUser": 1000}}
    template = {"spec": {"hostNetwork": True, "containers": [sidecar, listener]}}
    assert listener_pod(template) == {"hostNetwork": True, "containers": [listener, sidecar]}
    assert listener_pod({"spec": {"containers": [sidecar]}}) == {
        "containers": [{"name": "listener"}, sidecar]
    }
    assert listener_pod(None) == {"containers": [{"name": "listener"}]}


def test_sidecars_are_checked_after_the_listener() -> None:
    sidecar = {"name": "proxy", "securityContext": {"privileged": True}}
    template = {"spec": {"containers": [sidecar, {"name": "listener", "securityContext": {
        "privileged": True}}]}}  # fmt: skip
    (_, message, _) = hg253("baseline", {"listenerTemplate": template})[0]
    assert message.endswith(
        "container listener is privileged (HG308); container proxy is privileged (HG308)"
    )
