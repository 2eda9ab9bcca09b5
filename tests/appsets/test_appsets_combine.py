"""matrix and merge as ArgoCD's (applicationset/generators/matrix.go, merge.go)."""

from __future__ import annotations

from pathlib import Path

from appset_trees import REPO, appset, tree

from homegen.appsets import DiskRepo, generate_applications


def test_gotemplate_matrix_first_childs_parameters_win() -> None:
    spec = appset("""
        goTemplate: true
        generators:
          - matrix:
              generators:
                - list: {elements: [{env: first, a: x}]}
                - list: {elements: [{env: second, b: y}]}
        template: {metadata: {name: "{{ .env }}-{{ .a }}-{{ .b }}"}, spec: {}}
        """)
    assert [a.name for a in generate_applications(spec, None).apps] == ["first-x-y"]


def test_matrix_without_gotemplate_refuses_a_key_set_twice_differently() -> None:
    spec = appset("""
        generators:
          - matrix:
              generators:
                - list: {elements: [{env: first}]}
                - list: {elements: [{env: second}]}
        template: {metadata: {name: "{{env}}"}, spec: {}}
        """)
    expansion = generate_applications(spec, None)
    assert expansion.apps == [] and expansion.problems[0].kind == "template-error"


def test_a_matrix_child_naming_two_generators_is_an_error() -> None:
    spec = appset("""
        generators:
          - matrix:
              generators:
                - list: {elements: [{a: x}]}
                  clusters: {}
                - list: {elements: [{b: y}]}
        template: {metadata: {name: "{{a}}"}, spec: {}}
        """)
    expansion = generate_applications(spec, None)
    assert expansion.apps == []
    assert "more than one generator" in expansion.problems[0].message


def test_a_top_level_entry_naming_two_generators_runs_both() -> None:
    spec = appset("""
        generators:
          - list: {elements: [{name: a}]}
            clusters: {}
        template: {metadata: {name: "x-{{name}}"}, spec: {}}
        """)
    assert [a.name for a in generate_applications(spec, None).apps] == ["x-a", "x-in-cluster"]


def test_second_childs_values_may_use_its_own_parameters(tmp_path: Path) -> None:
    tree(tmp_path, {"envs/dev/web/x.yaml": "", "envs/dev/api/x.yaml": ""})
    spec = appset(f"""
        goTemplate: true
        generators:
          - matrix:
              generators:
                - list: {{elements: [{{env: dev}}]}}
                - git:
                    repoURL: "{REPO}"
                    directories: [{{path: "envs/{{{{ .env }}}}/*"}}]
                    values: {{name: "{{{{ .path.basename }}}}", env: "{{{{ .env }}}}"}}
        template: {{metadata: {{name: "{{{{ .values.env }}}}-{{{{ .values.name }}}}"}}, spec: {{}}}}
        """)
    expansion = generate_applications(spec, DiskRepo(tmp_path), repo_url=REPO)
    # a value naming a key the first child lacks is left whole for the git generator
    assert [a.name for a in expansion.apps] == ["dev-api", "dev-web"]


def test_child_templates_inside_a_matrix_are_ignored() -> None:
    spec = appset("""
        generators:
          - matrix:
              generators:
                - list: {elements: [{a: x}], template: {metadata: {name: child}}}
                - list: {elements: [{b: y}]}
        template: {metadata: {name: "{{a}}-{{b}}"}, spec: {}}
        """)
    assert [a.name for a in generate_applications(spec, None).apps] == ["x-y"]


def _merge(first: str, second: str) -> list[str]:
    spec = appset(f"""
        generators:
          - merge:
              mergeKeys: [name]
              generators:
                - list: {{elements: {first}}}
                - list: {{elements: {second}}}
        template: {{metadata: {{name: "{{{{name}}}}-{{{{size}}}}"}}, spec: {{}}}}
        """)
    expansion = generate_applications(spec, None)
    return [a.name for a in expansion.apps] + [p.kind for p in expansion.problems]


def test_merge_overrides_by_merge_key() -> None:
    assert _merge("[{name: a, size: s}, {name: b, size: s}]", "[{name: b, size: l}]") == [
        "a-s",
        "b-l",
    ]


def test_duplicate_merge_key_values_are_an_error_in_any_child() -> None:
    base_twice = _merge("[{name: a, size: s}, {name: a, size: m}]", "[{name: b, size: l}]")
    assert base_twice == ["template-error"]
    other_twice = _merge("[{name: a, size: s}]", "[{name: a, size: l}, {name: a, size: m}]")
    assert other_twice == ["template-error"]
