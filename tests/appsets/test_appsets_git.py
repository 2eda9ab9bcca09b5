"""The git generator as ArgoCD's (applicationset/generators/git.go and the repo-server's file
listing): config files, path parameters, values, and the three globbings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from appset_trees import REPO, appset, tree

from homegen.appsets import DiskRepo, Settings, generate_applications


def _git(kind: str, patterns: str, *, go: bool = False, extra: str = "") -> dict[str, Any]:
    name = "{{ .path.basenameNormalized }}" if go else "{{path.basenameNormalized}}"
    return appset(f"""
        goTemplate: {str(go).lower()}
        generators:
          - git: {{repoURL: "{REPO}", {kind}: {patterns} {extra}}}
        template: {{metadata: {{name: "{name}"}}, spec: {{}}}}
        """)


def _expand(spec: dict[str, Any], root: Path, settings: Settings | None = None) -> Any:
    return generate_applications(spec, DiskRepo(root), repo_url=REPO, settings=settings)


def _params(spec: dict[str, Any], root: Path) -> list[dict[str, Any]]:
    expansion = _expand(spec, root)
    assert not expansion.problems, expansion.problems
    return [a.params for a in expansion.apps]


def test_a_json_config_file_is_read_with_a_yaml_parser(tmp_path: Path) -> None:
    tree(tmp_path, {"a/config.json": "name: from-yaml\nsize: 2\n"})
    params = _params(_git("files", '[{path: "a/config.json"}]'), tmp_path)
    assert params[0]["name"] == "from-yaml" and params[0]["size"] == "2"


def test_a_json_file_with_tabs_is_read(tmp_path: Path) -> None:
    tree(tmp_path, {"a/config.json": '{\n\t"name":\t"tabbed"\n}\n'})
    assert _params(_git("files", '[{path: "a/config.json"}]'), tmp_path)[0]["name"] == "tabbed"


def test_an_empty_config_file_still_gives_the_path_parameters(tmp_path: Path) -> None:
    tree(tmp_path, {"apps/web/config.yaml": ""})
    params = _params(_git("files", '[{path: "apps/*/config.yaml"}]'), tmp_path)
    assert params == [{
        "path": "apps/web", "path.basename": "web", "path.basenameNormalized": "web",
        "path.filename": "config.yaml", "path.filenameNormalized": "config.yaml",
        "path[0]": "apps", "path[1]": "web",
    }]  # fmt: skip


def test_empty_values_add_no_values_map_under_gotemplate(tmp_path: Path) -> None:
    tree(tmp_path, {"apps/web/x.yaml": ""})
    spec = _git("directories", '[{path: "apps/*"}]', go=True, extra=", values: {}")
    assert "values" not in _params(spec, tmp_path)[0]


def test_without_gotemplate_empty_maps_and_lists_are_dropped(tmp_path: Path) -> None:
    tree(tmp_path, {"a/c.yaml": "keep: x\nempty_map: {}\nempty_list: []\nnested: {e: {}}\n"})
    params = _params(_git("files", '[{path: "a/c.yaml"}]'), tmp_path)[0]
    assert params["keep"] == "x"
    assert not any(k.startswith(("empty", "nested")) for k in params)


def test_large_numbers_print_as_go_prints_a_float64(tmp_path: Path) -> None:
    tree(tmp_path, {"a/c.yaml": "big: 1000000\nsmall: 123456\nfrac: 0.00001\n"})
    params = _params(_git("files", '[{path: "a/c.yaml"}]'), tmp_path)[0]
    assert (params["big"], params["small"], params["frac"]) == ("1e+06", "123456", "1e-05")


def test_path_param_prefix_under_gotemplate_is_one_key(tmp_path: Path) -> None:
    tree(tmp_path, {"apps/web/x.yaml": ""})
    spec = _git("directories", '[{path: "apps/*"}]', go=True, extra=", pathParamPrefix: a.b")
    params = _params(spec, tmp_path)[0]
    assert params["a.b"]["path"]["basename"] == "web" and "a" not in params


FILES = {
    "apps/top.json": "{}", "apps/one/config.json": "{}", "apps/one/deep/config.json": "{}",
    "other/config.json": "{}",
}  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "default", "new"),
    [
        # git ls-files: * crosses /
        ("apps/*.json", ["apps", "one", "deep"], ["apps"]),
        ("apps/*/config.json", ["one", "deep"], ["one"]),
        # doublestar: ** spans zero or more folders
        ("apps/**/config.json", ["one", "deep"], ["one", "deep"]),
        # a folder lists every file under it for git; a literal file only
        ("apps/one", ["one", "deep"], []),
        ("**/config.json", ["one", "deep", "other"], ["one", "deep", "other"]),
    ],
)
def test_file_globbing_default_and_new(
    tmp_path: Path, pattern: str, default: list[str], new: list[str]
) -> None:
    tree(tmp_path, FILES)
    spec = _git("files", f'[{{path: "{pattern}"}}]')
    for settings, expected in ((None, default), (Settings(new_globbing=True), new)):
        expansion = _expand(spec, tmp_path, settings)
        assert sorted(a.name for a in expansion.apps) == sorted(expected)


def test_new_globbing_matching_a_folder_fails_as_the_controller_does(tmp_path: Path) -> None:
    tree(tmp_path, FILES)
    expansion = _expand(_git("files", '[{path: "apps/*"}]'), tmp_path, Settings(new_globbing=True))
    assert [p.kind for p in expansion.problems] == ["template-error"]
    assert "apps/one" in expansion.problems[0].message


def test_directory_double_star_stays_in_one_folder_level(tmp_path: Path) -> None:
    tree(tmp_path, {"apps/a/x.yaml": "", "apps/a/b/x.yaml": ""})
    params = _params(_git("directories", '[{path: "apps/**"}]'), tmp_path)
    assert [p["path"] for p in params] == ["apps/a"]


def test_hidden_folders_are_skipped_unless_the_repo_server_includes_them(tmp_path: Path) -> None:
    tree(tmp_path, {"apps/a/x.yaml": "", "apps/.hidden/x.yaml": "", ".ci/apps/y.yaml": ""})
    spec = _git("directories", '[{path: "apps/*"}, {path: ".ci/*"}]')
    assert [p["path"] for p in _params(spec, tmp_path)] == ["apps/a"]
    expansion = _expand(spec, tmp_path, Settings(hidden_directories=True))
    assert [a.params["path"] for a in expansion.apps] == [".ci/apps", "apps/.hidden", "apps/a"]


def test_git_values_see_the_generators_parameters(tmp_path: Path) -> None:
    tree(tmp_path, {"apps/web/x.yaml": ""})
    spec = _git("directories", '[{path: "apps/*"}]', extra=', values: {ns: "n-{{path.basename}}"}')
    assert _params(spec, tmp_path)[0]["values.ns"] == "n-web"


def test_a_file_holding_an_empty_list_makes_nothing_and_is_no_problem(tmp_path: Path) -> None:
    tree(tmp_path, {"a/config.yaml": "[]\n"})
    expansion = _expand(_git("files", '[{path: "**/config.yaml"}]'), tmp_path)
    assert expansion.apps == [] and expansion.problems == []
