"""Each app's Application as rendered from the plan: sources, folder, sync policy, namespace."""

from __future__ import annotations

from typing import Any

import pytest

from plan_trees import BASE, doc, tree

HELM = 'helm = { repo_url = "https://charts.example.com", chart = "c", version = "1.0.0" }\n'
OBJECTS = 'objects = [{ apiVersion = "v1", kind = "ConfigMap", metadata = { name = "c" } }]\n'


def spec(extra: str, name: str = "a", base: str = BASE) -> dict[str, Any]:
    """spec of apps/<name>.yaml (an ApplicationSet's template spec)."""
    found = doc(tree(extra, base), f"apps/{name}.yaml")["spec"]
    return found["template"]["spec"] if "template" in found else found  # type: ignore[no-any-return]


def sources(app_spec: dict[str, Any]) -> list[dict[str, Any]]:
    return app_spec["sources"] if "sources" in app_spec else [app_spec["source"]]  # type: ignore[no-any-return]


def test_application_fields_override_the_standard_sync_policy() -> None:
    custom = spec(f"""
[apps.a]
{HELM}application = {{ history = 3, automated = false, retry = false, finalizers = [], create_namespace = false }}
""")  # noqa: E501
    assert custom["revisionHistoryLimit"] == 3
    assert custom["syncPolicy"] == {"syncOptions": []}
    files = tree(f"[apps.a]\n{HELM}")
    standard = doc(files, "apps/a.yaml")
    assert standard["metadata"]["finalizers"] == ["resources-finalizer.argocd.argoproj.io"]
    assert standard["spec"]["revisionHistoryLimit"] == 10
    assert standard["spec"]["syncPolicy"] == {
        "automated": {"prune": True, "selfHeal": True, "allowEmpty": False},
        "syncOptions": ["CreateNamespace=true"],
        "retry": {"limit": 5, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"}},
    }
    kept = doc(tree(f"[apps.a]\n{HELM}application = {{ finalizers = [] }}\n"), "apps/a.yaml")
    assert "finalizers" not in kept["metadata"]


def test_a_custom_retry_and_automated_sync() -> None:
    policy = spec(f"""
[apps.a]
{HELM}application = {{ prune = false, allow_empty = true, retry = {{ limit = 2, duration = "10s", factor = 3, max_duration = "5m" }} }}
""")["syncPolicy"]  # noqa: E501
    assert policy["automated"] == {"prune": False, "selfHeal": True, "allowEmpty": True}
    assert policy["retry"] == {
        "limit": 2,
        "backoff": {"duration": "10s", "factor": 3, "maxDuration": "5m"},
    }


@pytest.mark.parametrize("recurse", [True, False])
def test_a_git_source_recurses_only_when_asked(recurse: bool) -> None:
    git = f'git = {{ repo_url = "https://git.example.com/x", revision = "v1", path = "deploy", recurse = {str(recurse).lower()} }}'  # noqa: E501
    (source,) = sources(spec(f"[apps.a]\nmanage_namespace = false\n{git}\n"))
    assert source["path"] == "deploy"
    assert source.get("directory") == ({"recurse": True} if recurse else None)


def test_applicationset_parameters_and_ignore_differences() -> None:
    template = spec(f"""
[apps.a]
{HELM}generator = {{ elements = [{{ name = "x" }}], parameters = {{ "runner.name" = "{{{{ .name }}}}" }} }}
ignore_differences = [{{ group = "apps", kind = "Deployment", namespace = "a", name = "d", json_pointers = ["/spec/replicas"] }}]
""")  # noqa: E501
    chart = sources(template)[0]
    assert chart["helm"]["parameters"] == [{"name": "runner.name", "value": "{{ .name }}"}]
    assert template["ignoreDifferences"] == [
        {
            "group": "apps",
            "kind": "Deployment",
            "name": "d",
            "namespace": "a",
            "jsonPointers": ["/spec/replicas"],
        }
    ]


@pytest.mark.parametrize(
    ("tree_path", "values", "manifests", "apps"),
    [
        ("k8s/tree", "k8s/tree/values/a.yaml", "k8s/tree/manifests/a", "k8s/tree/apps"),
        ("/k8s/tree/", "k8s/tree/values/a.yaml", "k8s/tree/manifests/a", "k8s/tree/apps"),
        ("deploy/X/", "deploy/X/values/a.yaml", "deploy/X/manifests/a", "deploy/X/apps"),
        (".", "values/a.yaml", "manifests/a", "apps"),
        ("/", "values/a.yaml", "manifests/a", "apps"),
        ("", "values/a.yaml", "manifests/a", "apps"),
    ],
)
def test_paths_inside_the_repository_follow_tree_path(
    tree_path: str, values: str, manifests: str, apps: str
) -> None:
    base = BASE.replace('tree_path = "k8s/tree"', f"tree_path = {tree_path!r}")
    files = tree(f"[apps.a]\n{HELM}values = {{ x = 1 }}\n{OBJECTS}", base)
    chart, ref, folder = sources(doc(files, "apps/a.yaml")["spec"])
    assert chart["helm"]["valueFiles"] == [f"$values/{values}"]
    assert ref["ref"] == "values"
    assert folder["path"] == manifests
    assert doc(files, "app-of-apps.yaml")["spec"]["source"]["path"] == apps


ROUTED_APP = """
[apps.a]
namespace = "web"
manage_namespace = false
route = { path = "/a", service = "a-http", port = 80 }
"""
SECRETS = '\n[secrets]\nprovider = "1password-operator"\n'


@pytest.mark.parametrize(
    "extra",
    [
        '[services.a]\nimage = "nginx:1.27"\nport = 80\nmanage_namespace = false\n',
        ROUTED_APP,
        f'{SECRETS}\n[apps.a]\nmanage_namespace = false\nsecrets = ["op://Lab/a/pw"]\n',
        f"[apps.a]\nmanage_namespace = false\n{OBJECTS}",
        "[apps.a]\n",
    ],
    ids=["workload", "grant", "secret", "object", "namespace"],
)
def test_an_app_with_anything_to_render_syncs_its_folder(extra: str) -> None:
    files = tree(extra)
    assert sources(doc(files, "apps/a.yaml")["spec"])[-1]["path"] == "k8s/tree/manifests/a"
    assert any(path.startswith("manifests/a/") for path in files)


def test_an_app_with_nothing_to_render_has_no_folder() -> None:
    files = tree(f"[apps.a]\nmanage_namespace = false\n{HELM}")
    assert [s.get("path") for s in sources(doc(files, "apps/a.yaml")["spec"])] == [None, None]
    assert not any(path.startswith("manifests/a/") for path in files)


def test_a_routed_app_is_reached_in_its_own_namespace() -> None:
    files = tree(ROUTED_APP)
    (rule,) = doc(files, "manifests/gateway/httproute-a.yaml")["spec"]["rules"]
    (backend,) = rule["backendRefs"]
    assert (backend["name"], backend["namespace"], backend["port"]) == ("a-http", "web", 80)
    grant = doc(files, "manifests/a/referencegrant-a-from-edge.yaml")
    assert grant["metadata"]["namespace"] == "web"
    assert grant["spec"]["to"] == [{"group": "", "kind": "Service", "name": "a-http"}]


def test_system_and_argocd_namespaces_are_never_rendered() -> None:
    files = tree(f"""
[apps.a]
namespace = "kube-system"
{OBJECTS}
[apps.b]
namespace = "argocd"
{OBJECTS}

[apps.c]
namespace = "tools"
""")
    namespaces = sorted(p for p in files if p.endswith("/namespace.yaml"))
    assert namespaces == ["manifests/c/namespace.yaml", "manifests/gateway/namespace.yaml"]
    assert doc(files, "manifests/c/namespace.yaml")["metadata"]["name"] == "tools"


def test_project_labels_and_annotations_of_the_application() -> None:
    files = tree(f"""
[apps.a]
{HELM}application = {{ project = "platform", labels = {{ team = "core" }}, annotations = {{ "notifications.argoproj.io/subscribe.on-sync-failed.slack" = "ops" }} }}
""")  # noqa: E501
    app = doc(files, "apps/a.yaml")
    assert app["spec"]["project"] == "platform"
    assert app["metadata"]["labels"]["team"] == "core"
    assert app["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "homegen"
    notify = "notifications.argoproj.io/subscribe.on-sync-failed.slack"
    assert app["metadata"]["annotations"][notify] == "ops"
    assert "argocd.argoproj.io/sync-wave" in app["metadata"]["annotations"]
    assert doc(tree(f"[apps.a]\n{HELM}"), "apps/a.yaml")["spec"]["project"] == "default"


def test_an_applicationset_template_takes_the_project() -> None:
    template = spec(f"""
[apps.a]
{HELM}generator = {{ elements = [{{ name = "x" }}] }}
application = {{ project = "runners" }}
""")
    assert template["project"] == "runners"


def test_a_helm_release_name_other_than_the_app() -> None:
    named = f'[apps.a]\nmanage_namespace = false\n{HELM[:-3]}, release_name = "rel" }}\n'
    chart = sources(spec(named))[0]
    assert chart["helm"]["releaseName"] == "rel"
    chart = sources(spec(f"[apps.a]\nmanage_namespace = false\n{HELM}"))[0]
    assert chart["helm"]["releaseName"] == "a"


def test_a_chart_in_a_git_folder_keeps_its_helm_options() -> None:
    git = (
        'git = { repo_url = "https://git.example.com/x", revision = "v1", path = "charts/c", '
        'helm = { value_files = ["values.yaml", "prod.yaml"], skip_crds = true, '
        'ignore_missing_value_files = true, release_name = "c" } }'
    )
    (source,) = sources(spec(f"[apps.a]\nmanage_namespace = false\n{git}\n"))
    assert source["helm"] == {
        "releaseName": "c",
        "valueFiles": ["values.yaml", "prod.yaml"],
        "ignoreMissingValueFiles": True,
        "skipCrds": True,
    }
    plain = 'git = { repo_url = "https://git.example.com/x", revision = "v1", path = "d" }'
    (source,) = sources(spec(f"[apps.a]\nmanage_namespace = false\n{plain}\n"))
    assert "helm" not in source


def test_an_app_name_may_start_with_a_digit() -> None:
    files = tree(f"[apps.4get]\n{OBJECTS}")
    app = doc(files, "apps/4get.yaml")
    assert app["metadata"]["name"] == "4get" and app["spec"]["destination"]["namespace"] == "4get"
    assert doc(files, "manifests/4get/namespace.yaml")["metadata"]["name"] == "4get"
