"""`homegen list` and `homegen graph`: see the homelab from services.toml (issue 7)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from homegen.cli import app
from homegen.config.loader import read_config
from homegen.graph import build_graph, node_id
from homegen.graph_format import to_dot, to_mermaid
from homegen.plan.build import build_plan
from readme_graph import embedded

runner = CliRunner()

SMALL = """\
[cluster]
repo_url = "https://example.com/lab.git"
domain = "lab.example.com"

[argocd]
version = "v2.11.3"

[gateway]
class_name = "traefik"
controller_name = "traefik.io/gateway-controller"
name = "gw"
namespace = "edge"
listeners = [{ name = "web", port = 8000 }]

[apps.gateway-config]
namespace = "edge"

[apps.db]
tier = "app"
helm = { repo_url = "oci://ghcr.io/example/charts", chart = "postgres", version = "1.2.3" }

[services.wiki]
image = "ghcr.io/example/wiki:2.0.1"
port = 3000
after = ["db"]
route = { path = "/wiki", hosts = ["wiki.example.com", "w.example.com"], rewrite = "/" }
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "services.toml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_list_table_of_the_reference_homelab(repo_root: Path) -> None:
    code, out, err = invoke("list", "--config", str(repo_root / "services.toml"))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "KIND", "NAMESPACE", "WAVE", "AFTER", "ROUTES", "SOURCE"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["cloudflared"] == [
        "service",
        "cloudflared",
        "3",
        "traefik",
        "-",
        "cloudflare/cloudflared:2024.12.0",
    ]
    assert rows["homarr"] == [
        "helm",
        "homarr",
        "4",
        "local-path-provisioner,gateway-api-crds(derived)",
        "lab.techdufus.com/",
        "homarr@5.8.0",
    ]
    assert rows["arc-runners"][:3] == ["applicationset", "arc-runners", "1"]
    assert rows["gateway-api-crds"][0] == "git"
    assert rows["gateway-api-crds"][-1].endswith("@v1.2.1")
    # ArgoCD's own app holds a ReferenceGrant: it follows the app installing that CRD
    assert rows["argocd"][:5] == [
        "manifests", "argocd", "1", "gateway-api-crds(derived)", "lab.techdufus.com/argocd"
    ]  # fmt: skip
    waves = [int(row[2]) for row in rows.values()]
    assert waves == sorted(waves)  # sync order


def test_list_json_has_every_app_of_the_plan(repo_root: Path) -> None:
    code, out, err = invoke(
        "list", "--config", str(repo_root / "services.toml"), "--output", "json"
    )
    assert (code, err) == (0, "")
    apps = {row["name"]: row for row in json.loads(out)["apps"]}
    plan = build_plan(read_config(repo_root / "services.toml"))
    assert set(apps) == {a.name for a in plan.apps}
    assert {row["wave"] for row in apps.values()} == {a.wave for a in plan.apps}
    assert apps["traefik"]["after"] == ["gateway-api-crds", "metallb-config"]
    assert apps["argocd"]["derived_after"] == {"gateway-api-crds": ["ReferenceGrant"]}
    assert apps["traefik"]["derived_after"] == {}
    assert apps["argocd"]["routes"] == [
        {"hostnames": ["lab.techdufus.com"], "path": "/argocd", "service": "argocd-server",
         "namespace": "argocd", "port": 80}
    ]  # fmt: skip


def test_list_small_config(small: Path) -> None:
    code, out, _ = invoke("list", "--config", str(small), "--output", "json")
    assert code == 0
    apps = {row["name"]: row for row in json.loads(out)["apps"]}
    assert apps["db"]["kind"] == "helm"
    assert apps["db"]["source"] == "postgres@1.2.3"
    assert apps["wiki"]["wave"] > apps["db"]["wave"]
    assert apps["wiki"]["routes"][0]["hostnames"] == ["w.example.com", "wiki.example.com"]
    _, table, _ = invoke("list", "--config", str(small))
    assert "w.example.com/wiki,wiki.example.com/wiki" in table


@pytest.mark.parametrize("command", [["list", "--output", "yaml"], ["graph", "--format", "png"]])
def test_unknown_format_is_a_usage_error(small: Path, command: list[str]) -> None:
    code, out, err = invoke(*command, "--config", str(small))
    assert (code, out) == (2, "")
    assert "unknown --" in err


@pytest.mark.parametrize("command", ["list", "graph"])
def test_bad_config_is_reported_with_its_location(tmp_path: Path, command: str) -> None:
    path = tmp_path / "services.toml"
    path.write_text(SMALL.replace("port = 3000", 'port = "3000"'), encoding="utf-8")
    code, out, err = invoke(command, "--config", str(path))
    assert (code, out) == (2, "")
    assert re.search(r"services\.toml:\d+:\d+: services\.wiki\.port: ", err), err
    code, _, err = invoke(command, "--config", str(tmp_path / "missing.toml"))
    assert code == 2
    assert "no such file" in err


def test_mermaid_has_waves_dependencies_and_traffic(small: Path) -> None:
    code, out, err = invoke("graph", "--config", str(small))
    assert (code, err) == (0, "")
    assert out.startswith("flowchart LR\n")
    wiki, db = node_id("app", "wiki"), node_id("app", "db")
    assert f"  {db} --> {wiki}\n" in out  # dependency → dependent
    gateway, route = node_id("gateway", "edge", "gw"), node_id("route", "edge", "wiki")
    service = node_id("service", "wiki", "wiki")
    assert f"  {gateway} --> {route}\n" in out
    assert f"  {route} -->|:3000| {service}\n" in out
    assert f"  {wiki} -.-> {service}\n" in out
    assert "wiki.example.com/wiki" in out
    assert "rewrite → /" in out
    assert out.count("subgraph ") == out.count("  end\n")


def test_every_plan_fact_is_in_the_graph(repo_root: Path) -> None:
    plan = build_plan(read_config(repo_root / "services.toml"))
    graph = build_graph(plan)
    ids = {node.id for node in graph.nodes}
    edges = {(e.source, e.target) for e in graph.edges}
    for planned in plan.apps:
        assert node_id("app", planned.name) in ids
        assert ("app_of_apps", node_id("wave", str(planned.wave))) in edges
        for before in planned.after:
            assert (node_id("app", before), node_id("app", planned.name)) in edges
    routed = {route.name for route in plan.gateway.routes}
    assert routed == {"argocd", "homarr"}
    for route in plan.gateway.routes:
        route_id = node_id("route", route.namespace, route.name)
        assert (node_id("gateway", "traefik", "lab-gateway"), route_id) in edges
        assert (route_id, node_id("service", route.service_namespace, route.service)) in edges


def test_dot_is_well_formed(small: Path) -> None:
    code, out, _ = invoke("graph", "--config", str(small), "--format", "dot")
    assert code == 0
    assert out.startswith("digraph homegen {\n") and out.endswith("}\n")
    assert out.count("{") == out.count("}")
    assert f"{node_id('app', 'db')} -> {node_id('app', 'wiki')};" in out
    assert 'lhead="cluster_wave__0"' in out


def test_labels_are_escaped() -> None:
    from homegen.graph import Graph, Node

    graph = Graph((Node("n", ('a "b" <c> #d',), "app"),), (), ())
    assert 'n["a #quot;b#quot; #lt;c#gt; #35;d"]' in to_mermaid(graph)
    assert 'label="a \\"b\\" <c> #d"' in to_dot(graph)


def test_readme_embeds_the_current_graph(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    _, current, _ = invoke("graph", "--config", str(repo_root / "services.toml"))
    assert embedded(readme) == current, "README graph is stale: run `python tests/readme_graph.py`"


def test_the_graph_draws_exactly_the_connections_policies_allow(repo_root: Path) -> None:
    case = repo_root / "tests" / "cases" / "golden" / "network-policies" / "services.toml"
    graph = build_graph(build_plan(read_config(case)))
    allowed = sorted(
        (e.source.removeprefix("app__"), e.target.removeprefix("app__"), e.label)
        for e in graph.edges
        if e.style == "allows"
    )
    assert allowed == [
        ("api", "db", "allows :postgres"),  # allow_from on db; api's egress to db drawn once
        ("api", "monitoring", "egress"),
        ("monitoring", "db", "allows :postgres"),
        ("monitoring", "grafana", "allows"),
        ("traefik", "api", "allows :http"),
        ("traefik", "grafana", "allows"),
        ("traefik", "web", "allows :web"),
        ("web", "api", "allows :http"),
    ]
    _, mermaid, _ = invoke("graph", "--config", str(case))
    assert "app__web -.->|allows :http| app__api" in mermaid
    _, dot, _ = invoke("graph", "--config", str(case), "--format", "dot")
    assert 'app__web -> app__api [style=dotted, color="#2ca02c", label="allows :http"];' in dot
