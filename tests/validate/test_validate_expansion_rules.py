"""HG130-HG132 and HG230-HG233 on small trees with a hand-made expansion: the documents a
chart "rendered" are written here with their origin, so each test shows its whole input and
needs no Helm engine."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
import yaml
from validate_trees import clean_files, dedent, write_tree

from homegen.expand.model import Expansion, Failure, Origin, ValuesProblem
from homegen.validate.findings import Finding
from homegen.validate.reader.documents import Document, load_tree
from homegen.validate.run import ValidateOptions, validate_documents

WEB_APP = dedent("""
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata:
      name: web
      namespace: argocd
      annotations: {argocd.argoproj.io/sync-wave: "1"}
    spec:
      project: default
      sources:
        - repoURL: https://charts.example.com
          chart: demo
          targetRevision: 1.0.0
          helm: {releaseName: web}
        - repoURL: https://github.com/TechDufus/home.io
          targetRevision: main
          path: kubernetes/argocd/manifests/web
      destination: {server: "https://kubernetes.default.svc", namespace: web}
""")
CHART_SERVICE = dedent("""
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: web}
    spec:
      selector: {app: web}
      ports: [{port: 80}, {port: 443}]
""")
CHART_ACCOUNT = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: web}\n"


def chart_doc(
    text: str, template: str, *, app: str = "web", owner: str = "web", namespace: str = "web"
) -> Document:
    """A document the chart demo@1.0.0 of ``app`` (in apps/<owner>.yaml) rendered."""
    owner_file = f"apps/{owner}.yaml"
    origin = Origin(app, owner_file, owner, "demo@1.0.0", f"demo/templates/{template}", namespace)
    file = f"{owner_file}::{app}/demo/templates/{template}"
    return Document(file, 0, 3, yaml.safe_load(dedent(text)), origin=origin)


Run = Callable[..., list[Finding]]


@pytest.fixture
def run(tmp_path: Path, options: ValidateOptions) -> Run:
    """Validate the clean tree plus ``files`` and the app web, with ``rendered`` as the
    chart's documents; the findings of the rules named in ``rules``."""

    def go(
        rules: Iterable[str],
        files: dict[str, str] | None = None,
        rendered: Iterable[Document] = (),
        *,
        failures: Iterable[Failure] = (),
        problems: Iterable[tuple[Failure, ValuesProblem]] = (),
        incomplete: Iterable[str] = (),
        expanded: bool = True,
    ) -> list[Finding]:
        tree = {**clean_files(), "apps/web.yaml": WEB_APP, **(files or {})}
        root = write_tree(tmp_path / f"tree{len(list(tmp_path.iterdir()))}", tree)
        docs = [*load_tree(root), *rendered]
        options.expansion = (
            Expansion(
                docs,
                failures=list(failures),
                values_problems=list(problems),
                incomplete=set(incomplete),
            )
            if expanded
            else None
        )
        wanted = set(rules)
        return [f for f in validate_documents(docs, options=options).findings if f.rule in wanted]

    return go


# --- HG130-HG132: sources that failed, values keys the chart lacks --------------------------

FAILED = Failure("apps/web.yaml", "web", "web", "demo@1.0.0", "template: boom")


def test_a_failed_source_is_hg130_on_its_application(run: Run) -> None:
    (found,) = run(["HG130"], failures=[FAILED], incomplete=["web"])
    assert (found.severity, found.file, found.line, found.object) == (
        "error", "apps/web.yaml", 1, "Application/argocd/web",
    )  # fmt: skip
    assert found.message == "web: demo@1.0.0: template: boom"


def test_without_an_expansion_nothing_is_reported(run: Run) -> None:
    assert run(["HG130", "HG131", "HG132"], failures=[FAILED], expanded=False) == []


SECOND_IN_FILE = dedent("""
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata: {name: first, namespace: argocd}
    spec:
      project: default
      source: {repoURL: "https://charts.example.com", chart: demo, targetRevision: 1.0.0}
      destination: {server: "https://kubernetes.default.svc", namespace: first}
    ---
    apiVersion: argoproj.io/v1alpha1
    kind: ApplicationSet
    metadata: {name: web, namespace: argocd}
    spec:
      generators: [{list: {elements: [{name: web-a}]}}]
      template:
        metadata: {name: "{{name}}"}
        spec:
          project: default
          source: {repoURL: "https://charts.example.com", chart: demo, targetRevision: 1.0.0}
          destination: {server: "https://kubernetes.default.svc", namespace: "{{name}}"}
""")


@pytest.mark.parametrize(
    ("owner_file", "owner", "where"),
    [
        # the ApplicationSet web, not the Application web of another file
        ("apps/sets.yaml", "web", ("apps/sets.yaml", 9, "ApplicationSet/argocd/web")),
        # the second app of a file, not the first
        ("apps/sets.yaml", "first", ("apps/sets.yaml", 1, "Application/argocd/first")),
        # an owner the tree does not have: the file's first line, no object
        ("apps/sets.yaml", "gone", ("apps/sets.yaml", 1, "")),
        ("apps/gone.yaml", "web", ("apps/gone.yaml", 1, "")),
    ],
)
def test_a_finding_of_expansion_is_on_the_app_of_that_file_and_name(
    run: Run, owner_file: str, owner: str, where: tuple[str, int, str]
) -> None:
    failure = Failure(owner_file, owner, "web-a", "demo@1.0.0", "boom")
    (found,) = run(["HG130"], {"apps/sets.yaml": SECOND_IN_FILE}, failures=[failure])
    assert (found.file, found.line, found.object) == where


@pytest.mark.parametrize(("error", "rule", "severity"), [(True, "HG131", "error"),
                                                          (False, "HG132", "warning")])  # fmt: skip
def test_a_values_key_the_chart_lacks(run: Run, error: bool, rule: str, severity: str) -> None:
    problem = ValuesProblem("servce.port", "key servce.port is not in the chart", error)
    failure = Failure("apps/web.yaml", "web", "web", "demo@1.0.0", "")
    (found,) = run(["HG130", "HG131", "HG132"], problems=[(failure, problem)])
    assert (found.rule, found.severity, found.object) == (rule, severity, "Application/argocd/web")
    assert found.message == "web: demo@1.0.0: key servce.port is not in the chart"


# --- HG230/HG231: routes that trust a chart for their backend ------------------------------


def route(backend: str, *, annotation: str = '"true"', namespace: str = "") -> str:
    """An HTTPRoute in manifests/web (namespace web unless given) with one backend ref."""
    ns = f", namespace: {namespace}" if namespace else ""
    return dedent(f"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          {{name: web{ns},
           annotations: {{homegen.dev/external-backends: {annotation}}}}}
        spec:
          rules: [{{backendRefs: [{backend}]}}]
    """)


SERVICE_WITHOUT_PORTS = "apiVersion: v1\nkind: Service\nmetadata: {name: bare}\nspec: {}\n"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"r.yaml": route("{name: web, port: 80}")}, []),
        ({"r.yaml": route("{name: web, port: 443}")}, []),
        ({"r.yaml": route("{name: web, port: 8080}")}, [
            ("HG231", "Service web/web of app web (demo@1.0.0: demo/templates/service.yaml) "
             "has no port 8080 (ports: 80, 443)"),
        ]),
        ({"r.yaml": route("{name: webb, port: 80}")}, [
            ("HG230", "Service web/webb is created by no expanded chart"),
        ]),
        ({"r.yaml": route("{name: webb, port: 80}", annotation='"True"')}, [
            ("HG230", "Service web/webb is created by no expanded chart"),
        ]),
        ({"r.yaml": route("{name: webb, port: 80}", annotation='"false"')}, []),
        # a backend that is no Service is not the chart's to create
        ({"r.yaml": route("{name: webb, port: 80, kind: Pod}")}, []),
        # the backend's namespace is the route's unless the ref names one
        ({"r.yaml": route("{name: web, port: 80}", namespace="traefik")}, []),
        ({"r.yaml": route("{name: web, port: 80, namespace: web}", namespace="traefik")}, []),
        ({"r.yaml": route("{name: webb, port: 80, namespace: web}", namespace="traefik")}, [
            ("HG230", "Service web/webb is created by no expanded chart"),
        ]),
        # a Service of the tree itself, and one without ports
        ({"r.yaml": route("{name: bare, port: 80}"), "bare.yaml": SERVICE_WITHOUT_PORTS}, [
            ("HG231", "Service web/bare of app web (manifests/web/bare.yaml:1) has no port 80 "
             "(ports: none)"),
        ]),
        ({"r.yaml": route("{port: 80}")}, [
            ("HG230", "Service web/ is created by no expanded chart"),
        ]),
        # every backend of a route is judged, past one in a namespace not expanded, or missing
        ({"r.yaml": route("{name: x, port: 80, namespace: elsewhere}, {name: webb, port: 80}")}, [
            ("HG230", "Service web/webb is created by no expanded chart"),
        ]),
        ({"r.yaml": route("{name: webb, port: 80}, {name: web, port: 8080}")}, [
            ("HG230", "Service web/webb is created by no expanded chart"),
            ("HG231", "Service web/web of app web (demo@1.0.0: demo/templates/service.yaml) "
             "has no port 8080 (ports: 80, 443)"),
        ]),
    ],
    ids=["port", "second-port", "wrong-port", "no-service", "True", "false", "not-a-service",
         "other-namespace", "ref-namespace", "ref-namespace-missing", "no-ports", "no-name",
         "after-not-expanded", "after-missing"],
)  # fmt: skip
def test_a_route_to_a_chart_service(
    run: Run, files: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    tree = {f"manifests/web/{name}": text for name, text in files.items()}
    found = run(["HG230", "HG231"], tree, [chart_doc(CHART_SERVICE, "service.yaml")])
    assert [(f.rule, f.message) for f in found] == expected
    routes = {"HTTPRoute/web/web", "HTTPRoute/traefik/web"}
    assert all(f.file == "manifests/web/r.yaml" and f.object in routes for f in found)
    assert all(f.severity == "error" for f in found)


BACKEND_GONE = {"manifests/web/r.yaml": route("{name: webb, port: 80}")}


def test_a_namespace_not_wholly_expanded_is_not_judged(run: Run) -> None:
    service = chart_doc(CHART_SERVICE, "service.yaml")
    assert run(["HG230"], BACKEND_GONE, [service], incomplete=["web"]) == []
    assert run(["HG230"], BACKEND_GONE, [service], incomplete=["other"]) != []
    assert run(["HG230"], BACKEND_GONE, [service], expanded=False) == []


def test_a_namespace_a_chart_renders_nothing_into_is_not_judged(run: Run) -> None:
    assert run(["HG230"], BACKEND_GONE) == []


CLUSTER_ROLE = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n"


def test_the_destination_of_a_chart_with_only_cluster_objects_is_judged(run: Run) -> None:
    (found,) = run(["HG230"], BACKEND_GONE, [chart_doc(CLUSTER_ROLE, "role.yaml")])
    assert found.message == "Service web/webb is created by no expanded chart"


def test_a_namespace_a_chart_renders_into_besides_its_destination_is_judged(run: Run) -> None:
    elsewhere = CHART_SERVICE.replace("namespace: web", "namespace: db")
    files = {"manifests/web/r.yaml": route("{name: webb, port: 80}", namespace="db")}
    (found,) = run(["HG230"], files, [chart_doc(elsewhere, "service.yaml", namespace="web")])
    assert found.message == "Service db/webb is created by no expanded chart"


# --- HG232: an object two sources render ---------------------------------------------------

OTHER_APP = WEB_APP.replace("name: web\n", "name: other\n").replace(
    "manifests/web", "manifests/other"
)


@pytest.mark.parametrize(
    ("files", "rendered", "expected"),
    [
        # the chart and the app's own manifests
        ({"manifests/web/svc.yaml": CHART_SERVICE}, [chart_doc(CHART_SERVICE, "service.yaml")], [
            ("apps/web.yaml::web/demo/templates/service.yaml",
             "defined by app web (demo@1.0.0: demo/templates/service.yaml) and by app web "
             "(manifests/web/svc.yaml:1)"),
        ]),
        # two apps' charts
        ({"apps/other.yaml": OTHER_APP}, [
            chart_doc(CHART_SERVICE, "service.yaml"),
            chart_doc(CHART_SERVICE, "svc.yaml", app="other", owner="other"),
        ], [
            ("apps/other.yaml::other/demo/templates/svc.yaml",
             "defined by app other (demo@1.0.0: demo/templates/svc.yaml) and by app web "
             "(demo@1.0.0: demo/templates/service.yaml)"),
        ]),
        # one chart's two templates: the chart's own business (Helm keeps the last)
        ({}, [chart_doc(CHART_SERVICE, "a.yaml"), chart_doc(CHART_SERVICE, "b.yaml")], []),
        # the tree's files only: HG205's, not this rule's
        ({"manifests/web/a.yaml": CHART_SERVICE, "manifests/web/b.yaml": CHART_SERVICE}, [], []),
        # two files of the tree and a chart: each file against the first
        ({"manifests/web/a.yaml": CHART_SERVICE, "manifests/web/b.yaml": CHART_SERVICE},
         [chart_doc(CHART_SERVICE, "service.yaml")], [
            ("apps/web.yaml::web/demo/templates/service.yaml",
             "defined by app web (demo@1.0.0: demo/templates/service.yaml) and by app web "
             "(manifests/web/a.yaml:1)"),
            ("manifests/web/b.yaml",
             "defined by app web (manifests/web/b.yaml:1) and by app web (manifests/web/a.yaml:1)"),
        ]),
    ],
    ids=["chart-and-manifest", "two-charts", "one-chart", "no-chart", "three"],
)  # fmt: skip
def test_an_object_two_sources_define(
    run: Run,
    files: dict[str, str],
    rendered: list[Document],
    expected: list[tuple[str, str]],
) -> None:
    found = run(["HG232"], files, rendered)
    assert sorted((f.file, f.message) for f in found) == sorted(expected)
    assert all(f.object == "Service/web/web" and f.severity == "error" for f in found)


def test_a_file_synced_by_two_apps_names_both(run: Run) -> None:
    both = WEB_APP.replace("name: web\n", "name: also\n")
    found = run(
        ["HG232"],
        {"apps/also.yaml": both, "manifests/web/svc.yaml": CHART_SERVICE},
        [chart_doc(CHART_SERVICE, "service.yaml")],
    )
    assert {f.message for f in found} == {
        "defined by app web (demo@1.0.0: demo/templates/service.yaml) and by app also, web "
        "(manifests/web/svc.yaml:1)"
    }


def test_an_object_no_app_syncs_is_defined_by_the_chart_alone(run: Run) -> None:
    """A file no Application syncs is never applied: it defines nothing twice (as HG205)."""
    found = run(
        ["HG232"], {"stray/svc.yaml": CHART_SERVICE}, [chart_doc(CHART_SERVICE, "service.yaml")]
    )
    assert found == []


# --- HG233: bindings to ServiceAccounts --------------------------------------------------


def binding(subject: str, *, kind: str = "RoleBinding") -> str:
    """A binding in manifests/web (namespace web) with one subject."""
    return dedent(f"""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: {kind}
        metadata: {{name: reader}}
        roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}}
        subjects: [{subject}]
    """)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (binding("{kind: ServiceAccount, name: web}"), []),
        (binding("{kind: ServiceAccount, name: web, namespace: web}"), []),
        (binding("{kind: ServiceAccount, name: app}"),
         ["ServiceAccount web/app is created by nothing in the expanded tree"]),
        (binding("{kind: ServiceAccount, name: app, namespace: web}", kind="ClusterRoleBinding"),
         ["ServiceAccount web/app is created by nothing in the expanded tree"]),
        (binding("{kind: ServiceAccount}"),
         ["ServiceAccount web/ is created by nothing in the expanded tree"]),
        (binding("{kind: ServiceAccount, name: default}"), []),
        (binding("{kind: User, name: app}"), []),
        (binding("{kind: ServiceAccount, name: app, namespace: whoami}"), []),
        # a ClusterRoleBinding's subject without a namespace is in no namespace
        (binding("{kind: ServiceAccount, name: app}", kind="ClusterRoleBinding"), []),
        # every subject is judged, past a User or the default ServiceAccount
        (binding("{kind: User, name: me}, {kind: ServiceAccount, name: app}"),
         ["ServiceAccount web/app is created by nothing in the expanded tree"]),
        (binding("{kind: ServiceAccount, name: default}, {kind: ServiceAccount, name: app}"),
         ["ServiceAccount web/app is created by nothing in the expanded tree"]),
    ],
    ids=["same-namespace", "named-namespace", "missing", "cluster-binding", "no-name",
         "default", "user", "not-expanded-namespace", "no-namespace", "after-a-user",
         "after-default"],
)  # fmt: skip
def test_a_binding_to_a_service_account(run: Run, text: str, expected: list[str]) -> None:
    rendered = [chart_doc(CHART_ACCOUNT, "sa.yaml"), chart_doc(CLUSTER_ROLE, "role.yaml")]
    found = run(["HG233"], {"manifests/web/binding.yaml": text}, rendered)
    assert [f.message for f in found] == expected
    assert all(f.file == "manifests/web/binding.yaml" and f.severity == "error" for f in found)


def test_bindings_are_not_judged_without_expanded_namespaces(run: Run) -> None:
    files = {"manifests/web/binding.yaml": binding("{kind: ServiceAccount, name: app}")}
    assert run(["HG233"], files) == []
    assert run(["HG233"], files, [chart_doc(CHART_ACCOUNT, "sa.yaml")]) != []
