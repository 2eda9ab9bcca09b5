"""Generated Applications take part in every rule: a hand-written repository whose apps come
from ApplicationSets validates clean, and ``--list-apps`` shows what ArgoCD will create."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner
from validate_trees import SHARED_SCHEMAS, dedent, root_app, write_tree

from homegen.cli import app

# these tests are about reading trees, not CRD schemas: a fresh clone without ../shared
# (no ArgoCD schemas) must give the same findings
SCHEMAS = ["--schema-location", str(SHARED_SCHEMAS), "--ignore-missing-schemas"]
runner = CliRunner()
REPO = "https://github.com/me/lab"

ROOT = root_app(REPO, "apps")


def _appset(generators: str, *, go: bool = False, path: str = "{{path}}") -> str:
    name = "{{ .path.basename }}" if go else "{{path.basename}}"
    path = "{{ .path.path }}" if go and path == "{{path}}" else path
    return dedent(f"""
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata: {{name: workloads, namespace: argocd}}
        spec:
          goTemplate: {str(go).lower()}
          generators: {generators}
          template:
            metadata: {{name: "{name}"}}
            spec:
              project: default
              source: {{repoURL: "{REPO}.git", targetRevision: HEAD, path: "{path}"}}
              destination: {{server: "https://kubernetes.default.svc", namespace: "{name}"}}
    """)


def _config_map(name: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata: {{a: b}}\n"


GIT_DIRS = (
    f'[{{git: {{repoURL: "{REPO}", revision: HEAD, directories: [{{path: "workloads/*"}}]}}}}]'
)


def _run(tmp_path: Path, files: dict[str, str], *args: str) -> tuple[int, str]:
    root = write_tree(tmp_path / "repo", files)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = runner.invoke(app, ["validate", str(root), *SCHEMAS, *args], env=env)
    return result.exit_code, result.stdout


@pytest.fixture(autouse=True)
def _no_services_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no services.toml around: the tree's place is derived


def _tree(appset: str) -> dict[str, str]:
    return {
        "app-of-apps.yaml": ROOT,
        "apps/workloads.yaml": appset,
        "workloads/web/cm.yaml": _config_map("web"),
        "workloads/api/cm.yaml": _config_map("api"),
        "mkdocs.yml": "site_name: x\nextra: !!python/name:os.getcwd\n",
    }


@pytest.mark.parametrize("go", [False, True], ids=["fasttemplate", "gotemplate"])
def test_folders_a_git_directory_generator_selects_are_synced(tmp_path: Path, go: bool) -> None:
    code, out = _run(tmp_path, _tree(_appset(GIT_DIRS, go=go)))
    assert (code, out.splitlines()[-1]) == (
        0,
        "4 resources in 5 files: 4 valid, 0 invalid, 0 errors, 0 warnings, "
        "1 files skipped (not Kubernetes objects); coverage: 3 of 3 Applications expanded, "
        "4 objects checked",
    ), out


def test_without_expansion_the_same_folders_would_be_orphans(tmp_path: Path) -> None:
    generators = "[{scmProvider: {github: {organization: me}}}]"
    _code, out = _run(tmp_path, _tree(_appset(generators)))
    assert "warning HG224 ApplicationSet/argocd/workloads" in out
    assert "HG222" in out and "workloads/web/cm.yaml" in out


def test_a_generated_app_whose_folder_is_missing_is_hg201(tmp_path: Path) -> None:
    files = _tree(_appset(GIT_DIRS, path="{{path}}/overlays"))
    code, out = _run(tmp_path, files)
    assert code == 1
    assert "error HG201 Application/argocd/web: source path 'workloads/web/overlays'" in out


def test_a_missing_key_under_missingkey_error_is_hg225(tmp_path: Path) -> None:
    appset = _appset(GIT_DIRS, go=True, path="{{ .path.nope }}").replace(
        "goTemplate: true", "goTemplate: true\n  goTemplateOptions: [missingkey=error]"
    )
    code, out = _run(tmp_path, _tree(appset))
    assert code == 1 and "error HG225 ApplicationSet/argocd/workloads" in out
    assert 'map has no entry for key "nope"' in out


def test_a_pattern_matching_nothing_is_hg226(tmp_path: Path) -> None:
    _code, out = _run(tmp_path, _tree(_appset(GIT_DIRS.replace("workloads/*", "workload/*"))))
    assert "warning HG226 ApplicationSet/argocd/workloads: git directories workload/*" in out


def test_two_generated_apps_syncing_one_folder_share_its_objects(tmp_path: Path) -> None:
    generators = "[{list: {elements: [{name: a}, {name: b}]}}]"
    appset = _appset(generators, path="workloads/web").replace('"{{path.basename}}"', '"{{name}}"')
    code, out = _run(tmp_path, _tree(appset))
    assert code == 1 and "HG206 ConfigMap/a/web: synced by Applications a, b" in out


def test_list_apps_shows_generated_and_hand_written_apps(tmp_path: Path) -> None:
    code, out = _run(tmp_path, _tree(_appset(GIT_DIRS)), "--list-apps")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "SOURCE", "DESTINATION", "FROM"]
    assert lines[1].split() == [
        "api", f"{REPO}.git", "workloads/api", "api",
        "ApplicationSet/workloads", "(git", "directory", "workloads/api)",
    ]  # fmt: skip
    assert lines[3].split()[:4] == ["web", f"{REPO}.git", "workloads/web", "web"]
    assert lines[2].split() == ["root", REPO, "apps", "argocd", "app-of-apps.yaml"]
    code, out = _run(tmp_path, _tree(_appset(GIT_DIRS)), "--list-apps", "--output", "json")
    assert (
        json.loads(out)[0]["generatedBy"]
        == "ApplicationSet/workloads (git directory workloads/api)"
    )


def test_every_sets_applications_are_listed(tmp_path: Path) -> None:
    """Two ApplicationSets: the Applications of both (not of the last set only)."""
    files = _tree(_appset(GIT_DIRS))
    files["apps/tools.yaml"] = (
        _appset(GIT_DIRS.replace("workloads/*", "tools/*"))
        .replace("name: workloads,", "name: tools,")
        .replace('"{{path.basename}}"', '"tool-{{path.basename}}"')
    )
    files["tools/lint/cm.yaml"] = _config_map("lint")
    code, out = _run(tmp_path, files, "--list-apps", "--output", "json")
    assert code == 0, out
    apps = [(row["name"], row["generatedBy"].partition(" ")[0]) for row in json.loads(out)]
    assert apps == [
        ("api", "ApplicationSet/workloads"),
        ("root", ""),
        ("tool-lint", "ApplicationSet/tools"),
        ("web", "ApplicationSet/workloads"),
    ]


CLUSTERS_SET = (
    _appset("[{clusters: {}}]", path="workloads/web")
    .replace('"{{path.basename}}"', '"web-{{name}}"')
    .replace('server: "https://kubernetes.default.svc"', 'server: "{{server}}"')
)


@pytest.mark.parametrize(
    ("declared", "names"),
    [
        (["--cluster", "edge=https://10.0.0.5:6443"], ["root", "web-edge", "web-in-cluster"]),
        ([], ["root", "web-in-cluster"]),  # none declared: the cluster ArgoCD runs in
    ],
    ids=["declared", "in-cluster"],
)
def test_cluster_generator_uses_declared_clusters(
    tmp_path: Path, declared: list[str], names: list[str]
) -> None:
    _code, out = _run(tmp_path, _tree(CLUSTERS_SET), "--list-apps", *declared)
    assert [line.split()[0] for line in out.splitlines()[1:]] == names


def test_bad_cluster_declaration_is_a_usage_error(tmp_path: Path) -> None:
    code, _ = _run(tmp_path, _tree(_appset(GIT_DIRS)), "--cluster", "nourl")
    assert code == 2


def _checkout(tmp_path: Path, files: dict[str, str]) -> Path:
    root = write_tree(tmp_path / "repo", files)
    (root / ".git").mkdir()  # a checkout: what find_repo_root looks for
    return root


def test_a_subfolder_of_a_checkout_resolves_references_to_the_rest(tmp_path: Path) -> None:
    files = _tree(_appset(GIT_DIRS))
    files["workloads/web/bad.yaml"] = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {portz: 1}\n"
    )
    root = _checkout(tmp_path, files)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = [*SCHEMAS]
    result = runner.invoke(app, ["validate", str(root / "apps"), *args], env=env)
    # apps/ alone: its ApplicationSet is reached from the root app outside it, and the folders
    # it generates apps for exist; the schema error in workloads/ is outside: a note
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1] == (
        "1 resources in 1 files: 1 valid, 0 invalid, 0 errors, 0 warnings; "
        "note: 1 findings outside apps/ not shown; coverage: 2 of 2 Applications expanded, "
        "1 objects checked"
    )
    result = runner.invoke(app, ["validate", str(root / "workloads"), *args], env=env)
    assert result.exit_code == 1
    assert "workloads/web/bad.yaml:1: error HG104 Service/web/s" in result.stdout
    assert "HG222" not in result.stdout  # synced by the generated app, defined outside


def test_a_subfolder_lists_only_its_own_apps(tmp_path: Path) -> None:
    root = _checkout(tmp_path, _tree(_appset(GIT_DIRS)))
    result = runner.invoke(app, ["validate", str(root / "apps"), "--list-apps"])
    assert [line.split()[0] for line in result.stdout.splitlines()[1:]] == ["api", "web"]


def test_a_generated_application_is_schema_checked(tmp_path: Path) -> None:
    appset = _appset(GIT_DIRS).replace("project: default", "project: default\n      prune: yes")
    root = write_tree(tmp_path / "repo", _tree(appset))
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = runner.invoke(app, ["validate", str(root)], env=env)  # the built-in catalog
    assert result.exit_code == 1
    assert "error HG104 Application/argocd/web: /spec: Additional properties" in result.stdout


CONFIG_MAP_FIRST = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: argocd}\n---\n"


@pytest.mark.parametrize(
    ("set_namespace", "app_namespace"),
    [(", namespace: team", "team"), ("", "argocd")],
    ids=["the-set's", "the-root-app's-destination"],
)
def test_a_generated_app_is_at_its_set_in_the_set_namespace(
    tmp_path: Path, set_namespace: str, app_namespace: str
) -> None:
    appset = _appset(GIT_DIRS, path="{{path}}/overlays").replace(
        "{name: workloads, namespace: argocd}", f"{{name: workloads{set_namespace}}}"
    )
    code, out = _run(tmp_path, _tree(CONFIG_MAP_FIRST + appset))
    assert code == 1
    assert (
        f"apps/workloads.yaml:5: error HG201 Application/{app_namespace}/web: source path "
        "'workloads/web/overlays'"
    ) in out


def test_a_git_generator_of_another_repository_is_hg224(tmp_path: Path) -> None:
    # the checkout has the folders the pattern names, but of another repository
    other = GIT_DIRS.replace(REPO, "https://github.com/someone/else")
    code, out = _run(tmp_path, _tree(_appset(other)))
    assert (
        "apps/workloads.yaml:1: warning HG224 ApplicationSet/argocd/workloads: generator 0: the "
        "git generator reads https://github.com/someone/else, not the checkout being validated"
    ) in out
    assert code == 0 and "HG222" in out  # its folders are orphans: nothing known syncs them


def test_a_tree_in_a_folder_of_its_repository_expands_repository_paths(tmp_path: Path) -> None:
    # the tree is lab/ of the repository, validated on its own: generator paths start with lab/
    tree = _tree(_appset(GIT_DIRS.replace("workloads/*", "lab/workloads/*")))
    tree["app-of-apps.yaml"] = root_app(REPO, "lab/apps")
    code, out = _run(tmp_path, tree)
    assert (code, out.splitlines()[-1]) == (
        0,
        "4 resources in 5 files: 4 valid, 0 invalid, 0 errors, 0 warnings, "
        "1 files skipped (not Kubernetes objects); coverage: 3 of 3 Applications expanded, "
        "4 objects checked",
    ), out
