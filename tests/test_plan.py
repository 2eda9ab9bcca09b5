"""The plan: waves, namespace owners, grants and sources derived from a Config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from homegen.config.loader import load_config
from homegen.plan.build import build_plan
from homegen.plan.model import NamespacePlan, Plan
from homegen.plan.waves import find_cycle, sync_waves
from homegen.render.tree import render_tree_bytes

BASE = """
[cluster]
repo_url = "https://git.example.com/lab"
tree_path = "k8s/tree"
domain = "lab.example.com"

[argocd]
version = "v2.11.3"
path = "/argocd"
insecure = true

[gateway]
class_name = "traefik"
controller_name = "traefik.io/gateway-controller"
name = "gw"
namespace = "edge"
listeners = [{ name = "web", port = 8000 }]

[apps.gateway-config]
namespace = "edge"
"""


def plan_of(extra: str) -> Plan:
    return build_plan(load_config((BASE + extra).encode()))


def test_waves_are_topological_levels() -> None:
    deps = {"crds": [], "lb": [], "lb-config": ["lb"], "proxy": ["crds", "lb-config"]}
    tiers = dict.fromkeys(deps, False)
    assert sync_waves(deps, tiers) == {"crds": 0, "lb": 0, "lb-config": 1, "proxy": 2}


def test_regular_apps_come_after_all_infrastructure() -> None:
    deps = {"a": [], "b": ["a"], "c": ["b"], "web": [], "api": ["web"]}
    tiers = {"a": False, "b": False, "c": False, "web": True, "api": True}
    waves = sync_waves(deps, tiers)
    assert waves["web"] == 3
    assert waves["api"] == 4


def test_find_cycle_names_the_cycle() -> None:
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b"], "b": []}) is None


def test_plan_waves_follow_after() -> None:
    plan = plan_of("""
[services.db]
image = "postgres:16.4"
port = 5432
tier = "infra"

[services.web]
image = "nginx:1.27"
port = 8080
after = ["db"]
""")
    waves = {app.name: app.wave for app in plan.apps}
    assert waves["db"] == 0
    assert waves["web"] > waves["db"]
    assert waves["web"] > waves["gateway-config"]


def test_grant_only_for_cross_namespace_backends() -> None:
    plan = plan_of("""
[services.inside]
image = "nginx:1.27"
port = 80
namespace = "edge"
route = { path = "/in" }

[services.outside]
image = "nginx:1.27"
port = 80
route = { path = "/out" }
""")
    grants = {app.name: app.grants for app in plan.apps}
    assert grants["inside"] == ()
    (grant,) = grants["outside"]
    assert (grant.namespace, grant.from_namespace, grant.service) == ("outside", "edge", "outside")


def test_namespace_rendered_once_by_the_earliest_app() -> None:
    plan = plan_of("""
[services.a]
image = "nginx:1.27"
port = 80
namespace = "shared"
after = ["b"]

[services.b]
image = "nginx:1.27"
port = 80
namespace = "shared"
""")
    owners = [app.name for app in plan.apps if app.namespace_plan]
    assert "b" in owners
    assert "a" not in owners


def test_pod_security_exception_sets_the_namespace_level() -> None:
    plan = plan_of("""
[services.runner]
image = "docker:27.3-dind"
port = 2375
pod_security = { level = "privileged", reason = "Docker-in-Docker" }
""")
    (runner,) = [app for app in plan.apps if app.name == "runner"]
    assert runner.namespace_plan is not None
    assert runner.namespace_plan.level == "privileged"
    assert runner.namespace_plan.reason == "Docker-in-Docker"


def test_the_first_service_by_name_gives_its_namespace_the_reason() -> None:
    plan = plan_of("""
[services.zeta]
image = "nginx:1.27"
port = 80
namespace = "shared"
pod_security = { level = "baseline", reason = "zeta's reason" }

[services.alpha]
image = "nginx:1.27"
port = 80
namespace = "shared"
after = ["zeta"]
pod_security = { level = "baseline", reason = "alpha's reason" }
""")
    (owner,) = [app for app in plan.apps if app.namespace_plan and app.namespace == "shared"]
    assert owner.name == "zeta"  # the earliest wave renders the Namespace
    assert owner.namespace_plan == NamespacePlan("shared", "baseline", "alpha's reason")


def test_helm_app_reads_values_from_the_repo(tmp_path: Path) -> None:
    plan = plan_of("""
[apps.metrics]
namespace = "kube-system"
manage_namespace = false
helm = { repo_url = "https://charts.example.com", chart = "metrics", version = "1.2.3" }
values = { args = ["--insecure"] }
""")
    (app,) = [a for a in plan.apps if a.name == "metrics"]
    chart, values_ref = app.sources
    assert chart.value_files == ("$values/k8s/tree/values/metrics.yaml",)
    assert values_ref.ref == "values"
    assert app.values == {"args": ["--insecure"]}


def test_argocd_served_under_a_path() -> None:
    plan = plan_of("")
    assert plan.argocd.params == {
        "server.basehref": "/argocd",
        "server.insecure": "true",
        "server.rootpath": "/argocd",
    }
    assert plan.argocd.cm["application.resourceTrackingMethod"] == "annotation"
    assert "argoproj.io_Application" in "".join(plan.argocd.cm)


@pytest.mark.parametrize("provider", ["script", "1password-operator", "external-secrets"])
def test_one_secret_per_item(provider: str) -> None:
    plan = plan_of(f"""
[secrets]
provider = "{provider}"

[services.app]
image = "nginx:1.27"
port = 80
secret_env = {{ A = "op://Lab/app-secrets/a", B = "op://Lab/app-secrets/b", C = "op://Lab/db/pw" }}
""")
    names = sorted((s.name, tuple(k for k, _ in s.keys)) for s in plan.all_secrets)
    assert names == [("app-secrets", ("a", "b")), ("db", ("pw",))]
    (app,) = [a for a in plan.apps if a.name == "app"]
    assert len(app.secrets) == (0 if provider == "script" else 2)


def test_long_after_chains_do_not_recurse() -> None:
    chain = {f"app-{i}": [f"app-{i - 1}"] if i else [] for i in range(5000)}
    waves = sync_waves(chain, dict.fromkeys(chain, False))
    assert waves["app-4999"] == 4999
    assert find_cycle(chain) is None
    looped = {**chain, "app-0": ["app-4999"]}
    cycle = find_cycle(looped)
    assert cycle is not None and len(cycle) == 5001 and cycle[0] == cycle[-1]


def rendered(extra: str, path: str, base: str = BASE) -> dict[str, Any]:
    files = render_tree_bytes(build_plan(load_config((base + extra).encode())))
    doc: dict[str, Any] = list(yaml.safe_load_all(files[path].decode()))[-1]
    return doc


def test_operator_secret_names_its_vault_and_item() -> None:
    doc = rendered(
        """
[secrets]
provider = "1password-operator"

[services.app]
image = "nginx:1.27"
port = 80
secret_env = { A = "op://Lab/app-secrets/a" }
""",
        "manifests/app/onepassworditem-app-secrets.yaml",
    )
    assert doc["spec"] == {"itemPath": "vaults/Lab/items/app-secrets"}


@pytest.mark.parametrize(
    ("provider", "namespace", "token_secret"),
    [
        ("1password-operator", "1password", "onepassword-token"),
        ("external-secrets", "external-secrets", "onepassword-connect-token"),
    ],
)
def test_bootstrap_creates_the_connect_credentials_and_the_operator_token(
    provider: str, namespace: str, token_secret: str
) -> None:
    plan = plan_of(f'\n[secrets]\nprovider = "{provider}"\n')
    keys = [(k.namespace, k.secret, k.key, k.encoding) for k in plan.bootstrap_keys]
    assert keys == sorted(
        [
            (namespace, "op-credentials", "1password-credentials.json", "base64"),
            (namespace, token_secret, "token", "raw"),
        ]
    )


ARGOCD_AT = BASE.replace('path = "/argocd"\n', "%s")


@pytest.mark.parametrize(
    ("settings", "url", "base_path"),
    [
        ('path = "/"\n', "https://lab.example.com", None),
        ('path = "/argocd/"\n', "https://lab.example.com/argocd", "/argocd/"),
        ('path = "/cd/X/"\n', "https://lab.example.com/cd/X", "/cd/X/"),
        ('host = "cd.example.com"\npath = "/ui"\n', "https://cd.example.com", "/ui"),
        ("", None, None),
    ],
)
def test_argocd_url_and_base_path(settings: str, url: str | None, base_path: str | None) -> None:
    plan = build_plan(load_config((ARGOCD_AT % settings).encode()))
    assert plan.argocd.url == url
    assert plan.argocd.cm.get("url") == url
    paths = {"server.basehref": base_path, "server.rootpath": base_path} if base_path else {}
    assert plan.argocd.params == {"server.insecure": "true", **paths}


def test_root_app_name_is_the_root_applications_name() -> None:
    doc = rendered("", "app-of-apps.yaml", BASE.replace("insecure = true", 'root_app = "root"'))
    assert doc["metadata"]["name"] == "root"


def test_only_oci_chart_registries_are_declared_to_argocd() -> None:
    plan = plan_of("""
[apps.a]
helm = { repo_url = "https://charts.example.com", chart = "a", version = "1.0.0" }

[apps.b]
helm = { repo_url = "http://charts.lan", chart = "b", version = "1.0.0" }

[apps.c]
helm = { repo_url = "oci://ghcr.io/Org/Charts", chart = "c", version = "1.0.0" }

[apps.d]
helm = { repo_url = "oci://registry.lan/charts/", chart = "d", version = "1.0.0" }

[apps.e]
helm = { repo_url = "HTTPS://Charts.example.com", chart = "e", version = "1.0.0" }

[apps.f]
helm = { repo_url = "OCI://quay.io/org", chart = "f", version = "1.0.0" }
""")
    assert plan.argocd.oci_repos == (
        ("helm-oci-ghcr-io-org-charts", "ghcr.io/Org/Charts"),
        ("helm-oci-quay-io-org", "quay.io/org"),
        ("helm-oci-registry-lan-charts", "registry.lan/charts/"),
    )
    repo_urls = {a.name: a.sources[0].repo_url for a in plan.apps if a.sources}
    assert repo_urls["c"] == "ghcr.io/Org/Charts"  # ArgoCD names an OCI registry without scheme
    assert repo_urls["f"] == "quay.io/org"
    assert repo_urls["e"] == "HTTPS://Charts.example.com"


POOL = """
[network]
pools = [{ name = "lan", addresses = ["10.0.0.10-10.0.0.20"] }]

[apps.metallb-config]
namespace = "metallb-system"

[apps.traefik]
namespace = "edge"
helm = { repo_url = "https://helm.traefik.io/traefik", chart = "traefik", version = "33.2.1" }
%s

[apps.other]
helm = { repo_url = "https://charts.example.com", chart = "other", version = "1.0.0" }
values = { zeta = 1 }
"""
PINNED = BASE.replace(
    "listeners =", 'controller_app = "traefik"\nload_balancer_ip = "10.0.0.15"\nlisteners ='
)


@pytest.mark.parametrize(
    ("values", "service"),
    [
        ("", {}),
        (
            'values = { zeta = 1, service = { type = "LoadBalancer", annotations = { a = "b" } } }',
            {"type": "LoadBalancer", "annotations": {"a": "b"}},
        ),
    ],
)
def test_the_gateway_controller_service_gets_the_pinned_address(
    values: str, service: dict[str, Any]
) -> None:
    plan = build_plan(load_config((PINNED + POOL % values).encode()))
    apps = {a.name: a for a in plan.apps}
    pin = {"metallb.universe.tf/loadBalancerIPs": "10.0.0.15"}
    expected = {**service, "annotations": {**service.get("annotations", {}), **pin}}
    traefik_values = apps["traefik"].values
    assert traefik_values is not None
    assert traefik_values["service"] == expected
    assert list(traefik_values) == sorted(traefik_values)  # rendered with sorted keys
    assert list(traefik_values["service"]["annotations"]) == sorted(expected["annotations"])
    assert apps["other"].values == {"zeta": 1}
