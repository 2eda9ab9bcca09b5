"""What decides an ApplicationSet's expansion besides the set, from the command line:
declared clusters shaped like cluster secrets, the tree's argocd-cmd-params-cm, the limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner
from validate_trees import SHARED_SCHEMAS, dedent, root_app, write_tree

from homegen.cli import app

SCHEMAS = ["--schema-location", str(SHARED_SCHEMAS), "--ignore-missing-schemas"]
REPO = "https://github.com/me/lab"
runner = CliRunner()


def _appset(generators: str, name: str) -> str:
    return dedent(f"""
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata: {{name: set, namespace: argocd}}
        spec:
          generators: {generators}
          template:
            metadata: {{name: "{name}"}}
            spec:
              project: default
              source: {{repoURL: "{REPO}", targetRevision: HEAD, path: workloads/web}}
              destination: {{server: "https://kubernetes.default.svc", namespace: web}}
    """)


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\ndata: {a: b}\n"
SELECTED = _appset(
    "[{clusters: {selector: {matchLabels: {env: prod}}}}]",
    "{{nameNormalized}}-{{project}}-{{metadata.annotations.owner}}",
)


def _names(tmp_path: Path, files: dict[str, str], *args: str) -> tuple[int, list[str]]:
    root = write_tree(tmp_path / "repo", {
        "app-of-apps.yaml": root_app(REPO, "apps"), "workloads/web/cm.yaml": CM % "web",
        **files,
    })  # fmt: skip
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = runner.invoke(app, ["validate", str(root), *SCHEMAS, "--list-apps", *args], env=env)
    return result.exit_code, [line.split()[0] for line in result.stdout.splitlines()[1:]]


@pytest.fixture(autouse=True)
def _no_services_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_a_cluster_declared_on_the_command_line_carries_project_labels_annotations(
    tmp_path: Path,
) -> None:
    declared = "edge=https://e,project=infra,label.env=prod,annotation.owner=ops"
    others = ["--cluster", "lab=https://l,label.env=dev", "--cluster", declared]
    code, names = _names(tmp_path, {"apps/set.yaml": SELECTED}, *others)
    assert code == 0 and names == ["edge-infra-ops", "root"]


def test_a_cluster_declared_in_services_toml_is_a_table_like_its_secret(tmp_path: Path) -> None:
    (tmp_path / "services.toml").write_text(
        "[validate]\nclusters = { edge = { server = 'https://e', project = 'infra', "
        "labels = { env = 'prod' }, annotations = { owner = 'ops' } }, lab = 'https://l' }\n"
    )
    code, names = _names(tmp_path, {"apps/set.yaml": SELECTED})
    assert code == 0 and names == ["edge-infra-ops", "root"]


def test_a_bad_cluster_attribute_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"apps/set.yaml": SELECTED})
    result = runner.invoke(app, ["validate", str(root), "--cluster", "e=https://e,colour=red"])
    assert result.exit_code == 2
    assert "'colour=red': expected NAME=URL (an API server URL), project=P" in result.output


NEW_GLOBBING = dedent("""
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: argocd-cmd-params-cm, namespace: argocd}
    data: {applicationsetcontroller.enable.new.git.file.globbing: "true"}
""")
FILES_SET = _appset(
    f'[{{git: {{repoURL: "{REPO}", revision: HEAD, files: [{{path: "envs/*.yaml"}}]}}}}]',
    "{{name}}",
)


def test_the_trees_cmd_params_choose_the_new_git_file_globbing(tmp_path: Path) -> None:
    files = {
        "apps/set.yaml": FILES_SET,
        "envs/top.yaml": "name: top\n",
        "envs/deep/nested.yaml": "name: nested\n",
    }
    # ArgoCD's default: git ls-files, where * crosses /
    assert _names(tmp_path / "a", files)[1] == ["nested", "root", "top"]
    files["apps/params.yaml"] = NEW_GLOBBING
    assert _names(tmp_path / "b", files)[1] == ["root", "top"]


def test_the_application_limit_is_an_hg224_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOMEGEN_APPSET_MAX_APPS", "1")
    two = _appset("[{list: {elements: [{n: a}, {n: b}]}}]", "{{n}}")
    root = write_tree(tmp_path / "repo", {
        "app-of-apps.yaml": root_app(REPO, "apps"), "apps/set.yaml": two,
        "workloads/web/cm.yaml": CM % "web",
    })  # fmt: skip
    result = runner.invoke(app, ["validate", str(root), *SCHEMAS])
    assert "HG224" in result.stdout and "more than 1 Applications" in result.stdout
    assert result.exit_code in (0, 1)
