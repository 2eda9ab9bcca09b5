"""`homegen charts TREE` lists the tree's own charts with their dependencies, and its
kustomizations' helmCharts, each with where it is found offline (issue 24, class 6)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from chartkit import make_chart, write_unpacked
from typer.testing import CliRunner

from homegen.charts.wrapper import (
    Dependency,
    DependencyError,
    enabled,
    file_version,
    is_vendored,
)
from homegen.cli import app
from homegen.treeread import TreeReader

runner = CliRunner()
REPO = "https://charts.example.invalid"

WRAP = f"""\
apiVersion: v2
name: wrap
version: 0.1.0
dependencies:
  - {{name: redis, version: "~1.2.0", repository: "{REPO}", alias: cache, condition: cache.on}}
  - {{name: lib, version: 0.1.x, repository: "file://../lib"}}
  - {{name: kept, version: 1.0.0}}
  - {{name: old, version: 1.0.0, repository: "@stable"}}
  - {{name: gone, version: 1.0.0, repository: "file://../../outside"}}
"""
FILES = {
    "wrap/Chart.yaml": WRAP,
    "wrap/charts/kept/Chart.yaml": "apiVersion: v2\nname: kept\nversion: 1.0.0\n",
    "lib/Chart.yaml": "apiVersion: v2\nname: lib\nversion: 0.1.4\n",
    "web/kustomization.yaml": (
        f"helmCharts:\n- {{name: demo, repo: '{REPO}', version: 1.2.3}}\n"
        f"- {{name: extra, repo: '{REPO}', version: 2.0.0}}\n"
        "- {name: own}\n"
    ),
    "web/charts/own/Chart.yaml": "apiVersion: v2\nname: own\nversion: 0.0.1\n",
}


def cells(table: str) -> list[list[str]]:
    """The cells of an aligned table (columns are two or more spaces apart)."""
    return [re.split(r" {2,}", line) for line in table.splitlines()]


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The tree, with redis 1.2.9 and 1.3.0 and demo 1.2.3 in a --charts folder."""
    for name, version in (("redis", "1.2.9"), ("redis", "1.3.0"), ("demo", "1.2.3")):
        write_unpacked(tmp_path / "charts", name, version)
    return write(tmp_path / "repo" / "tree", FILES)


def test_the_table_lists_tree_charts_dependencies_and_helm_charts(
    tree: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["charts", str(tree), "--charts", str(tmp_path / "charts")])
    assert result.exit_code == 0, result.output
    charts = tmp_path / "charts"
    tables = result.stdout.split("\n\n")
    assert len(tables) == 3
    assert cells(tables[1]) == [
        ["TREE CHART", "NAME", "VERSION", "DEPENDENCY", "RANGE", "REPOSITORY", "FOUND"],
        ["lib", "lib", "0.1.4", "-", "-", "-", "-"],
        ["web/charts/own", "own", "0.0.1", "-", "-", "-", "-"],
        ["wrap", "wrap", "0.1.0", "redis as cache", "~1.2.0", REPO, "in --charts 1.2.9"],
        ["wrap", "wrap", "0.1.0", "lib", "0.1.x", "file://../lib", "in tree 0.1.4"],
        ["wrap", "wrap", "0.1.0", "kept", "1.0.0", "-", "vendored"],
        ["wrap", "wrap", "0.1.0", "old", "1.0.0", "@stable", "not found"],
        ["wrap", "wrap", "0.1.0", "gone", "1.0.0", "file://../../outside", "refused: dependency "
         "gone: repository 'file://../../outside' resolved to outside repository root"],
    ]  # fmt: skip
    assert cells(tables[2]) == [
        ["KUSTOMIZATION", "CHART", "VERSION", "REPO", "OFFLINE"],
        ["web/kustomization.yaml", "demo", "1.2.3", REPO, "yes: in --charts 1.2.3"],
        ["web/kustomization.yaml", "extra", "2.0.0", REPO, "no: not found"],
        ["web/kustomization.yaml", "own", "-", "-", "yes: in tree"],
    ]
    for table in tables[1:]:  # aligned: the last column starts at one offset
        lines = table.splitlines()
        last = lines[0].rindex(" ") + 1
        assert all(line[last - 2 : last] == "  " and line[last] != " " for line in lines)
    assert str(charts) in tables[0]  # the chart table still comes first


def test_the_json_object_holds_the_same(tree: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["charts", str(tree), "--charts", str(tmp_path / "charts"), "--output", "json"],
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert sorted(listed) == ["charts", "helm_charts", "tree_charts"]
    assert [(c["path"], c["name"], c["version"]) for c in listed["tree_charts"]] == [
        ("lib", "lib", "0.1.4"), ("web/charts/own", "own", "0.0.1"), ("wrap", "wrap", "0.1.0"),
    ]  # fmt: skip
    redis = listed["tree_charts"][2]["dependencies"][0]
    assert redis == {
        "name": "redis", "alias": "cache", "condition": "cache.on", "version": "~1.2.0",
        "repository": REPO, "found": "in --charts", "resolved_version": "1.2.9",
        "where": str(tmp_path / "charts" / "redis-1.2.9"),
    }  # fmt: skip
    found = [d["found"] for d in listed["tree_charts"][2]["dependencies"]]
    assert found == ["in --charts", "in tree", "vendored", "not found", "refused"]
    assert [(h["chart"], h["offline"], h["found"]) for h in listed["helm_charts"]] == [
        ("demo", True, "in --charts"), ("extra", False, "not found"), ("own", True, "in tree"),
    ]  # fmt: skip
    assert listed["helm_charts"][0]["kustomization"] == "web/kustomization.yaml"


def test_a_pulled_dependency_is_listed_as_cached(tmp_path: Path) -> None:
    """After `charts pull`, the listing says `cached` with the version the range chose; it
    never asks the network itself (the chart is served only during the pull)."""
    from chartkit import index_yaml, serve, sha256

    data = {v: make_chart("redis", v) for v in ("1.2.0", "1.3.0")}
    routes = {f"/redis-{v}.tgz": d for v, d in data.items()} | {
        "/index.yaml": index_yaml(
            {"redis": [{"version": v, "urls": [f"redis-{v}.tgz"], "digest": sha256(d)}
                       for v, d in data.items()]}
        )
    }  # fmt: skip
    with serve(routes) as server:
        chart = "apiVersion: v2\nname: w\nversion: 1.0.0\ndependencies:\n"
        chart += f"  - {{name: redis, version: '>=1.2.0 <1.3.0', repository: '{server.base}'}}\n"
        tree = write(tmp_path / "tree", {"w/Chart.yaml": chart})
        listed = runner.invoke(app, ["charts", str(tree), "--output", "json"])
        assert server.requests == []  # the listing of a tree never goes online
        assert listed.exit_code == 0
        pulled = runner.invoke(app, ["charts", "pull", str(tree)])
        assert pulled.exit_code == 0, pulled.output
    after = json.loads(runner.invoke(app, ["charts", str(tree), "--output", "json"]).stdout)
    dep = after["tree_charts"][0]["dependencies"][0]
    assert (dep["found"], dep["resolved_version"]) == ("cached", "1.2.0")  # 1.3.0 is outside


def test_a_hostile_chart_name_is_escaped_in_the_listing(tmp_path: Path) -> None:
    evil = "x\x1b[2J\x1b]0;pwned\x07"
    chart = (
        f'apiVersion: v2\nname: "{evil}"\nversion: 1.0.0\ndependencies:\n'
        f'  - {{name: "{evil}", version: 1.0.0, repository: "{REPO}"}}\n'
    )
    kustomization = f'helmCharts: [{{name: "{evil}", repo: "{REPO}", version: 1.0.0}}]\n'
    chart = chart.replace("\x1b", "\\e").replace("\x07", "\\a")
    kustomization = kustomization.replace("\x1b", "\\e").replace("\x07", "\\a")
    tree = write(tmp_path / "tree", {"c/Chart.yaml": chart, "k/kustomization.yaml": kustomization})
    for output in ("text", "json"):
        result = runner.invoke(app, ["charts", str(tree), "--output", output])
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "\x1b" not in result.stderr
    text = runner.invoke(app, ["charts", str(tree)]).stdout
    assert text.count("x\\x1b[2J\\x1b]0;pwned\\x07") == 4  # chart table, name, dependency, helm
    listed = json.loads(runner.invoke(app, ["charts", str(tree), "--output", "json"]).stdout)
    assert listed["tree_charts"][0]["name"] == evil  # data kept whole, escaped as JSON


def test_a_pull_warns_of_what_no_pull_can_obtain(tmp_path: Path) -> None:
    chart = (
        "apiVersion: v2\nname: w\nversion: 1.0.0\ndependencies:\n"
        "  - {name: old, version: 1.0.0, repository: '@stable'}\n"
        "  - {name: gone, version: 1.0.0, repository: 'file://../nowhere'}\n"
    )
    tree = write(tmp_path / "tree", {"w/Chart.yaml": chart})
    result = runner.invoke(app, ["charts", "pull", str(tree)])
    assert result.exit_code == 0, result.output  # nothing to download, nothing failed
    assert (
        "warning: w/Chart.yaml:5: dependencies[0]: old (@stable, version 1.0.0): not found: "
        "a repository name (`helm repo add`) homegen cannot resolve: write the repository's URL\n"
    ) in result.stderr
    assert (
        "warning: w/Chart.yaml:6: dependencies[1]: gone (file://../nowhere, version 1.0.0): "
        "not found: dependency gone: repository 'file://../nowhere': no Chart.yaml there\n"
    ) in result.stderr


@pytest.mark.parametrize(
    ("version", "wanted", "fits"),
    [
        ("0.1.4", "0.1.x", True),
        ("0.2.0", "0.1.x", False),  # just outside
        ("1.2.9", "~1.2.0", True),
        ("1.3.0", "~1.2.0", False),
        ("1.2.99", ">=1.2.0 <1.3.0", True),
        ("1.3.0", ">=1.2.0 <1.3.0", False),
        ("1.3.0-rc.1", ">=1.2.0 <1.3.0", False),  # pre-releases only when the range names one
        ("2.0.0", "", True),  # no range: any version
    ],
)
def test_a_file_dependency_must_fit_its_range(
    tmp_path: Path, version: str, wanted: str, fits: bool
) -> None:
    write(tmp_path, {"lib/Chart.yaml": f"apiVersion: v2\nname: lib\nversion: {version}\n"})
    reader = TreeReader.for_tree(tmp_path)
    dep = Dependency(0, "lib", wanted, "file://../lib")
    if fits:
        assert file_version(reader, tmp_path / "lib", dep) == version
    else:
        with pytest.raises(DependencyError, match="which does not satisfy"):
            file_version(reader, tmp_path / "lib", dep)


@pytest.mark.parametrize(
    ("entries", "vendored"),
    [
        ({"redis"}, True),
        ({"redis-1.2.3.tgz"}, True),
        ({"redis-cluster"}, False),
        ({"redis-cluster-1.0.0.tgz"}, False),
        ({"redis-1.2.3"}, True),
        ({"redis-latest.tgz"}, False),
        (set(), False),
    ],
)
def test_what_counts_as_vendored(entries: set[str], vendored: bool) -> None:
    assert is_vendored(Dependency(0, "redis", "1.2.3", REPO), entries) is vendored


@pytest.mark.parametrize(
    ("condition", "tags", "values", "on"),
    [
        ("a.on", (), {"a": {"on": False}}, False),
        ("a.on", (), {"a": {"on": True}}, True),
        ("a.on", (), {}, True),  # no value: on
        ("a.on", (), {"a": {"on": "false"}}, True),  # not a boolean: passed over, as Helm does
        ("x.on, a.on", (), {"a": {"on": False}}, False),  # the first boolean path decides
        ("a.on,x.on", (), {"a": {"on": True}, "x": {"on": False}}, True),
        ("", ("db",), {"tags": {"db": False}}, False),
        ("", ("db", "cache"), {"tags": {"db": False, "cache": True}}, True),  # one true is enough
        ("", ("db",), {"tags": {"other": False}}, True),
        ("a.on", ("db",), {"tags": {"db": False}, "a": {"on": True}}, True),  # condition wins
    ],
)
def test_condition_and_tags_decide_as_helm_does(
    condition: str, tags: tuple[str, ...], values: dict[str, object], on: bool
) -> None:
    dep = Dependency(0, "redis", "1.0.0", REPO, condition=condition, tags=tags)
    assert enabled(dep, values) is on


def test_file_dependencies_resolve_in_the_checkout_and_never_leave_it(tmp_path: Path) -> None:
    """The checkout root bounds a file:// path, not the tree folder listed (ArgoCD reads the
    whole repository); a symlink that leaves it is refused like a path that does."""
    checkout = tmp_path / "checkout"
    (checkout / ".git").mkdir(parents=True)  # a checkout: its root bounds the reader
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "Chart.yaml").write_text("apiVersion: v2\nname: o\nversion: 1.0.0\n")
    write(checkout, {"shared/lib/Chart.yaml": "apiVersion: v2\nname: lib\nversion: 1.0.0\n"})
    (checkout / "shared" / "escape").symlink_to(tmp_path / "outside")
    chart = (
        "apiVersion: v2\nname: w\nversion: 1.0.0\ndependencies:\n"
        "  - {name: lib, version: 1.0.0, repository: 'file://../../shared/lib'}\n"
        "  - {name: o, version: 1.0.0, repository: 'file://../../shared/escape'}\n"
        "  - {name: p, version: 1.0.0, repository: 'file:///etc'}\n"
    )
    tree = write(checkout / "tree", {"w/Chart.yaml": chart})
    listed = json.loads(runner.invoke(app, ["charts", str(tree), "--output", "json"]).stdout)
    deps = listed["tree_charts"][0]["dependencies"]
    assert [(d["found"], d["where"]) for d in deps] == [
        ("in tree", "../shared/lib"),
        ("refused", "dependency o: repository 'file://../../shared/escape' resolved to outside "
                    "repository root"),
        ("refused", "dependency p: repository 'file:///etc': an absolute path: outside the "
                    "repository"),
    ]  # fmt: skip


def test_a_dependency_the_pull_obtained_is_no_error_even_if_the_cache_kept_none(
    tmp_path: Path,
) -> None:
    """A pull into an unwritable cache keeps the chart for its run only: the listing after it
    does not see it, and that is no failure of the pull."""
    from homegen.charts import ChartLocation, ChartRef
    from homegen.charts.intree import Availability, DependencyUse, InTreeChart
    from homegen.commands.charts_tree import dependency_problems

    dep = Dependency(0, "redis", "1.0.0", REPO + "/")
    chart = InTreeChart("w", "w", "1", (DependencyUse(dep, Availability("not found")),))
    ref = ChartRef(REPO, "redis", "1.0.0")
    kept = ChartLocation(ref, "network", tmp_path, source=f"{REPO}/redis-1.0.0.tgz")
    assert dependency_problems([chart], {ref: kept}) == ([], [])
    missing = ChartLocation(ref, "missing", tried=("index: down",))
    assert dependency_problems([chart], {ref: missing}) == (
        [f"w/Chart.yaml: dependencies[0]: redis ({REPO}/, version 1.0.0): not obtained, "
         "tried: index: down"],
        [],
    )  # fmt: skip


def test_a_charts_folder_symlinked_out_of_the_root_vendors_nothing(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "redis-1.0.0.tgz").write_bytes(make_chart("redis", "1.0.0"))
    chart = (
        "apiVersion: v2\nname: w\nversion: 1.0.0\n"
        f"dependencies: [{{name: redis, version: 1.0.0, repository: '{REPO}'}}]\n"
    )
    tree = write(tmp_path / "tree", {"w/Chart.yaml": chart})
    (tree / "w" / "charts").symlink_to(tmp_path / "elsewhere")
    result = runner.invoke(app, ["charts", str(tree), "--output", "json"])
    assert json.loads(result.stdout)["tree_charts"][0]["dependencies"][0]["found"] == "not found"
    (tree / "w" / "charts").unlink()
    (tree / "w" / "charts").mkdir()
    (tree / "w" / "charts" / "redis-1.0.0.tgz").write_bytes(make_chart("redis", "1.0.0"))
    result = runner.invoke(app, ["charts", str(tree), "--output", "json"])
    assert json.loads(result.stdout)["tree_charts"][0]["dependencies"][0]["found"] == "vendored"
