"""The rules no other test fails: load problems (HG102, HG103) and the tree's shape (HG204,
HG221, HG222), each from the clean tree with one thing changed, and the exact findings."""

from __future__ import annotations

import pytest
from validate_trees import ROUTE, app, clean_files, dedent, edit, rule_ids

from conftest import Validate

DEPLOY = "manifests/whoami/deployment.yaml"
CONFIGMAP = dedent("""
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: lost, namespace: whoami}
    data: {key: value}
""")


def _found(validate: Validate, files: dict[str, str]) -> list[tuple[str, str, int, str]]:
    return [(f.rule, f.file, f.line, f.message) for f in validate(files).findings]


def test_duplicate_key_in_a_manifest(validate: Validate) -> None:
    files = edit(
        clean_files(), DEPLOY, "    component: web\n", "    component: web\n    component: api\n"
    )
    report = validate(files)
    assert [(f.rule, f.line, f.severity) for f in report.findings] == [("HG102", 10, "error")]
    assert "component" in report.findings[0].message
    assert report.exit_code == 1


def test_a_list_document_is_skipped_and_counted(validate: Validate) -> None:
    """Ansible task files and Talos patches are YAML lists: no Kubernetes object, no HG103;
    a scalar document still is one."""
    before = validate(clean_files()).not_object_files
    report = validate({**clean_files(), "manifests/whoami/list.yaml": "- a\n- b\n"})
    assert report.findings == []
    assert report.not_object_files == before + 1
    report = validate({**clean_files(), "manifests/whoami/text.yaml": "just text\n"})
    assert [(f.rule, f.file) for f in report.findings] == [("HG103", "manifests/whoami/text.yaml")]


def test_a_document_with_kind_but_no_api_version(validate: Validate) -> None:
    files = {**clean_files(), "manifests/whoami/cm.yaml": CONFIGMAP.replace("apiVersion: v1\n", "")}
    assert _found(validate, files) == [
        ("HG103", "manifests/whoami/cm.yaml", 1, "document has no apiVersion")
    ]


def test_a_document_with_api_version_but_no_kind(validate: Validate) -> None:
    files = {
        **clean_files(),
        "manifests/whoami/cm.yaml": CONFIGMAP.replace("kind: ConfigMap\n", ""),
    }
    assert _found(validate, files) == [
        ("HG103", "manifests/whoami/cm.yaml", 1, "document has no kind")
    ]


def test_tree_without_root_app_warns(validate: Validate) -> None:
    """No root, and no source path that places the tree: a warning, nothing checked."""
    files = clean_files()
    del files["app-of-apps.yaml"]
    for name in ("apps/gateway-config.yaml", "apps/whoami.yaml"):
        files[name] = files[name].replace("path: kubernetes/argocd/manifests/", "path: x/y")
    report = validate(files)
    assert [(f.rule, f.severity, f.message) for f in report.findings] == [
        ("HG204", "warning", "no root Application found")
    ]
    assert report.exit_code == 0


def test_tree_of_plain_manifests_needs_no_root_app(validate: Validate) -> None:
    files = {p: t for p, t in clean_files().items() if p.startswith("manifests/whoami/")}
    del files["manifests/whoami/referencegrant.yaml"]
    assert validate(files).findings == []


def test_root_app_path_that_is_no_folder_of_the_tree(validate: Validate) -> None:
    files = edit(
        clean_files(),
        "app-of-apps.yaml",
        "path: kubernetes/argocd/apps",
        "path: kubernetes/argocd/applications",
    )
    for name in ("apps/gateway-config.yaml", "apps/whoami.yaml"):  # no path places the tree
        files[name] = files[name].replace("path: kubernetes/argocd/manifests/", "path: x/y")
    report = validate(files)
    assert [(f.rule, f.severity, f.file) for f in report.findings] == [
        ("HG221", "warning", "app-of-apps.yaml")
    ]
    assert report.exit_code == 0


def test_root_app_path_ending_in_apps_gives_the_prefix(validate: Validate) -> None:
    """A tree whose apps folder is missing still knows its place: every app path is checked."""
    files = clean_files()
    files["applications/gateway-config.yaml"] = files.pop("apps/gateway-config.yaml")
    files["applications/whoami.yaml"] = files.pop("apps/whoami.yaml")
    report = validate(files)
    assert "HG221" not in rule_ids(report)
    assert {"HG201", "HG203"} <= rule_ids(report)


def test_manifest_no_app_syncs_is_an_orphan(validate: Validate) -> None:
    files = {**clean_files(), "manifests/lost/configmap.yaml": CONFIGMAP}
    report = validate(files)
    assert [(f.rule, f.severity, f.message) for f in report.findings] == [
        ("HG222", "warning", "no Application syncs manifests/lost/configmap.yaml")
    ]
    assert report.exit_code == 0


def test_orphan_file_is_reported_once(validate: Validate) -> None:
    files = {
        **clean_files(),
        "manifests/lost/configmap.yaml": CONFIGMAP
        + "---\n"
        + CONFIGMAP.replace("name: lost", "name: lost-2"),
    }
    assert [f.rule for f in validate(files).findings] == ["HG222"]


def test_manifest_synced_by_an_app_is_no_orphan(validate: Validate) -> None:
    files = {
        **clean_files(),
        "manifests/lost/configmap.yaml": CONFIGMAP,
        "apps/lost.yaml": app("lost", "manifests/lost", wave=2, namespace="whoami"),
    }
    assert validate(files).findings == []


ROUTE_FILE = "manifests/gateway/httproute-whoami.yaml"
GATEWAY_FILE = "manifests/gateway/gateway.yaml"
GRANT = "manifests/whoami/referencegrant.yaml"
APP = "apps/whoami.yaml"
ADMIT_ALL = "namespaces: {from: All}"
TCP_ONLY = "namespaces: {from: Same}\n        kinds: [{kind: TCPRoute}]"
SELECTED = "namespaces: {from: Selector, selector: {matchLabels: {gateway: lab}}}"
TCP_PROBE = "httpGet: {path: /health, port: http}"
# Each sub-condition of the integrity rules: (file, old, new, exact failing rules).
BROKEN = [
    ("HG201-multi-source", APP, "path: kubernetes/argocd/manifests/whoami",
     "path: kubernetes/argocd/manifests/whoami-gone", {"HG201"}),
    ("HG208-section", ROUTE_FILE, "sectionName: web", "sectionName: websecure", {"HG208"}),
    ("HG208-port", ROUTE_FILE, "sectionName: web", "port: 8443", {"HG208"}),
    ("HG209-kinds", GATEWAY_FILE, "namespaces: {from: Same}", TCP_ONLY, {"HG209"}),
    ("HG210-namespace", ROUTE_FILE, "namespace: whoami, port", "namespace: traefik, port",
     {"HG210"}),
    ("HG212-grant-from-elsewhere", GRANT, "namespace: traefik}", "namespace: default}",
     {"HG212"}),
    ("HG212-grant-to-another", GRANT, "name: whoami}", "name: other}", {"HG212"}),
    ("HG212-grant-kind", GRANT, "kind: HTTPRoute", "kind: GRPCRoute", {"HG212"}),
    ("HG214-namespace", "manifests/whoami/service.yaml", "namespace: whoami",
     "namespace: traefik", {"HG210", "HG214"}),
    ("HG216-tcp", DEPLOY, TCP_PROBE, "tcpSocket: {port: 9090}", {"HG216"}),
    ("HG218-not-an-integer", APP, 'sync-wave: "1"', 'sync-wave: "one"', {"HG218"}),
    ("HG218-unknown-dependency", APP, 'after: "gateway-config"', 'after: "gateway-confg"',
     {"HG218"}),
    ("HG219-bad-value", APP, "[CreateNamespace=true]", "[CreateNamespace=yes]", {"HG219"}),
    ("HG219-no-value", APP, "[CreateNamespace=true]", "[CreateNamespace]", {"HG219"}),
    ("HG219-annotation", DEPLOY, "  namespace: whoami\n  labels:",
     "  namespace: whoami\n  annotations:\n    argocd.argoproj.io/sync-options: Prune=maybe\n"
     "  labels:", {"HG219"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "old", "new", "rules"), [pytest.param(*b[1:], id=b[0]) for b in BROKEN]
)
def test_broken_tree_fails_exactly_its_rule(
    validate: Validate, path: str, old: str, new: str, rules: set[str]
) -> None:
    report = validate(edit(clean_files(), path, old, new))
    assert rule_ids(report, failing_only=True) == rules
    assert report.exit_code == 1


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        pytest.param(GATEWAY_FILE, "namespaces: {from: Same}", ADMIT_ALL, id="admit-all"),
        pytest.param(DEPLOY, TCP_PROBE, "tcpSocket: {port: 8080}", id="tcp-probe-number"),
        pytest.param(
            ROUTE_FILE, "sectionName: web", "sectionName: web, port: 8000", id="section-and-port"
        ),
        pytest.param(
            APP,
            "[CreateNamespace=true]",
            "[CreateNamespace=true, Prune=confirm]",
            id="prune-confirm",
        ),
    ],
)
def test_tree_variants_that_stay_clean(validate: Validate, path: str, old: str, new: str) -> None:
    assert validate(edit(clean_files(), path, old, new)).findings == []


def test_listener_admits_namespaces_by_selector(validate: Validate) -> None:
    files = edit(clean_files(), ROUTE_FILE, "namespace: traefik", "namespace: whoami")
    files = edit(
        files,
        ROUTE_FILE,
        "lab-gateway, sectionName",
        "lab-gateway, namespace: traefik, sectionName",
    )
    files = edit(files, GATEWAY_FILE, "namespaces: {from: Same}", SELECTED)
    files = edit(files, GRANT, "namespace: traefik}", "namespace: whoami}")
    assert rule_ids(validate(files), failing_only=True) == {"HG209"}
    labelled = edit(
        files, "manifests/whoami/namespace.yaml", "  labels:\n", "  labels:\n    gateway: lab\n"
    )
    assert rule_ids(validate(labelled), failing_only=True) == set()


def test_same_path_with_another_match_is_no_conflict(validate: Validate) -> None:
    other = ROUTE.replace("name: whoami\n", "name: whoami-beta\n", 1).replace(
        "- path: {type: PathPrefix, value: /whoami}",
        "- path: {type: PathPrefix, value: /whoami}\n          headers: [{name: x-beta, value: b}]",
    )
    files = {**clean_files(), "manifests/gateway/httproute-beta.yaml": other}
    assert validate(files).findings == []
    same = ROUTE.replace("name: whoami\n", "name: whoami-copy\n", 1).replace(
        "hostnames: [lab.techdufus.com]", "hostnames: [lab.techdufus.com, other.example.com]"
    )
    files = {**clean_files(), "manifests/gateway/httproute-copy.yaml": same}
    assert rule_ids(validate(files), failing_only=True) == {"HG217"}


def _without_defaults(files: dict[str, str]) -> dict[str, str]:
    """The clean tree with every group, kind and allowedRoutes left to its default."""
    files = edit(files, ROUTE_FILE, "{group: gateway.networking.k8s.io, kind: Gateway, ", "{")
    files = edit(files, ROUTE_FILE, '{group: "", kind: Service, ', "{")
    return edit(files, GATEWAY_FILE, "      allowedRoutes:\n        namespaces: {from: Same}\n", "")


def test_defaulted_groups_kinds_and_allowed_routes_are_clean(validate: Validate) -> None:
    assert validate(_without_defaults(clean_files())).findings == []


def test_a_route_of_another_namespace_with_defaults_is_not_admitted(validate: Validate) -> None:
    files = edit(
        _without_defaults(clean_files()), ROUTE_FILE, "namespace: traefik\n", "namespace: whoami\n"
    )
    files = edit(
        files, ROUTE_FILE, "{name: lab-gateway,", "{name: lab-gateway, namespace: traefik,"
    )
    assert rule_ids(validate(files), failing_only=True) == {"HG209"}


GATEWAY_REF = "{group: gateway.networking.k8s.io, kind: Gateway, name: lab-gateway"
SERVICE_REF = '{group: "", kind: Service, name: whoami'
NOT_CHECKED = {
    "parent-listenerset": (
        GATEWAY_REF,
        GATEWAY_REF.replace("Gateway, name: lab-", "ListenerSet, name: x-"),
    ),
    "parent-other-group": (GATEWAY_REF, "{group: example.com, kind: Gateway, name: nothing"),
    "backend-import": (SERVICE_REF, "{group: multicluster.x-k8s.io, kind: ServiceImport, name: x"),
    "backend-other-group": (SERVICE_REF, "{group: example.com, kind: Service, name: elsewhere"),
    "backend-other-kind": (SERVICE_REF, '{group: "", kind: Pod, name: elsewhere'),
}


@pytest.mark.parametrize(("old", "new"), NOT_CHECKED.values(), ids=NOT_CHECKED.keys())
def test_refs_that_are_no_gateway_or_service_are_not_checked(
    validate: Validate, old: str, new: str
) -> None:
    report = validate(edit(clean_files(), ROUTE_FILE, old, new))
    assert rule_ids(report) & {"HG207", "HG208", "HG209", "HG210", "HG211", "HG212"} == set()


def test_grant_without_group_fails_its_schema_only(validate: Validate) -> None:
    files = edit(clean_files(), GRANT, '{group: "", kind: Service', "{kind: Service")
    assert rule_ids(validate(files), failing_only=True) == {"HG104"}  # the core group: granted


def test_grant_to_another_group_does_not_count(validate: Validate) -> None:
    files = edit(
        clean_files(), GRANT, '{group: "", kind: Service', "{group: example.com, kind: Service"
    )
    assert rule_ids(validate(files), failing_only=True) == {"HG212"}


def test_tcp_listener_admits_no_http_route(validate: Validate) -> None:
    files = edit(clean_files(), GATEWAY_FILE, "protocol: HTTP", "protocol: TCP")
    assert rule_ids(validate(files), failing_only=True) == {"HG209"}
    files = edit(
        clean_files(),
        GATEWAY_FILE,
        "namespaces: {from: Same}",
        TCP_ONLY.replace("TCPRoute", "HTTPRoute"),
    )
    files = edit(files, GATEWAY_FILE, "protocol: HTTP", "protocol: TCP")
    assert validate(files).findings == []  # kinds named explicitly: the protocol is not asked


@pytest.mark.parametrize(
    "namespaces",
    [
        "{from: All}",
        "{from: Selector, selector: {matchLabels: {kubernetes.io/metadata.name: elsewhere}}}",
    ],
)
def test_listener_admitting_another_namespace(validate: Validate, namespaces: str) -> None:
    """A route from a namespace with no Namespace object in the tree, admitted all the same."""
    files = edit(clean_files(), GATEWAY_FILE, "{from: Same}", namespaces)
    files = edit(files, ROUTE_FILE, "namespace: traefik\n", "namespace: elsewhere\n")
    files = edit(
        files, ROUTE_FILE, "kind: Gateway, name", "kind: Gateway, namespace: traefik, name"
    )
    files = edit(files, GRANT, "namespace: traefik}", "namespace: elsewhere}")
    assert rule_ids(validate(files), failing_only=True) == set()


UNKNOWN = "use a sync option ArgoCD knows (see its sync-options documentation)"
ORPHAN = "PrunePropagationPolicy=orphan=x"
OPTIONS = [
    ("Zzzz=true", "unknown sync option 'Zzzz=true'", UNKNOWN),
    (
        "CreateNamespac=true",
        "unknown sync option 'CreateNamespac=true'",
        "did you mean CreateNamespace?",
    ),
    (
        ORPHAN,
        f"sync option {ORPHAN!r} has no valid value",
        "use PrunePropagationPolicy=background|foreground|orphan",
    ),
]


@pytest.mark.parametrize(("option", "message", "fix"), OPTIONS)
def test_sync_option_messages_and_fixes(
    validate: Validate, option: str, message: str, fix: str
) -> None:
    files = edit(clean_files(), APP, "[CreateNamespace=true]", f"[CreateNamespace=true, {option}]")
    assert [(f.rule, f.message, f.fix) for f in validate(files).findings] == [
        ("HG219", message, fix)
    ]
