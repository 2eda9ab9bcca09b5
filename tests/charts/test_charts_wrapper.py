"""Wrapper charts (issue 24, class 6): `charts pull TREE` fetches the dependencies of the tree's
charts (classic repository and OCI, ranges, aliases) into the cache, and an offline validate
then renders them; `charts TREE` lists the tree's charts, their dependencies and helmCharts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from chartkit import index_yaml, pack, serve, sha256
from registrykit import push_chart
from typer.testing import CliRunner, Result

from homegen.cli import app
from tools import requires_extra

runner = CliRunner()
LAB = "https://github.com/me/lab"
SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: "{{ .Release.Name }}-{{ .Chart.Name }}"}
spec: {selector: {app: nothing}, ports: [{port: 80}]}
"""


def dep_chart(name: str, version: str) -> bytes:
    """A packed chart whose one Service is named after the chart as loaded (an alias renames
    it) and selects nothing, so validate reports it (HG214) when it is rendered."""
    meta = {"apiVersion": "v2", "name": name, "version": version}
    files = {"Chart.yaml": yaml.safe_dump(meta).encode(), "templates/svc.yaml": SERVICE.encode()}
    return pack(files, name)


def app_yaml(name: str, path: str, namespace: str) -> str:
    return (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
        f"metadata: {{name: {name}, namespace: argocd}}\n"
        f"spec:\n  project: default\n  source: {{repoURL: '{LAB}', targetRevision: HEAD, "
        f"path: {path}}}\n  destination: {{server: 'https://kubernetes.default.svc', "
        f"namespace: {namespace}}}\n"
    )


def wrapper_tree(root: Path, dependencies: list[dict[str, str]], values: str = "") -> Path:
    """The root app, an app of the in-tree chart ``wrap`` and the file:// chart ``lib``."""
    chart = {"apiVersion": "v2", "name": "wrap", "version": "0.1.0", "dependencies": dependencies}
    files = {
        "app-of-apps.yaml": app_yaml("root", "apps", "argocd"),
        "apps/web.yaml": app_yaml("web", "wrap", "web"),
        "wrap/Chart.yaml": yaml.safe_dump(chart, sort_keys=False),
        "wrap/values.yaml": values or "{}\n",
        "lib/Chart.yaml": "apiVersion: v2\nname: lib\nversion: 0.1.4\n",
        "lib/templates/svc.yaml": SERVICE,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


def validate(tree: Path) -> Result:
    return invoke("validate", str(tree), "--ignore-missing-schemas")


def needs_engine() -> None:
    requires_extra("charts")


def redis_repo() -> dict[str, bytes]:
    """A classic repository with redis 1.2.3, 1.2.9 and 1.3.0 (relative URLs, digests)."""
    charts = {v: dep_chart("redis", v) for v in ("1.2.3", "1.2.9", "1.3.0")}
    entries = {
        "redis": [
            {"version": v, "urls": [f"redis-{v}.tgz"], "digest": sha256(data)}
            for v, data in charts.items()
        ]
    }
    return {"/index.yaml": index_yaml(entries)} | {
        f"/redis-{v}.tgz": data for v, data in charts.items()
    }


@pytest.fixture(autouse=True)
def _private_expand_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def test_pull_fetches_a_wrapper_charts_dependencies_then_validate_renders_them_offline(
    tmp_path: Path,
) -> None:
    needs_engine()
    with serve(redis_repo()) as server:
        deps = [
            {"name": "redis", "version": "~1.2.0", "repository": server.base + "/",
             "alias": "cache", "condition": "cache.enabled"},
            {"name": "lib", "version": "0.1.x", "repository": "file://../lib"},
        ]  # fmt: skip
        tree = wrapper_tree(tmp_path / "tree", deps)
        before = validate(tree)
        assert "web: dependency redis not found: not expanded" in before.stderr
        assert "not expanded: web (dependency redis not found)" in before.stdout
        assert server.requests == []  # validate never goes online
        pulled = invoke("charts", "pull", str(tree))
        assert pulled.exit_code == 0, pulled.output
        assert f"  downloaded: {server.base}/redis-1.2.9.tgz" in pulled.stderr
        assert server.requests == ["/index.yaml", "/redis-1.2.9.tgz"]
    after = validate(tree)  # the server is gone: all from the cache and the tree
    assert "dependency redis" not in after.stdout + after.stderr
    # the alias renames the chart as Helm loads it; the file:// chart is vendored too
    assert "error HG214 Service/web/web-cache" in after.stdout
    assert "error HG214 Service/web/web-lib" in after.stdout
    assert "coverage: 2 of 2 Applications expanded" in after.stdout
    listed = json.loads(invoke("charts", str(tree), "--output", "json").stdout)
    found = {d["name"]: (d["found"], d["resolved_version"]) for d in
             listed["tree_charts"][1]["dependencies"]}  # fmt: skip
    assert found == {"redis": ("cached", "1.2.9"), "lib": ("in tree", "0.1.4")}


def test_a_false_condition_leaves_the_dependency_out_as_helm_does(tmp_path: Path) -> None:
    needs_engine()
    with serve(redis_repo()) as server:
        deps = [{"name": "redis", "version": "1.2.3", "repository": server.base,
                 "alias": "cache", "condition": "cache.enabled"}]  # fmt: skip
        tree = wrapper_tree(tmp_path / "tree", deps, "cache: {enabled: false}\n")
        assert invoke("charts", "pull", str(tree)).exit_code == 0
    result = validate(tree)
    assert "web-cache" not in result.stdout
    assert "coverage: 2 of 2 Applications expanded" in result.stdout


@pytest.mark.parametrize(
    ("values", "expanded"),
    [
        ("cache: {enabled: false}\n", True),  # off: nothing of it would be rendered
        ("cache: {enabled: true}\n", False),
        ("{}\n", False),  # no value: Helm renders it
    ],
)
def test_a_dependency_found_nowhere_counts_only_when_its_condition_is_on(
    tmp_path: Path, values: str, expanded: bool
) -> None:
    needs_engine()
    deps = [{"name": "redis", "version": "1.2.3", "repository": "https://charts.example.invalid",
             "alias": "cache", "condition": "cache.enabled"}]  # fmt: skip
    result = validate(wrapper_tree(tmp_path / "tree", deps, values))
    coverage = "coverage: 2 of 2 Applications expanded" if expanded else "1 of 2"
    assert coverage in result.stdout
    said = "web: dependency redis not found, but off for its values"
    assert (said in result.stderr) is expanded
    assert ("web: dependency redis not found: not expanded" in result.stderr) is not expanded


def test_two_aliases_of_one_dependency_render_twice(tmp_path: Path) -> None:
    needs_engine()
    with serve(redis_repo()) as server:
        deps = [
            {"name": "redis", "version": "1.2.3", "repository": server.base, "alias": "one"},
            {"name": "redis", "version": "1.2.3", "repository": server.base, "alias": "two"},
        ]
        tree = wrapper_tree(tmp_path / "tree", deps)
        assert invoke("charts", "pull", str(tree)).exit_code == 0
        assert server.requests.count("/redis-1.2.3.tgz") == 1
    result = validate(tree)
    assert "error HG214 Service/web/web-one" in result.stdout
    assert "error HG214 Service/web/web-two" in result.stdout


def test_an_oci_dependency_is_pulled_from_a_registry_then_rendered_offline(
    registry: str, tmp_path: Path
) -> None:
    needs_engine()
    push_chart(registry, "charts/redis", "1.2.9", dep_chart("redis", "1.2.9"))
    push_chart(registry, "charts/redis", "1.3.0", dep_chart("redis", "1.3.0"))
    deps = [
        {"name": "redis", "version": ">=1.2.0 <1.3.0", "repository": f"oci://{registry}/charts"}
    ]
    tree = wrapper_tree(tmp_path / "tree", deps)
    pulled = invoke("charts", "pull", str(tree))
    assert pulled.exit_code == 0, pulled.output
    assert f"  downloaded: oci://{registry}/charts/redis:1.2.9@sha256:" in pulled.stderr
    result = validate(tree)
    assert "error HG214 Service/web/web-redis" in result.stdout
    assert "dependency redis" not in result.stdout + result.stderr


def test_a_dependency_repository_that_is_down_is_a_clear_error_and_exit_1(
    tmp_path: Path,
) -> None:
    with serve({}) as server:
        down = server.base  # nothing listens there once the block ends
    deps = [{"name": "redis", "version": "1.2.3", "repository": down}]
    tree = wrapper_tree(tmp_path / "tree", deps)
    result = invoke("charts", "pull", str(tree))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(
        f"error: wrap/Chart.yaml:5: dependencies[0]: redis ({down}, version 1.2.3): "
        "not obtained, tried: "
    )
    assert "Traceback" not in result.output


def test_a_file_dependency_outside_the_checkout_is_refused(tmp_path: Path) -> None:
    needs_engine()
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "Chart.yaml").write_text("apiVersion: v2\nname: secret\nversion: 1\n")
    (tmp_path / "secret" / "templates").mkdir()
    (tmp_path / "secret" / "templates" / "svc.yaml").write_text(SERVICE)
    deps = [{"name": "secret", "version": "1.0.0", "repository": "file://../../secret"}]
    tree = wrapper_tree(tmp_path / "tree", deps)
    result = validate(tree)
    assert result.exit_code == 1
    assert (
        "error HG130 Application/argocd/web: web: wrap: wrap/Chart.yaml: dependency secret: "
        "repository 'file://../../secret' resolved to outside repository root"
    ) in result.stdout
    assert "not expanded: web (wrap failed)" in result.stdout
    assert "web-secret" not in result.stdout  # nothing of it was read or rendered
    listed = invoke("charts", str(tree))
    assert listed.exit_code == 0
    assert (
        "refused: dependency secret: repository 'file://../../secret' resolved to outside"
    ) in listed.stdout


def test_a_dependency_name_that_is_a_path_is_never_a_folder_to_copy_into(tmp_path: Path) -> None:
    needs_engine()
    deps = [{"name": "../../escape", "version": "1.0.0", "repository": "file://../lib"}]
    result = validate(wrapper_tree(tmp_path / "tree", deps))
    assert "wrap: Chart.yaml: dependency '../../escape': not a chart name" in result.stdout
    assert "not expanded: web (wrap failed)" in result.stdout
