"""Rules on objects and workloads (HG214-HG216, HG313-HG319 of policy_objects): each case changes
the clean tree and expects the exact findings (rule, file, object, message, JSON path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pod_trees import HARDENED_CONTAINER, HARDENED_POD, tree_of, workload
from validate_trees import Edit, changed, clean_files, dedent, write_tree

from conftest import Validate
from homegen.expand.model import Origin
from homegen.validate.findings import Report
from homegen.validate.reader.documents import Document, load_tree
from homegen.validate.rules.integrity_workloads import check_probe_ports, check_workload_selectors
from homegen.validate.rules.policy_objects import (
    STANDARD_LABELS,
    check_namespaces,
    image_pinned,
    looks_secret,
)
from homegen.validate.run import ValidateOptions, validate_documents

DEPLOY = "manifests/whoami/deployment.yaml"
DEPLOY_OBJ = "Deployment/whoami/whoami"
SERVICE = "manifests/whoami/service.yaml"
SERVICE_OBJ = "Service/whoami/whoami"
NAMESPACE = "manifests/whoami/namespace.yaml"
CONTAINER = "/spec/template/spec/containers/0"
ENV = '{name: WHOAMI_PORT_NUMBER, value: "8080"}'
IMAGE = "traefik/whoami:v1.10"
SIDECAR = (
    "        - name: sidecar\n          image: SIDECAR_IMAGE\n"
    "          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,\n"
    "                            capabilities: {drop: [ALL]}}\n"
    "          resources: {requests: {cpu: 10m, memory: 8Mi}, limits: {cpu: 10m, memory: 8Mi}}\n"
    '          livenessProbe: {exec: {command: ["true"]}}\n'
    '          readinessProbe: {exec: {command: ["true"]}}\n'
)

Found = tuple[str, str, str, str, str]


def _found(report: Report) -> list[Found]:
    return [(f.rule, f.file, f.object, f.message, f.path) for f in report.findings]


def _deploy(rule: str, message: str, path: str) -> Found:
    return (rule, DEPLOY, DEPLOY_OBJ, message, path)


def _sidecar(image: str = "busybox:1.36", extra: str = "") -> Edit:
    """A second container, after the first, at containers/1."""
    last = "          readinessProbe:\n            httpGet: {path: /health, port: 8080}\n"
    return DEPLOY, last, last + SIDECAR.replace("SIDECAR_IMAGE", image) + extra


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("traefik/whoami:v1.10", True),
        ("whoami:1", True),
        ("whoami@sha256:0123", True),
        ("whoami:latest@sha256:0123", True),
        ("registry:5000/whoami:1.2", True),
        ("whoami", False),
        ("whoami:", False),
        ("whoami:latest", False),
        ("whoami:1.0:latest", False),  # the tag is what follows the last colon
        ("registry:5000/whoami", False),
        ("registry:5000/team/whoami", False),
        ("", False),
    ],
)
def test_image_pinned(image: str, pinned: bool) -> None:
    assert image_pinned(image) is pinned


@pytest.mark.parametrize(
    "name",
    [
        "DB_PASSWORD", "db_password", "SMTP_PASSWD", "GITHUB_TOKEN", "ACCESSTOKEN",
        "client.secret", "CLIENTSECRET", "AWS_CREDENTIAL", "GOOGLE_CREDENTIALS", "API_KEY",
        "api-key", "MYSQL_PASS", "MYSQL_PWD", "APIKEY", "PRIVATEKEY", "BASIC_AUTH",
    ],
)  # fmt: skip
def test_names_that_look_secret(name: str) -> None:
    assert looks_secret(name)


@pytest.mark.parametrize(
    "name",
    [
        "WHOAMI_PORT_NUMBER", "KEYCLOAK_URL", "MONKEY", "TOKENIZER", "AUTHOR", "PASSWORDLESS",
        "SECRETS_DIR", "PASSPORT", "", "__",
    ],
)  # fmt: skip
def test_names_that_do_not_look_secret(name: str) -> None:
    assert not looks_secret(name)


def _without_label(label: str) -> Edit:
    line = next(x for x in clean_files()[DEPLOY].splitlines() if x.startswith(f"    {label}:"))
    return DEPLOY, line + "\n", ""


OBJECT_RULES: dict[str, tuple[list[Edit], list[Found]]] = {
    "image-latest": (
        [(DEPLOY, IMAGE, "traefik/whoami:latest")],
        [_deploy("HG313", "image 'traefik/whoami:latest' is not pinned", CONTAINER)],
    ),
    "no-image": (
        [(DEPLOY, f"          image: {IMAGE}\n", "")],
        [_deploy("HG313", "image '' is not pinned", CONTAINER)],
    ),
    "image-of-the-second-container": (
        [_sidecar("busybox")],
        [_deploy("HG313", "image 'busybox' is not pinned", "/spec/template/spec/containers/1")],
    ),
    "env-literal": (
        [(DEPLOY, ENV, "{name: DB_PASSWORD, value: hunter2}")],
        [_deploy("HG315", "env DB_PASSWORD of container whoami has a literal value",
                 f"{CONTAINER}/env/0")],
    ),
    "second-env-literal": (
        [(DEPLOY, ENV, f"{ENV}\n            - {{name: api-token, value: x}}")],
        [_deploy("HG315", "env api-token of container whoami has a literal value",
                 f"{CONTAINER}/env/1")],
    ),
    "env-from-a-secret": (
        [(DEPLOY, ENV, "{name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: pw}}}")],
        [],
    ),
    "env-empty": ([(DEPLOY, ENV, '{name: DB_PASSWORD, value: ""}')], []),
    "labels-missing": (
        [_without_label("version"), _without_label("app.kubernetes.io/part-of")],
        [_deploy("HG316", "missing labels version, app.kubernetes.io/part-of", "/metadata/labels")],
    ),
    "token-mounted": (
        [(DEPLOY, "automountServiceAccountToken: false", "automountServiceAccountToken: true")],
        [_deploy("HG317", "the service account token is mounted",
                 "/spec/template/spec/automountServiceAccountToken")],
    ),
    "token-by-default": (
        [(DEPLOY, "      automountServiceAccountToken: false\n", "")],
        [_deploy("HG317", "the service account token is mounted",
                 "/spec/template/spec/automountServiceAccountToken")],
    ),
}  # fmt: skip
OBJECT_RULES.update(
    {
        f"label-{label}": (
            [_without_label(label)],
            [_deploy("HG316", f"missing labels {label}", "/metadata/labels")],
        )
        for label in STANDARD_LABELS
    }
)


@pytest.mark.parametrize(("edits", "expected"), OBJECT_RULES.values(), ids=OBJECT_RULES.keys())
def test_workload_object_rules(
    validate: Validate, edits: list[Edit], expected: list[Found]
) -> None:
    assert _found(validate(changed(*edits))) == expected


SECRET = dedent("""
    apiVersion: v1
    kind: Secret
    metadata: {name: creds, namespace: whoami}
    type: Opaque
""")
SECRET_FILE = "manifests/whoami/secret.yaml"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("data: {password: aHVudGVyMg==}\n", "Secret has literal data"),
        ("stringData: {password: hunter2}\n", "Secret has literal stringData"),
        ("data: {a: YQ==}\nstringData: {b: b}\n", "Secret has literal data and stringData"),
        ("data: {}\nstringData: {}\n", None),
        ("", None),
    ],
)
def test_secret_with_literal_data(validate: Validate, content: str, message: str | None) -> None:
    report = validate({**clean_files(), SECRET_FILE: SECRET + content})
    expected = [("HG314", SECRET_FILE, "Secret/whoami/creds", message, "")] if message else []
    assert _found(report) == expected


ENFORCE = "pod-security.kubernetes.io/enforce"
REASON = "homegen.dev/pod-security-reason"


def _namespace(level: str | None, reason: str | None = None) -> Edit:
    labels = f"  labels:\n    {ENFORCE}: {level}\n" if level is not None else "  labels: {}\n"
    annotations = f"  annotations:\n    {REASON}: {reason!r}\n" if reason is not None else ""
    return NAMESPACE, f"  labels:\n    {ENFORCE}: restricted\n", labels + annotations


def _ns(message: str, path: str) -> Found:
    return ("HG319", NAMESPACE, "Namespace/whoami", message, path)


NAMESPACES: dict[str, tuple[Edit, list[Found]]] = {
    "no-label": (_namespace(None), [_ns(f"no {ENFORCE} label", "/metadata/labels")]),
    "unknown-level": (
        _namespace("strict"),
        [_ns(f"{ENFORCE}: 'strict' is no Pod Security level", "")],
    ),
    "baseline-without-reason": (
        _namespace("baseline"),
        [_ns(f"enforces baseline without a {REASON} annotation", "/metadata/annotations")],
    ),
    "privileged-with-a-blank-reason": (
        _namespace("privileged", "  "),
        [_ns(f"enforces privileged without a {REASON} annotation", "/metadata/annotations")],
    ),
    "baseline-with-reason": (_namespace("baseline", "the chart needs it"), []),
    "privileged-with-reason": (_namespace("privileged", "runners need it"), []),
    "restricted-without-reason": (_namespace("restricted"), []),
}


@pytest.mark.parametrize(("change", "expected"), NAMESPACES.values(), ids=NAMESPACES.keys())
def test_namespace_pod_security(validate: Validate, change: Edit, expected: list[Found]) -> None:
    assert _found(validate(changed(change))) == expected


def test_objects_a_chart_renders_are_not_held_to_these_rules(
    tmp_path: Path, options: ValidateOptions
) -> None:
    """A chart's Secret (e.g. a webhook certificate), Namespace or duplicate are no literal,
    no unlabelled namespace, no second definition: the chart's own files are not the tree's.
    The tree's own objects after them still are (the chart's documents come first here)."""
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: whoami}\n"
    files = changed(
        _namespace(None),
        added={
            SECRET_FILE: SECRET + "data: {a: YQ==}\n",
            "manifests/whoami/cm.yaml": cm + "---\n" + cm,
        },
    )
    tree_docs = load_tree(write_tree(tmp_path / "tree", files))
    origin = Origin("whoami", "apps/whoami.yaml", "whoami", "whoami@1.0.0", "whoami/templates/x")
    rendered = [
        {"apiVersion": "v1", "kind": "Secret", "data": {"tls.crt": "eA=="},
         "metadata": {"name": "webhook-cert", "namespace": "whoami"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "charted"}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "whoami", "namespace": "whoami"},
         "spec": {"selector": {"app": "whoami"}, "ports": [{"port": 80}]}},
    ]  # fmt: skip
    file = "apps/whoami.yaml::whoami/whoami/templates/x.yaml"
    docs = [Document(file, i, 1, obj, origin=origin) for i, obj in enumerate(rendered)]
    found = _found(validate_documents(docs + tree_docs, options=options))
    assert [f[:3] for f in found if f[0] in ("HG205", "HG314", "HG319")] == [
        ("HG205", "manifests/whoami/cm.yaml", "ConfigMap/whoami/cm"),
        ("HG319", NAMESPACE, "Namespace/whoami"),
        ("HG314", SECRET_FILE, "Secret/whoami/creds"),
    ]


def _service(message: str) -> Found:
    return ("HG214", SERVICE, SERVICE_OBJ, message, "/spec/selector")


WORKLOAD_RULES: dict[str, tuple[list[Edit], list[Found]]] = {
    "service-selects-nothing": (
        [(SERVICE, "{app: whoami}", "{app: whoareyou}")],
        [_service("selector app=whoareyou matches no workload in namespace whoami")],
    ),
    "service-selects-a-label-no-pod-has": (
        [(SERVICE, "{app: whoami}", "{app: whoami, tier: web}")],
        [_service("selector app=whoami,tier=web matches no workload in namespace whoami")],
    ),
    "service-selects-workload-labels-not-pod-labels": (
        [(SERVICE, "{app: whoami}", "{app.kubernetes.io/name: whoami}")],
        [_service("selector app.kubernetes.io/name=whoami matches no workload in namespace "
                  "whoami")],
    ),
    "service-of-another-namespace": (
        [(SERVICE, "  namespace: whoami\n", "  namespace: traefik\n"),
         ("manifests/gateway/httproute-whoami.yaml", "namespace: whoami, port", "port")],
        [("HG214", SERVICE, "Service/traefik/whoami",
          "selector app=whoami matches no workload in namespace traefik", "/spec/selector")],
    ),
    "service-without-selector": ([(SERVICE, "  selector: {app: whoami}\n", "")], []),
    "service-after-one-without-selector": (
        [(SERVICE, "{app: whoami}", "{app: whoareyou}"),
         (SERVICE, "apiVersion: v1\n", "apiVersion: v1\nkind: Service\nmetadata: "
          "{name: headless, namespace: whoami}\nspec: {clusterIP: None}\n---\napiVersion: v1\n")],
        [_service("selector app=whoareyou matches no workload in namespace whoami")],
    ),
    "service-selecting-a-subset-of-pod-labels": (
        [(SERVICE, "{app: whoami}", "{app: whoami, component: web}")], []
    ),
    "workload-selector": (
        [(DEPLOY, "matchLabels: {app: whoami}", "matchLabels: {app: whoami, tier: web}")],
        [_deploy("HG215", "spec.selector does not match the pod template's labels",
                 "/spec/selector")],
    ),
    "workload-selector-expression": (
        [(DEPLOY, "matchLabels: {app: whoami}",
          "matchExpressions: [{key: app, operator: In, values: [who]}]")],
        [_deploy("HG215", "spec.selector does not match the pod template's labels",
                 "/spec/selector")],
    ),
}  # fmt: skip


def _probe(message: str, probe: str, container: int = 0) -> Found:
    return _deploy(
        "HG216",
        f"{message}, which the container does not declare",
        f"/spec/template/spec/containers/{container}/{probe}",
    )


LIVENESS = "httpGet: {path: /health, port: http}"
READINESS = "httpGet: {path: /health, port: 8080}"
PROBES: dict[str, tuple[list[Edit], list[Found]]] = {
    "named-port": (
        [(DEPLOY, LIVENESS, "httpGet: {path: /health, port: metrics}")],
        [_probe("livenessProbe of container whoami uses port 'metrics'", "livenessProbe")],
    ),
    "numbered-port": (
        [(DEPLOY, READINESS, "httpGet: {path: /health, port: 9090}")],
        [_probe("readinessProbe of container whoami uses port 9090", "readinessProbe")],
    ),
    "number-as-text": (
        [(DEPLOY, READINESS, "httpGet: {path: /health, port: '9090'}")],
        [_probe("readinessProbe of container whoami uses port '9090'", "readinessProbe")],
    ),
    "tcp-socket": (
        [(DEPLOY, READINESS, "tcpSocket: {port: 9090}")],
        [_probe("readinessProbe of container whoami uses port 9090", "readinessProbe")],
    ),
    "grpc": (
        [(DEPLOY, READINESS, "grpc: {port: 9090}")],
        [_probe("readinessProbe of container whoami uses port 9090", "readinessProbe")],
    ),
    "startup": (
        [(DEPLOY, "          readinessProbe:", "          startupProbe:\n"
          "            tcpSocket: {port: metrics}\n          readinessProbe:")],
        [_probe("startupProbe of container whoami uses port 'metrics'", "startupProbe")],
    ),
    "second-container": (
        [_sidecar(extra="          startupProbe: {tcpSocket: {port: 9090}}\n")],
        [_probe("startupProbe of container sidecar uses port 9090", "startupProbe", 1)],
    ),
    "number-as-text-declared": ([(DEPLOY, READINESS, "httpGet: {path: /, port: '8080'}")], []),
    "name-declared": ([(DEPLOY, READINESS, "tcpSocket: {port: http}")], []),
    "grpc-declared": ([(DEPLOY, READINESS, "grpc: {port: 8080}")], []),
    "exec": ([_sidecar()], []),
}  # fmt: skip


@pytest.mark.parametrize(
    ("edits", "expected"),
    [*WORKLOAD_RULES.values(), *PROBES.values()],
    ids=[*WORKLOAD_RULES.keys(), *PROBES.keys()],
)
def test_workload_integrity_rules(
    validate: Validate, edits: list[Edit], expected: list[Found]
) -> None:
    assert _found(validate(changed(*edits))) == expected


MALFORMED_PORTS = {
    "probe-port-list": (READINESS, "httpGet: {path: /, port: [8080]}", "readinessProbe", "[8080]"),
    "probe-port-mapping": (READINESS, "httpGet: {path: /, port: {n: 8080}}", "readinessProbe",
                           "{'n': 8080}"),
    "container-port-list": ("containerPort: 8080}", "containerPort: [8080]}", "readinessProbe",
                            "8080"),
    "port-name-list": ("{name: http,", "{name: [http],", "livenessProbe", "'http'"),
}  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "probe", "port"), MALFORMED_PORTS.values(), ids=MALFORMED_PORTS
)
def test_malformed_ports_are_findings_not_a_crash(
    validate: Validate, old: str, new: str, probe: str, port: str
) -> None:
    """The schema reports the bad field (HG104); the probe rule compares, never hashes it."""
    report = validate(changed((DEPLOY, old, new)))
    assert {f.rule for f in report.findings} == {"HG104", "HG216"}
    assert [f.message for f in report.findings if f.rule == "HG216"] == [
        f"{probe} of container whoami uses port {port}, which the container does not declare"
    ]


@pytest.mark.parametrize("level", [["restricted"], {"level": "restricted"}, 2])
def test_a_label_that_is_no_text_is_no_pod_security_level(level: object) -> None:
    labels = {ENFORCE: level}
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web", "labels": labels}}
    assert [(f.rule, f.message) for f in check_namespaces(tree_of(ns))] == [
        ("HG319", f"{ENFORCE}: {level!r} is no Pod Security level")
    ]


OTHER_SELECTOR = {"selector": {"matchLabels": {"app": "other"}}}


@pytest.mark.parametrize(
    ("kind", "spec", "found"),
    [
        ("Deployment", OTHER_SELECTOR, ["/spec/selector"]),
        ("StatefulSet", OTHER_SELECTOR, ["/spec/selector"]),
        ("Job", OTHER_SELECTOR, ["/spec/selector"]),  # the API server refuses it as well
        ("Job", None, []),
        ("CronJob", None, []),
        ("Pod", None, []),
    ],
)
def test_workload_selector_of_each_kind(
    kind: str, spec: dict[str, Any] | None, found: list[str]
) -> None:
    tree = tree_of(workload(HARDENED_POD, kind=kind, spec=spec))
    assert [(f.rule, f.path) for f in check_workload_selectors(tree)] == [
        ("HG215", p) for p in found
    ]


def _init(**fields: Any) -> dict[str, Any]:
    """A pod with an init container (``fields`` added) probing a port it does not declare."""
    probe = {"tcpSocket": {"port": "admin"}}
    init = {**HARDENED_CONTAINER, "name": "proxy", "readinessProbe": probe}
    return {**HARDENED_POD, "initContainers": [{**init, **fields}]}


def test_a_sidecars_probes_are_checked() -> None:
    tree = tree_of(workload(_init(restartPolicy="Always")))
    assert [(f.rule, f.message, f.path) for f in check_probe_ports(tree)] == [
        ("HG216", "readinessProbe of container proxy uses port 'admin', which the container "
         "does not declare", "/spec/template/spec/initContainers/0/readinessProbe"),
    ]  # fmt: skip


def test_an_init_container_that_ends_is_not_probed() -> None:
    assert list(check_probe_ports(tree_of(workload(_init())))) == []
