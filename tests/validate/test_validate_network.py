"""HG330 (a pod no NetworkPolicy selects) and HG331 (a NetworkPolicy that selects no pod)."""

from __future__ import annotations

from validate_trees import clean_files, dedent, edit

from conftest import Validate

POLICY = "manifests/whoami/networkpolicy.yaml"
DEPLOY = "manifests/whoami/deployment.yaml"


def _found(report: object) -> list[tuple[str, str, str | None]]:
    return [
        (f.rule, f.severity, f.suppressed_reason)
        for f in report.findings  # type: ignore[attr-defined]
        if f.rule.startswith("HG33")
    ]


def test_the_clean_tree_is_isolated(validate: Validate) -> None:
    assert validate(clean_files()).findings == []


def test_a_homegen_pod_without_a_policy_warns(validate: Validate) -> None:
    files = clean_files()
    del files[POLICY]
    report = validate(files)
    assert _found(report) == [("HG330", "warning", None)]
    assert report.findings[0].object == "Deployment/whoami/whoami"
    assert report.exit_code == 0


def test_a_hand_written_pod_without_a_policy_is_a_note(validate: Validate) -> None:
    files = clean_files()
    del files[POLICY]
    files = edit(
        files, DEPLOY, "app.kubernetes.io/managed-by: homegen", "app.kubernetes.io/managed-by: me"
    )
    assert _found(validate(files)) == [("HG330", "info", None)]


def test_hg330_is_suppressed_with_a_reason(validate: Validate) -> None:
    files = clean_files()
    del files[POLICY]
    files = edit(files, DEPLOY, "  labels:\n    app: whoami\n",
                 '  annotations:\n    policy.homegen.dev/HG330: "the CNI enforces none"\n'
                 "  labels:\n    app: whoami\n")  # fmt: skip
    assert _found(validate(files)) == [("HG330", "warning", "the CNI enforces none")]


def test_a_policy_in_another_namespace_or_for_other_pods_does_not_count(validate: Validate) -> None:
    for old, new in [
        ("namespace: whoami", "namespace: other"),
        ("podSelector: {}", "podSelector: {matchLabels: {app: whoam}}"),
    ]:
        report = validate(edit(clean_files(), POLICY, old, new))
        assert ("HG330", "warning", None) in _found(report), new
        assert ("HG331", "warning", None) in _found(report), new


def test_an_egress_only_policy_does_not_isolate_ingress(validate: Validate) -> None:
    report = validate(
        edit(clean_files(), POLICY, "policyTypes: [Ingress]", "policyTypes: [Egress]")
    )
    assert _found(report) == [("HG330", "warning", None)]


def test_a_policy_selecting_the_pod_by_label_is_enough(validate: Validate) -> None:
    files = edit(
        clean_files(), POLICY, "podSelector: {}", "podSelector: {matchLabels: {app: whoami}}"
    )
    assert validate(files).findings == []


def test_a_policy_in_a_namespace_a_chart_deploys_into_is_not_judged(validate: Validate) -> None:
    """The chart's pods are not in the tree unless it was expanded: nothing to judge by."""
    chart = dedent("""
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: grafana, namespace: argocd}
        spec:
          project: default
          destination: {server: https://kubernetes.default.svc, namespace: grafana}
          source:
            repoURL: https://grafana.github.io/helm-charts
            chart: grafana
            targetRevision: 8.0.0
    """)
    policy = dedent("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny, namespace: grafana}
        spec: {podSelector: {}, policyTypes: [Ingress]}
    """)
    files = {
        **clean_files(),
        "apps/grafana.yaml": chart,
        "manifests/whoami/np-grafana.yaml": policy,
    }
    assert _found(validate(files)) == []
