"""Policy rules: each starts from the clean (hardened) tree and weakens one thing."""

from __future__ import annotations

import pytest
from validate_trees import clean_files, dedent, edit, rule_ids

from conftest import Validate

DEPLOY = "manifests/whoami/deployment.yaml"
NS = "manifests/whoami/namespace.yaml"


@pytest.mark.parametrize(
    ("rule", "old", "new"),
    [
        ("HG301", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true"),
        ("HG302", "runAsNonRoot: true", "runAsNonRoot: false"),
        ("HG303", "seccompProfile: {type: RuntimeDefault}", "seccompProfile: {type: Unconfined}"),
        ("HG304", "capabilities: {drop: [ALL]}", "capabilities: {drop: [ALL], add: [SYS_ADMIN]}"),
        (
            "HG305",
            "      containers:\n",
            "      volumes:\n        - {name: nfs, nfs: {server: a, path: /}}\n      containers:\n",
        ),
        (
            "HG306",
            "automountServiceAccountToken: false",
            "automountServiceAccountToken: false\n      hostNetwork: true",
        ),
        (
            "HG306",
            "      containers:\n",
            "      volumes:\n        - {name: h, hostPath: {path: /etc}}\n      containers:\n",
        ),
        ("HG307", "containerPort: 8080}", "containerPort: 8080, hostPort: 8080}"),
        (
            "HG308",
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: true\n            privileged: true",
        ),
        ("HG309", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"),
        ("HG310", "runAsUser: 65532", "runAsUser: 0"),
        ("HG310", "fsGroup: 65532", "fsGroup: 0"),
        ("HG311", "limits: {cpu: 500m, memory: 512Mi}", "limits: {cpu: 500m}"),
        ("HG312", "livenessProbe:", "startupProbe:"),
        ("HG313", "traefik/whoami:v1.10", "traefik/whoami:latest"),
        ("HG313", "traefik/whoami:v1.10", "traefik/whoami"),
        (
            "HG315",
            '{name: WHOAMI_PORT_NUMBER, value: "8080"}',
            "{name: DB_PASSWORD, value: hunter2}",
        ),
        ("HG317", "automountServiceAccountToken: false", "automountServiceAccountToken: true"),
    ],
)
def test_weakened_deployment_fails_its_rule(
    validate: Validate, rule: str, old: str, new: str
) -> None:
    report = validate(edit(clean_files(), DEPLOY, old, new))
    assert rule in rule_ids(report, failing_only=True)
    assert report.exit_code == 1


def test_digest_pinned_image_passes(validate: Validate) -> None:
    files = edit(clean_files(), DEPLOY, "traefik/whoami:v1.10", "traefik/whoami@sha256:" + "a" * 64)
    assert validate(files).findings == []


def test_missing_standard_labels_warn(validate: Validate) -> None:
    report = validate(edit(clean_files(), DEPLOY, "    app.kubernetes.io/part-of: homelab\n", ""))
    assert [(f.rule, f.severity) for f in report.findings] == [("HG316", "warning")]
    assert report.exit_code == 0


def test_replicas_without_anti_affinity_warn(validate: Validate) -> None:
    report = validate(edit(clean_files(), DEPLOY, "replicas: 1", "replicas: 2"))
    assert [(f.rule, f.severity) for f in report.findings] == [("HG318", "warning")]
    spread = (
        "affinity:\n"
        "        podAntiAffinity:\n"
        "          preferredDuringSchedulingIgnoredDuringExecution:\n"
        "            - weight: 100\n"
        "              podAffinityTerm:\n"
        "                topologyKey: kubernetes.io/hostname\n"
        "                labelSelector: {matchLabels: {app: whoami}}\n"
        "      automountServiceAccountToken: false"
    )
    files = edit(clean_files(), DEPLOY, "replicas: 1", "replicas: 2")
    files = edit(files, DEPLOY, "automountServiceAccountToken: false", spread)
    assert validate(files).findings == []


def test_secret_with_literal_data(validate: Validate) -> None:
    secret = dedent("""
        apiVersion: v1
        kind: Secret
        metadata: {name: token, namespace: whoami}
        stringData: {token: hunter2}
    """)
    report = validate({**clean_files(), "manifests/whoami/secret.yaml": secret})
    assert rule_ids(report) == {"HG314"}


def test_namespace_without_enforce_label(validate: Validate) -> None:
    files = edit(clean_files(), NS, "pod-security.kubernetes.io/enforce: restricted", "team: web")
    assert rule_ids(validate(files)) == {"HG319"}


def test_privileged_namespace_needs_a_reason(validate: Validate) -> None:
    files = edit(clean_files(), NS, "enforce: restricted", "enforce: privileged")
    assert rule_ids(validate(files)) == {"HG319"}


PRIVILEGED_NS = dedent("""
    apiVersion: v1
    kind: Namespace
    metadata:
      name: whoami
      labels:
        pod-security.kubernetes.io/enforce: privileged
      annotations:
        homegen.dev/pod-security-reason: Docker-in-Docker runners need privileged pods
""")


def test_privileged_namespace_with_reason_exempts_pod_security_rules(validate: Validate) -> None:
    files = {**clean_files(), NS: PRIVILEGED_NS}
    files = edit(
        files,
        DEPLOY,
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: true\n            privileged: true",
    )
    files = edit(files, DEPLOY, "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true")
    report = validate(files)
    assert {(f.rule, f.suppressed_reason) for f in report.findings} == {
        (
            "HG301",
            "namespace whoami enforces privileged: Docker-in-Docker runners need privileged pods",
        ),
        (
            "HG308",
            "namespace whoami enforces privileged: Docker-in-Docker runners need privileged pods",
        ),
    }
    assert report.exit_code == 0
    assert report.suppressed == 2


def test_exception_annotation_suppresses_one_rule_with_its_reason(validate: Validate) -> None:
    files = edit(
        clean_files(), DEPLOY, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"
    )
    files = edit(
        files,
        DEPLOY,
        "  namespace: whoami\n  labels:",
        (
            "  namespace: whoami\n  annotations:\n"
            '    policy.homegen.dev/HG309: "writes its cache to /"\n  labels:'
        ),
    )
    report = validate(files)
    assert [(f.rule, f.suppressed_reason) for f in report.findings] == [
        ("HG309", "writes its cache to /")
    ]
    assert report.exit_code == 0


def test_exception_by_rule_name_and_empty_reason(validate: Validate) -> None:
    files = edit(clean_files(), DEPLOY, "traefik/whoami:v1.10", "traefik/whoami:latest")
    named = edit(
        files,
        DEPLOY,
        "  namespace: whoami\n  labels:",
        (
            "  namespace: whoami\n  annotations:\n"
            '    policy.homegen.dev/image-pinned: "upstream has no tags"\n  labels:'
        ),
    )
    assert validate(named).exit_code == 0
    empty = edit(
        files,
        DEPLOY,
        "  namespace: whoami\n  labels:",
        ('  namespace: whoami\n  annotations:\n    policy.homegen.dev/HG313: ""\n  labels:'),
    )
    assert validate(empty).exit_code == 1
