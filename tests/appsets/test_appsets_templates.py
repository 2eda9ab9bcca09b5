"""Template rendering, the resources finalizer and templatePatch as ArgoCD's
(applicationset/utils/utils.go, controllers/template)."""

from __future__ import annotations

from typing import Any

import pytest
from appset_trees import appset

from homegen.appsets import generate_applications

FINALIZER = "resources-finalizer.argocd.argoproj.io"


def _one(spec: str) -> dict[str, Any]:
    expansion = generate_applications(appset(spec), None)
    assert not expansion.problems, expansion.problems
    app: dict[str, Any] = expansion.apps[0].app
    return app


def _problems(spec: str) -> list[str]:
    expansion = generate_applications(appset(spec), None)
    assert expansion.apps == []
    return [p.kind for p in expansion.problems]


def test_empty_braces_never_name_a_parameter() -> None:
    app = _one("""
        generators: [{list: {elements: [{"": gotcha, name: a}]}}]
        template: {metadata: {name: "{{name}}", annotations: {x: "{{ }}"}}, spec: {}}
        """)
    assert app["metadata"]["annotations"] == {"x": "{{ }}"}


def test_an_unclosed_tag_after_a_closed_one_fails_without_gotemplate() -> None:
    spec = """
        generators: [{list: {elements: [{name: a}]}}]
        template: {metadata: {name: "{{name}}", annotations: {x: "%s"}}, spec: {}}
        """
    assert _problems(spec % "{{name}} {{oops") == ["template-error"]
    # no {{...}} on any line: fasttemplate never runs, the text stays
    assert _one(spec % "{{oops")["metadata"]["annotations"] == {"x": "{{oops"}


def test_an_unclosed_action_fails_under_gotemplate() -> None:
    assert _problems("""
        goTemplate: true
        generators: [{list: {elements: [{name: a}]}}]
        template: {metadata: {name: "{{ .name"}, spec: {}}
        """) == ["template-error"]


def test_an_empty_parameter_set_renders_nothing_and_adds_no_finalizer() -> None:
    app = _one("""
        generators: [{list: {elements: [{}]}}]
        template: {metadata: {name: "{{name}}"}, spec: {project: "{{p}}"}}
        """)
    assert app["metadata"] == {"name": "{{name}}", "namespace": "argocd"}
    assert app["spec"] == {"project": "{{p}}"}


@pytest.mark.parametrize(
    "call",
    ['fromYaml "a: [unclosed"', 'fromYaml "- a"', 'fromYamlArray "a: b"', 'fromYamlArray "[x"'],
)
def test_from_yaml_errors_fail_the_template(call: str) -> None:
    assert _problems(f"""
        goTemplate: true
        generators: [{{list: {{elements: [{{name: a}}]}}}}]
        template: {{metadata: {{name: '{{{{ {call} }}}}'}}, spec: {{}}}}
        """) == ["template-error"]


def test_from_yaml_reads_what_it_can() -> None:
    app = _one("""
        goTemplate: true
        generators: [{list: {elements: [{raw: "size: 1000000"}]}}]
        template: {metadata: {name: '{{ (fromYaml .raw).size }}-{{ len (fromYamlArray "[1, 2]") }}'}, spec: {}}
        """)  # noqa: E501
    assert app["metadata"]["name"] == "1e+06-2"


def test_gotemplate_numbers_print_as_go_prints_them() -> None:
    app = _one("""
        goTemplate: true
        generators: [{list: {elements: [{n: 1000000, m: 3, f: 2.5}]}}]
        template: {metadata: {name: "{{ .n }}-{{ .m }}-{{ .f }}"}, spec: {}}
        """)
    assert app["metadata"]["name"] == "1e+06-3-2.5"


@pytest.mark.parametrize(
    ("policy", "finalizers", "expected"),
    [
        ("", "", [FINALIZER]),
        ("syncPolicy: {preserveResourcesOnDeletion: true}", "", None),
        ("", "finalizers: [mine]", ["mine"]),
    ],
)
def test_resources_finalizer_where_argocd_adds_it(
    policy: str, finalizers: str, expected: list[str] | None
) -> None:
    app = _one(f"""
        {policy}
        generators: [{{list: {{elements: [{{name: a}}]}}}}]
        template: {{metadata: {{name: "{{{{name}}}}", {finalizers}}}, spec: {{}}}}
        """)
    assert app["metadata"].get("finalizers") == expected


PATCHED = """
    goTemplate: %s
    generators: [{list: {elements: [{name: a}]}}]
    template: {metadata: {name: "{{%s}}"}, spec: {project: default, source: {path: x}}}
    templatePatch: %s
    """


def test_a_json_patch_with_tabs_is_applied() -> None:
    app = _one(
        PATCHED
        % ("true", " .name ", '"{\\n\\t\\"spec\\":\\t{\\"source\\": {\\"path\\": \\"y\\"}}}"')
    )
    assert app["spec"]["source"] == {"path": "y"}


def test_a_patch_cannot_change_the_project() -> None:
    app = _one(PATCHED % ("true", " .name ", '"spec: {project: other, revisionHistoryLimit: 3}"'))
    assert app["spec"]["project"] == "default"
    assert app["spec"]["revisionHistoryLimit"] == 3


@pytest.mark.parametrize("patch", ['"- a"', '"just text"', '"[1]"'])
def test_a_patch_that_is_not_an_object_fails(patch: str) -> None:
    assert _problems(PATCHED % ("true", " .name ", patch)) == ["template-error"]


def test_without_gotemplate_a_patch_gets_parameter_substitution() -> None:
    app = _one(PATCHED % ("false", "name", '"metadata: {labels: {app: \\"{{name}}\\"}}"'))
    assert app["metadata"]["labels"] == {"app": "a"}


def test_elements_yaml_is_appended_to_elements_in_both_modes() -> None:
    for go, name in (("false", "{{name}}"), ("true", "{{ .name }}")):
        expansion = generate_applications(appset(f"""
            goTemplate: {go}
            generators: [{{list: {{elements: [{{name: a}}], elementsYaml: "- name: b"}}}}]
            template: {{metadata: {{name: "{name}"}}, spec: {{}}}}
            """), None)  # fmt: skip
        assert [a.name for a in expansion.apps] == ["a", "b"]


def test_a_strategic_merge_directive_in_a_patch_is_reported_not_applied() -> None:
    spec = PATCHED % ("true", " .name ", '"spec: {source: {$patch: delete}}"')
    expansion = generate_applications(appset(spec), None)
    assert expansion.apps == [] and [p.kind for p in expansion.problems] == ["not-expanded"]
    assert "$patch" in expansion.problems[0].message


@pytest.mark.parametrize(
    ("options", "expected"), [("[]", "<no value>"), ('["missingkey=zero"]', "<no value>")]
)
def test_missing_key_options(options: str, expected: str) -> None:
    app = _one(f"""
        goTemplate: true
        goTemplateOptions: {options}
        generators: [{{list: {{elements: [{{name: a}}]}}}}]
        template: {{metadata: {{name: a, labels: {{x: "{{{{ .nope }}}}"}}}}, spec: {{}}}}
        """)
    assert app["metadata"]["labels"] == {"x": expected}


def test_missing_key_zero_fails_a_field_of_the_missing_key() -> None:
    assert _problems("""
        goTemplate: true
        goTemplateOptions: ["missingkey=error", "missingkey=zero"]
        generators: [{list: {elements: [{name: a}]}}]
        template: {metadata: {name: "{{ .nope.deeper }}"}, spec: {}}
        """) == ["template-error"]
