"""`homegen charts [pull] [PATH]`: which charts, found where; filling the cache (issue 14)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from chartkit import index_yaml, make_chart, serve, sha256, write_unpacked
from typer.testing import CliRunner

from homegen.cli import app

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
SHARED_CHARTS = REPO.parent / "shared" / "charts"

LAB = """\
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
helm = { repo_url = "REPO", chart = "demo", version = "1.2.3" }

[apps.db-two]
helm = { repo_url = "REPO/", chart = "demo", version = "1.2.3" }

[apps.cache]
helm = { repo_url = "oci://registry.example.invalid/charts", chart = "cache", version = "0.1.0" }
"""


def lab(tmp_path: Path, repo: str = "https://charts.example.invalid") -> Path:
    path = tmp_path / "services.toml"
    path.write_text(LAB.replace("REPO", repo))
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_lists_each_chart_version_once_with_where_it_was_found(tmp_path: Path) -> None:
    write_unpacked(tmp_path / "charts", "demo", "1.2.3")
    write_unpacked(tmp_path / "charts", "cache", "0.1.0")
    code, out, err = invoke(
        "charts", "--config", str(lab(tmp_path)), "--charts", str(tmp_path / "charts")
    )
    assert code == 0, err
    assert out.splitlines() == [
        "CHART  VERSION  APPS       FOUND  WHERE",
        f"cache  0.1.0    cache      local  {tmp_path / 'charts' / 'cache-0.1.0'}",
        f"demo   1.2.3    db,db-two  local  {tmp_path / 'charts' / 'demo-1.2.3'}",
    ]
    assert err == "2 charts: 2 local\n"


def test_json_output_and_a_chart_not_found_offline(tmp_path: Path, cache_root: Path) -> None:
    write_unpacked(tmp_path / "charts", "demo", "1.2.3")
    code, out, err = invoke(
        "charts", "--config", str(lab(tmp_path)), "--charts", str(tmp_path / "charts"),
        "--offline", "--output", "json",
    )  # fmt: skip
    assert code == 0, err  # a listing reports; only `charts pull` fails on a missing chart
    rows = json.loads(out)
    assert [(r["chart"], r["found"], r["apps"]) for r in rows] == [
        ("cache", "missing", ["cache"]),
        ("demo", "local", ["db", "db-two"]),
    ]
    assert rows[0]["repo_url"] == "oci://registry.example.invalid/charts"
    assert rows[0]["path"] is None and rows[0]["tried"] == [
        f"{tmp_path / 'charts'}: no cache-0.1.0/ or cache-0.1.0.tgz",
        f"cache {cache_root}: not cached",
        "network: not tried (offline)",
    ]
    assert err == "2 charts: 1 local, 1 not found\n"


def test_pull_fills_the_cache_then_the_listing_says_cache(tmp_path: Path) -> None:
    demo = make_chart("demo", "1.2.3")
    routes = {
        "/index.yaml": index_yaml(
            {"demo": [{"version": "1.2.3", "urls": ["demo-1.2.3.tgz"], "digest": sha256(demo)}]}
        ),
        "/demo-1.2.3.tgz": demo,
    }
    write_unpacked(tmp_path / "charts", "cache", "0.1.0")
    with serve(routes) as server:
        config = str(lab(tmp_path, server.base))
        code, out, err = invoke("charts", "--config", config, "--charts", str(tmp_path / "charts"))
        assert code == 0 and out.splitlines()[2].split()[3] == "network"
        assert err == (
            "2 charts: 1 local, 1 network\n"
            "`homegen charts pull` downloads the charts seen on the network into the cache\n"
        )
        assert server.requests == ["/index.yaml"]  # listed, not downloaded
        code, out, err = invoke(
            "charts", "pull", "--config", config, "--charts", str(tmp_path / "charts")
        )
        assert code == 0, err
        assert f"pulling demo 1.2.3 from {server.base}\n" in err
        assert f"  downloaded: {server.base}/demo-1.2.3.tgz (sha256:{sha256(demo)})\n" in err
        assert err.endswith("2 charts: 1 local, 1 network\n")
        assert out.splitlines()[2].split() == [
            "demo", "1.2.3", "db,db-two", "network", f"{server.base}/demo-1.2.3.tgz",
        ]  # fmt: skip
        count = len(server.requests)
        code, out, err = invoke("charts", "--config", config, "--charts", str(tmp_path / "charts"))
        assert code == 0 and out.splitlines()[2].split()[:4] == [
            "demo",
            "1.2.3",
            "db,db-two",
            "cache",
        ]
        assert len(server.requests) == count  # found in the cache: no request


def test_pull_exits_1_when_a_chart_cannot_be_obtained(tmp_path: Path) -> None:
    code, out, err = invoke("charts", "pull", "--config", str(lab(tmp_path)), "--offline")
    assert code == 1
    assert "  not found, tried: " in err and "network: not tried (offline)" in err
    assert err.endswith("2 charts: 2 not found\n")
    assert "not found, tried:" in out  # the table on stdout says it too


TREE_APP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web}
spec:
  sources:
    - repoURL: https://charts.example.invalid/
      chart: demo
      targetRevision: 1.2.3
    - repoURL: https://github.com/me/lab.git
      path: values
      ref: values
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: db}
spec:
  source: {repoURL: ghcr.io/me/charts, chart: cache, targetRevision: 0.1.0}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ranged}
spec:
  source: {repoURL: https://charts.example.invalid, chart: demo, targetRevision: "~1.2.0"}
"""
TREE_SET = """\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: fleet}
spec:
  template:
    spec:
      source: {repoURL: https://charts.example.invalid, chart: demo, targetRevision: 1.2.3}
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: per-env}
spec:
  generators:
    - list:
        elements: [{c: demo, v: 1.2.3}, {c: extra, v: 2.0.0}]
  template:
    metadata: {name: "env-{{c}}"}
    spec:
      source: {repoURL: https://charts.example.invalid, chart: "{{c}}", targetRevision: "{{v}}"}
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: from-scm}
spec:
  generators: [{scmProvider: {github: {organization: me}}}]
  template:
    metadata: {name: "{{repository}}"}
    spec:
      source: {repoURL: https://x.invalid, chart: "{{repository}}", targetRevision: 1.0.0}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-an-app}
data: {chart: demo}
"""


def test_a_hand_written_tree_lists_its_helm_sources(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "apps").mkdir(parents=True)
    (tree / "apps" / "apps.yaml").write_text(TREE_APP)
    (tree / "apps" / "sets.yaml").write_text(TREE_SET)
    (tree / "notes.txt").write_text("not yaml")
    write_unpacked(tmp_path / "charts", "demo", "1.2.3")
    code, out, err = invoke(
        "charts", str(tree), "--charts", str(tmp_path / "charts"), "--offline", "--output", "json"
    )
    assert code == 0, err
    listed = json.loads(out)
    assert (listed["tree_charts"], listed["helm_charts"]) == ([], [])
    rows = listed["charts"]
    assert [(r["chart"], r["repo_url"], r["apps"], r["found"]) for r in rows] == [
        ("cache", "oci://ghcr.io/me/charts", ["Application/db"], "missing"),
        (
            "demo", "https://charts.example.invalid",
            ["Application/web", "ApplicationSet/fleet", "ApplicationSet/per-env"], "local",
        ),
        ("demo", "https://charts.example.invalid", ["Application/ranged"], "local"),
        ("extra", "https://charts.example.invalid", ["ApplicationSet/per-env"], "missing"),
    ]  # fmt: skip
    assert [(r["version"], r["resolved_version"]) for r in rows[1:3]] == [
        ("1.2.3", None), ("~1.2.0", "1.2.3"),
    ]  # fmt: skip
    assert err.startswith(
        "apps/sets.yaml: ApplicationSet/from-scm: generator 0: the scmProvider generator needs "
        "a live cluster or an API: not listed\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["charts", "--output", "yaml"], "unknown --output 'yaml'"),
        (["charts", "pull", "a", "b"], "charts: unexpected argument 'b'"),
        (["charts", "nowhere"], "nowhere: not a folder"),
        (["charts", "--config", "missing.toml"], "missing.toml: no such file"),
    ],
)
def test_usage_errors_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    lab(tmp_path)
    code, out, err = invoke(*args)
    assert code == 2 and out == ""
    assert message in err


@pytest.mark.skipif(
    not SHARED_CHARTS.is_dir(), reason="../shared/charts (the real charts) is absent"
)
def test_the_shipped_homelab_finds_five_real_charts_and_reports_homarr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(REPO / "services.toml", tmp_path / "services.toml")
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke(
        "charts", "--charts", str(SHARED_CHARTS), "--offline", "--output", "json"
    )
    assert code == 0, err
    found = {r["chart"]: (r["found"], r["version"]) for r in json.loads(out)}
    assert found == {
        "gha-runner-scale-set": ("local", "0.13.0"),
        "gha-runner-scale-set-controller": ("local", "0.13.0"),
        "homarr": ("missing", "5.8.0"),
        "metallb": ("local", "0.14.8"),
        "metrics-server": ("local", "3.13.0"),
        "traefik": ("local", "33.2.1"),
    }
    assert os.environ.get("HOMEGEN_CHARTS") is None


def test_a_tree_lists_kustomize_helm_charts_and_chart_dependencies(tmp_path: Path) -> None:
    """Charts a build pulls that no Application names (issue 24): a kustomization's helmCharts
    and the dependencies of a wrapper chart of the tree; file:// dependencies are not listed."""
    tree = tmp_path / "tree"
    (tree / "web").mkdir(parents=True)
    (tree / "wrap").mkdir()
    (tree / "web" / "kustomization.yaml").write_text(
        "helmCharts: [{name: demo, repo: 'https://charts.example.invalid', version: 1.2.3}]\n"
    )
    (tree / "wrap" / "Chart.yaml").write_text(
        "apiVersion: v2\nname: wrap\nversion: 0.1.0\ndependencies:\n"
        "  - {name: redis, version: 2.0.0, repository: 'oci://registry.example.invalid/charts'}\n"
        "  - {name: local, version: 0.1.0, repository: 'file://../local'}\n"
    )
    code, out, err = invoke("charts", str(tree), "--offline", "--output", "json")
    assert code == 0, err
    rows = [(r["chart"], r["version"], r["apps"]) for r in json.loads(out)["charts"]]
    assert rows == [("demo", "1.2.3", ["kustomize:web"]), ("redis", "2.0.0", ["chart wrap"])]
