"""The rendered NetworkPolicies, evaluated against the rendered objects (tests/netpol_eval.py):
every route's backend is reachable from the gateway controller and from nothing else, allow_from
opens exactly what it names, egress closes all but what it names."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from homegen.pipeline import render_config
from netpol_eval import Cluster, Pod, load_objects, policy_types, selects

CASE = Path(__file__).parent / "cases" / "golden" / "network-policies"
ROOT = Path(__file__).resolve().parents[1]

# pods the tree does not render: chart pods (labels as their charts set them) and strangers
TRAEFIK = Pod("traefik", "traefik", {"app.kubernetes.io/name": "traefik",
              "app.kubernetes.io/instance": "traefik-traefik"}, {"web": (8000, "TCP")})  # fmt: skip
EXTRA = [
    TRAEFIK,
    Pod("prometheus", "monitoring", {"app.kubernetes.io/name": "prometheus"}, ip="10.244.9.9"),
    Pod("grafana", "grafana", {"app.kubernetes.io/name": "grafana"}, {"http": (3000, "TCP")}),
    Pod("kube-dns", "kube-system", {"k8s-app": "kube-dns"}, {"dns": (53, "UDP")}),
    Pod("stranger", "stranger", {"app.kubernetes.io/name": "traefik"}),  # right labels, wrong ns
    Pod("intruder", "backend", {"app": "intruder"}),  # the backend namespace, not a service
    Pod("outside", "stranger", {}, ip="10.0.30.7"),  # inside api's egress CIDR
    Pod("elsewhere", "stranger", {}, ip="10.0.31.7"),  # just outside it
]


def _cluster(config: Path, extra: list[Pod]) -> tuple[Cluster, dict[str, bytes]]:
    files = render_config(config).files
    cluster = Cluster()
    cluster.add_objects(load_objects(files))
    cluster.pods.extend(extra)
    return cluster, files


@pytest.fixture(scope="module")
def lab() -> tuple[Cluster, dict[str, Any], dict[str, bytes]]:
    cluster, files = _cluster(CASE / "services.toml", EXTRA)
    config = tomllib.loads((CASE / "services.toml").read_text())
    return cluster, config, files


def _backends(objects: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """(namespace, Service, port) of every HTTPRoute backend."""
    return [
        (ref.get("namespace", route["metadata"]["namespace"]), ref["name"], ref["port"])
        for route in objects
        if route.get("kind") == "HTTPRoute"
        for rule in route["spec"]["rules"]
        for ref in rule["backendRefs"]
    ]


def _target(objects: list[dict[str, Any]], namespace: str, name: str, port: int) -> str:
    """A Service port's targetPort."""
    svc = next(
        o for o in objects
        if o.get("kind") == "Service" and o["metadata"] == {**o["metadata"], "name": name,
                                                            "namespace": namespace}
    )  # fmt: skip
    return str(next(p["targetPort"] for p in svc["spec"]["ports"] if p["port"] == port))


def _expected_sources(config: dict[str, Any], service: str) -> set[str]:
    """The pods a service's allow_from names (app:NAME: every pod of the app's namespace)."""
    names = set()
    for entry in config["services"][service].get("allow_from", []):
        if entry.startswith("app:"):
            app = config["apps"][entry.removeprefix("app:")]
            names |= {p.name for p in EXTRA if p.namespace == app["namespace"]}
        else:
            names.add(entry)
    return names


def test_every_generated_backend_admits_the_controller_and_nothing_else(lab: Any) -> None:
    cluster, config, files = lab
    objects = load_objects(files)
    routed = [b for b in _backends(objects) if b[1] in config["services"]]
    assert {name for _, name, _ in routed} == {"web", "api"}
    for namespace, name, port in routed:
        port_name = _target(objects, namespace, name, port)
        target = cluster.pod(name)
        number, _ = target.ports[port_name]
        allowed = {p.name for p in cluster.pods if cluster.ingress_allowed(p, target, number)}
        assert allowed == {"traefik"} | _expected_sources(config, name), name
        # the target port only: the same sources are refused one port off
        for off in (number - 1, number + 1):
            assert not any(cluster.ingress_allowed(p, target, off) for p in cluster.pods)
        assert not cluster.ingress_allowed(TRAEFIK, target, number, "UDP")


def test_allow_from_opens_exactly_what_it_names(lab: Any) -> None:
    cluster, config, _ = lab
    for name in config["services"]:
        target = cluster.pod(name)
        number, _ = next(iter(target.ports.values()))
        routed = "route" in config["services"][name]
        expected = _expected_sources(config, name) | ({"traefik"} if routed else set())
        allowed = {p.name for p in cluster.pods if cluster.ingress_allowed(p, target, number)}
        assert allowed == expected, name
    assert _expected_sources(config, "db") == {"api", "prometheus"}


def test_a_route_less_service_gets_only_the_default_deny(lab: Any) -> None:
    cluster, _, _ = lab
    worker = cluster.pod("worker")
    policies = cluster.selecting(worker, "Ingress")
    assert [p["metadata"]["name"] for p in policies] == ["default-deny-ingress"]
    assert policies[0]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    assert cluster.selecting(worker, "Egress") == []
    assert not any(cluster.ingress_allowed(p, worker, 9090) for p in cluster.pods)


def test_a_service_beside_a_chart_leaves_the_chart_open(lab: Any) -> None:
    """sidecar shares traefik's namespace: its deny selects its own pods, not Traefik's."""
    cluster, _, _ = lab
    assert cluster.selecting(TRAEFIK, "Ingress") == []
    stranger = cluster.pod("stranger")
    assert cluster.ingress_allowed(stranger, TRAEFIK, 8000)
    assert not cluster.ingress_allowed(TRAEFIK, cluster.pod("sidecar"), 9100)


def test_a_chart_app_that_asked_admits_the_controller_and_its_allow_from(lab: Any) -> None:
    cluster, _, _ = lab
    grafana = cluster.pod("grafana")
    allowed = {p.name for p in cluster.pods if cluster.ingress_allowed(p, grafana, 3000)}
    assert allowed == {"traefik", "prometheus"}
    # a chart app that did not ask keeps every ingress
    assert cluster.selecting(cluster.pod("prometheus"), "Ingress") == []


def test_egress_closes_all_but_dns_and_what_it_names(lab: Any) -> None:
    cluster, _, _ = lab
    api = cluster.pod("api")
    reachable = {
        p.name for p in cluster.pods if p is not api and cluster.egress_allowed(api, p, 5432)
    }
    assert reachable == {"db", "prometheus", "outside"}
    assert not cluster.egress_allowed(api, cluster.pod("db"), 5433)
    dns = cluster.pod("kube-dns")
    assert cluster.egress_allowed(api, dns, 53, "UDP") and cluster.egress_allowed(api, dns, 53)
    assert not cluster.egress_allowed(api, dns, 54, "UDP")
    assert cluster.allowed(api, cluster.pod("db"), 5432)
    assert not cluster.allowed(api, cluster.pod("worker"), 9090)
    # egress stays open where it was not asked for
    web = cluster.pod("web")
    assert all(cluster.egress_allowed(web, p, 1234) for p in cluster.pods)


def test_every_generated_pod_is_selected_by_an_ingress_policy(lab: Any) -> None:
    cluster, config, _ = lab
    for name in config["services"]:
        assert cluster.selecting(cluster.pod(name), "Ingress"), name
    for policy in cluster.policies:  # and no policy selects nothing
        ns = policy["metadata"]["namespace"]
        selector = policy["spec"]["podSelector"]
        assert any(p.namespace == ns and selects(selector, p.labels) for p in cluster.pods)


def test_the_shipped_homelab_cloudflared_reaches_traefik_and_nothing_reaches_it() -> None:
    cluster, _ = _cluster(ROOT / "services.toml", [TRAEFIK, EXTRA[4]])
    cloudflared = cluster.pod("cloudflared")
    assert cluster.allowed(cloudflared, TRAEFIK, 8000)
    assert not any(cluster.ingress_allowed(p, cloudflared, 2000) for p in cluster.pods)
    names = sorted(p["metadata"]["name"] for p in cluster.policies)
    assert names == ["default-deny-ingress", "default-deny-ingress"]


def test_network_policies_false_renders_none(tmp_path: Path) -> None:
    text = (CASE / "services.toml").read_text()
    for key in ("allow_from", "egress", "network_policy"):  # they would be errors then
        text = "\n".join(line for line in text.splitlines() if not line.startswith(key))
    config = tmp_path / "services.toml"
    config.write_text(text + "\n[policy]\nnetwork_policies = false\n")
    files = render_config(config).files
    assert not [p for p in files if "networkpolicy" in p]
    assert [p for p in files if "deployment" in p]


# --- the evaluator itself, so a wrong answer above is homegen's, not the evaluator's ---------


def _policy(ns: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": ns}, "spec": spec}


def test_evaluator_semantics() -> None:
    a = Pod("a", "ns", {"app": "a"}, {"http": (80, "TCP")})
    b = Pod("b", "ns", {"app": "b"})
    c = Pod("c", "other", {"app": "b"})
    cluster = Cluster({"other": {"team": "x"}}, [a, b, c])
    assert cluster.ingress_allowed(c, a, 80)  # no policy: open
    peer = {"podSelector": {"matchLabels": {"app": "b"}}}
    cluster.policies = [
        _policy("ns", {"podSelector": {"matchLabels": {"app": "a"}},
                       "ingress": [{"from": [peer], "ports": [{"port": "http"}]}]}),
    ]  # fmt: skip
    assert policy_types(cluster.policies[0]) == ["Ingress"]
    assert cluster.ingress_allowed(b, a, 80)  # named port resolved on the target
    assert not cluster.ingress_allowed(b, a, 81)
    assert not cluster.ingress_allowed(c, a, 80)  # podSelector alone: the policy's namespace
    both = {"namespaceSelector": {"matchLabels": {"team": "x"}}, **peer}
    cluster.policies[0]["spec"]["ingress"][0]["from"] = [both]
    assert cluster.ingress_allowed(c, a, 80) and not cluster.ingress_allowed(b, a, 80)
    by_name = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ns"}}}
    cluster.policies[0]["spec"]["ingress"][0]["from"] = [by_name]
    assert cluster.ingress_allowed(b, a, 80) and not cluster.ingress_allowed(c, a, 80)
    expr = {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["a"]}]}
    assert selects(expr, {"app": "b"}) and not selects(expr, {"app": "a"})
