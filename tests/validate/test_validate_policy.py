"""Policy rules: each starts from the clean (hardened) tree and weakens one thing."""

from __future__ import annotations

import pytest
from validate_trees import clean_files, dedent, edit, rule_ids

from conftest import Validate

DEPLOY = "manifests/whoami/deployment.yaml"
NS = "manifests/whoami/namespace.yaml"


POD_SC = "      securityContext:\n        runAsNonRoot: true\n"
CONTAINER_SC = "          securityContext:\n            allowPrivilegeEscalation: false\n"
VOLUME = "      volumes:\n        - {volume}\n      containers:\n"


def _volume(text: str) -> tuple[str, str]:
    return "      containers:\n", VOLUME.format(volume=text)


def _pod(field: str) -> tuple[str, str]:
    """Add a pod-level field (after automountServiceAccountToken)."""
    old = "automountServiceAccountToken: false"
    return old, f"{old}\n      {field}"


def _container(field: str) -> tuple[str, str]:
    """Add a field to the container's securityContext."""
    return CONTAINER_SC, f"{CONTAINER_SC}            {field}\n"


# Each sub-condition of each pod rule: one change to the clean Deployment and exactly the
# failing rules it must give (so a rule that fires too widely fails as well as one that is mute).
WEAKENED = [
    ("HG301-true", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", {"HG301"}),
    ("HG301-unset", "            allowPrivilegeEscalation: false\n", "", {"HG301"}),
    ("HG302-false", "runAsNonRoot: true", "runAsNonRoot: false", {"HG302"}),
    ("HG302-unset", "        runAsNonRoot: true\n", "", {"HG302"}),
    ("HG302-user-0", "runAsUser: 65532", "runAsUser: 0", {"HG302", "HG310"}),
    ("HG302-container-false", *_container("runAsNonRoot: false"), {"HG302"}),
    ("HG302-container-user-0", *_container("runAsUser: 0"), {"HG302", "HG310"}),
    ("HG303-unconfined", "{type: RuntimeDefault}", "{type: Unconfined}", {"HG303"}),
    ("HG303-unset", "        seccompProfile: {type: RuntimeDefault}\n", "", {"HG303"}),
    ("HG303-container", *_container("seccompProfile: {type: Unconfined}"), {"HG303"}),
    ("HG304-add", "capabilities: {drop: [ALL]}", "capabilities: {drop: [ALL], add: [SYS_ADMIN]}",
     {"HG304"}),
    ("HG304-no-drop", "capabilities: {drop: [ALL]}", "capabilities: {drop: [NET_RAW]}", {"HG304"}),
    ("HG304-unset", "            capabilities: {drop: [ALL]}\n", "", {"HG304"}),
    ("HG305-nfs", *_volume("{name: nfs, nfs: {server: a, path: /}}"), {"HG305"}),
    ("HG306-hostNetwork", *_pod("hostNetwork: true"), {"HG306"}),
    ("HG306-hostPID", *_pod("hostPID: true"), {"HG306"}),
    ("HG306-hostIPC", *_pod("hostIPC: true"), {"HG306"}),
    ("HG306-hostPath", *_volume("{name: h, hostPath: {path: /etc}}"), {"HG306"}),
    ("HG307", "containerPort: 8080}", "containerPort: 8080, hostPort: 8080}", {"HG307"}),
    ("HG308", *_container("privileged: true"), {"HG308"}),
    ("HG309-false", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", {"HG309"}),
    ("HG309-unset", "            readOnlyRootFilesystem: true\n", "", {"HG309"}),
    ("HG310-group-0", "runAsGroup: 65532", "runAsGroup: 0", {"HG310"}),
    ("HG310-group-unset", "        runAsGroup: 65532\n", "", {"HG310"}),
    ("HG310-user-unset", "        runAsUser: 65532\n", "", {"HG310"}),
    ("HG310-fsgroup-0", "fsGroup: 65532", "fsGroup: 0", {"HG310"}),
    ("HG310-fsgroup-unset", "        fsGroup: 65532\n", "", {"HG310"}),
    ("HG311-limit", "limits: {cpu: 500m, memory: 512Mi}", "limits: {cpu: 500m}", {"HG311"}),
    ("HG311-request", "requests: {cpu: 100m, memory: 128Mi}", "requests: {memory: 128Mi}",
     {"HG311"}),
    ("HG312-liveness", "livenessProbe:", "startupProbe:", {"HG312"}),
    ("HG312-readiness", "readinessProbe:", "startupProbe:", {"HG312"}),
    ("HG313-latest", "traefik/whoami:v1.10", "traefik/whoami:latest", {"HG313"}),
    ("HG313-untagged", "traefik/whoami:v1.10", "traefik/whoami", {"HG313"}),
    ("HG313-registry-port", "traefik/whoami:v1.10", "registry:5000/whoami", {"HG313"}),
    ("HG315-password", '{name: WHOAMI_PORT_NUMBER, value: "8080"}',
     "{name: DB_PASSWORD, value: hunter2}", {"HG315"}),
    ("HG315-api-key", '{name: WHOAMI_PORT_NUMBER, value: "8080"}',
     "{name: API_KEY, value: hunter2}", {"HG315"}),
    ("HG317-true", "automountServiceAccountToken: false", "automountServiceAccountToken: true",
     {"HG317"}),
    ("HG317-unset", "      automountServiceAccountToken: false\n", "", {"HG317"}),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "rules"), [pytest.param(*w[1:], id=w[0]) for w in WEAKENED])
def test_weakened_deployment_fails_exactly_its_rule(
    validate: Validate, old: str, new: str, rules: set[str]
) -> None:
    report = validate(edit(clean_files(), DEPLOY, old, new))
    assert rule_ids(report, failing_only=True) == rules
    assert report.exit_code == 1


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param(*_container("privileged: false"), id="privileged-false"),
        pytest.param(*_container("runAsNonRoot: true"), id="container-non-root"),
        pytest.param(
            "capabilities: {drop: [ALL]}",
            "capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}",
            id="net-bind-service",
        ),
        pytest.param(*_pod("hostNetwork: false"), id="host-network-false"),
        pytest.param(*_volume("{name: tmp, emptyDir: {}}"), id="empty-dir"),
        pytest.param(
            '{name: WHOAMI_PORT_NUMBER, value: "8080"}',
            "{name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}",
            id="secret-from-secret",
        ),
        pytest.param(
            '{name: WHOAMI_PORT_NUMBER, value: "8080"}',
            '{name: DB_PASSWORD, value: ""}',
            id="empty-secret-name",
        ),
        pytest.param(
            "{type: RuntimeDefault}",
            "{type: Localhost, localhostProfile: profiles/whoami.json}",
            id="seccomp-localhost",
        ),
        pytest.param("traefik/whoami:v1.10", "registry:5000/whoami:v1.10", id="registry-port-tag"),
    ],
)
def test_hardened_variants_pass(validate: Validate, old: str, new: str) -> None:
    assert validate(edit(clean_files(), DEPLOY, old, new)).findings == []


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


def test_namespace_with_no_such_level_or_baseline_without_reason(validate: Validate) -> None:
    """In homegen's tree a lower level needs its reason annotation; in a hand-written tree the
    label is the owner's explicit choice (a note); no such level is wrong in both."""
    homegen = "    pod-security.kubernetes.io/enforce: restricted\n"
    labelled = homegen + "    app.kubernetes.io/managed-by: homegen\n"
    for level, managed, severity in (
        ("strict", False, "error"),
        ("baseline", True, "error"),
        ("baseline", False, "info"),
        ("privileged", False, "info"),
    ):
        files = edit(clean_files(), NS, homegen, labelled) if managed else clean_files()
        files = edit(files, NS, "enforce: restricted", f"enforce: {level}")
        report = validate(files)
        assert [(f.rule, f.severity) for f in report.findings] == [("HG319", severity)], level
        assert report.exit_code == (1 if severity == "error" else 0)


def test_secret_with_base64_data_or_an_empty_one(validate: Validate) -> None:
    secret = dedent("""
        apiVersion: v1
        kind: Secret
        metadata: {name: token, namespace: whoami}
        data: {token: aHVudGVyMg==}
    """)
    report = validate({**clean_files(), "manifests/whoami/secret.yaml": secret})
    assert [(f.rule, f.message) for f in report.findings] == [("HG314", "Secret has literal data")]
    empty = secret.replace("data: {token: aHVudGVyMg==}", "type: Opaque")
    assert validate({**clean_files(), "manifests/whoami/secret.yaml": empty}).findings == []


def test_job_needs_no_probes(validate: Validate) -> None:
    job = (
        clean_files()[DEPLOY]
        .replace("apps/v1\nkind: Deployment", "batch/v1\nkind: Job")
        .replace("  replicas: 1\n  selector:\n    matchLabels: {app: whoami}\n", "")
        .replace("          livenessProbe:\n            httpGet: {path: /health, port: http}\n", "")
        .replace(
            "          readinessProbe:\n            httpGet: {path: /health, port: 8080}\n", ""
        )
        .replace(
            "      automountServiceAccountToken",
            "      restartPolicy: Never\n      automountServiceAccountToken",
        )
    )
    assert "kind: Job" in job and "Probe" not in job and "restartPolicy" in job
    files = {
        **clean_files(),
        "manifests/whoami/job.yaml": job.replace(
            "name: whoami\n  namespace", "name: once\n  namespace"
        ),
    }
    assert validate(files).findings == []
