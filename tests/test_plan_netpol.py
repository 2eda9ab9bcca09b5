"""The planned NetworkPolicies' peers and the edges `homegen graph` draws for them
(tests/test_netpol_eval.py evaluates the rendered policies on pods)."""

from __future__ import annotations

from typing import Any

from homegen.plan.model import NetworkPolicyPlan
from homegen.plan.netpol import workload_selector
from plan_trees import BASE, plan_of

UNITS = """
[apps.traefik]
namespace = "ingress"
helm = { repo_url = "https://helm.traefik.io/traefik", chart = "traefik", version = "33.2.1" }

[apps.metrics]
namespace = "observability"
helm = { repo_url = "https://charts.example.com", chart = "prometheus", version = "25.0.0" }
network_policy = "default-deny"
allow_from = ["web"]

[services.web]
image = "nginx:1.27.0"
port = 8080
port_name = "web"
route = { path = "/" }

[services.api]
image = "ghcr.io/example/api:2.1.0"
port = 3000
namespace = "backend"
allow_from = ["web", "app:metrics"]
egress = ["db", "10.0.30.0/24", "app:metrics"]

[services.db]
image = "postgres:16.4"
port = 5432
namespace = "backend"
"""
CONTROLLER = 'controller_app = "traefik"\nlisteners = ['


def _policies(base: str = BASE) -> dict[str, NetworkPolicyPlan]:
    """The policies by name (a namespace-wide default deny: by namespace/name)."""
    plan = plan_of(UNITS, base)
    return {
        f"{p.namespace}/{p.name}" if p.name == "default-deny-ingress" else p.name: p
        for app in plan.apps
        for p in app.network_policies
    }


def _namespace(name: str) -> dict[str, Any]:
    return {"matchLabels": {"kubernetes.io/metadata.name": name}}


def test_edges_name_the_units_each_policy_admits() -> None:
    edges = {
        name: p.edges for name, p in _policies(BASE.replace("listeners = [", CONTROLLER)).items()
    }
    assert edges == {
        "backend/default-deny-ingress": (),
        "observability/default-deny-ingress": (),
        "web/default-deny-ingress": (),
        "web-from-gateway": (("traefik", "web", "allows :web"),),
        "api-allow-from": (("web", "api", "allows :http"), ("metrics", "api", "allows :http")),
        # a CIDR is no unit of the graph
        "api-egress": (("api", "db", "egress"), ("api", "metrics", "egress")),
        # an app's policies open every port of its pods
        "metrics-allow-from": (("web", "metrics", "allows"),),
    }


def test_without_a_controller_app_the_gateways_app_admits_the_routes() -> None:
    assert _policies()["web-from-gateway"].edges == (("gateway-config", "web", "allows :web"),)


def test_an_apps_pods_are_the_whole_namespace_it_deploys_to() -> None:
    policies = _policies()
    (rule,) = policies["api-allow-from"].spec["ingress"]
    assert rule["from"][1] == {"namespaceSelector": _namespace("observability")}
    assert policies["api-egress"].spec["egress"][3] == {"to": [rule["from"][1]]}


def test_the_controllers_pod_labels_select_its_pods() -> None:
    labels = '{ "app.kubernetes.io/name" = "traefik", "app.kubernetes.io/instance" = "edge" }'
    base = BASE.replace("listeners = [", f"{CONTROLLER.split(chr(10))[0]}\n"
                        f"controller_pod_labels = {labels}\nlisteners = [")  # fmt: skip
    (rule,) = _policies(base)["web-from-gateway"].spec["ingress"]
    assert rule["from"] == [
        {
            "namespaceSelector": _namespace("ingress"),
            "podSelector": {
                "matchLabels": {
                    "app.kubernetes.io/instance": "edge",
                    "app.kubernetes.io/name": "traefik",
                }
            },
        }
    ]


def test_a_service_in_a_system_or_argocds_namespace_denies_only_its_own_pods() -> None:
    services = "".join(
        f'[services.{name}]\nimage = "nginx:1.27.0"\nport = 8080\nnamespace = "{namespace}"\n'
        for name, namespace in (("probe", "default"), ("hook", "argocd"), ("lone", "lone"))
    )
    plan = plan_of(services)
    denies = [
        (p.namespace, p.name, p.spec["podSelector"])
        for app in plan.apps
        for p in app.network_policies
    ]
    assert denies == [
        ("argocd", "hook-default-deny-ingress", {"matchLabels": workload_selector("hook")}),
        ("lone", "default-deny-ingress", {}),  # a namespace of its own: all of it
        ("default", "probe-default-deny-ingress", {"matchLabels": workload_selector("probe")}),
    ]


def test_an_app_whose_folder_holds_only_its_policies_syncs_that_folder() -> None:
    chart = 'helm = { repo_url = "https://charts.example.com", chart = "c", version = "1.0.0" }'
    shared = f'namespace = "mon"\n{chart}\nnetwork_policy = "default-deny"\n'
    # mon-a holds the Namespace and the namespace's default deny; mon-b only its allow_from
    plan = plan_of(f'[apps.mon-a]\n{shared}\n[apps.mon-b]\n{shared}allow_from = ["app:mon-a"]\n')
    (mon_b,) = [a for a in plan.apps if a.name == "mon-b"]
    assert [p.name for p in mon_b.network_policies] == ["mon-b-allow-from"]
    assert mon_b.namespace_plan is None
    assert "k8s/tree/manifests/mon-b" in [s.path for s in mon_b.sources]
