"""homegen's limits on one ApplicationSet: how many Applications, how long its Go templates
run. Hitting one is a not-expanded problem naming the limit, never a hang or a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from appset_trees import REPO, appset

from homegen.appsets import DiskRepo, Settings, generate_applications
from tools import requires_extra


def _matrix(left: int, right: int) -> dict[str, object]:
    first = json.dumps([{"a": str(i)} for i in range(left)])
    second = json.dumps([{"b": str(i)} for i in range(right)])
    return appset(f"""
        generators:
          - matrix:
              generators:
                - list: {{elements: {first}}}
                - list: {{elements: {second}}}
        template: {{metadata: {{name: "x-{{{{a}}}}-{{{{b}}}}"}}, spec: {{}}}}
        """)


def test_just_inside_the_application_limit() -> None:
    expansion = generate_applications(_matrix(2, 3), None, settings=Settings(max_apps=6))
    assert len(expansion.apps) == 6 and expansion.complete


def test_just_outside_the_application_limit_stops_with_a_problem() -> None:
    expansion = generate_applications(_matrix(7, 1), None, settings=Settings(max_apps=6))
    assert expansion.apps == []
    assert [p.kind for p in expansion.problems] == ["not-expanded"]
    assert "more than 6 Applications" in expansion.problems[0].message


def test_two_generators_together_count_against_the_limit() -> None:
    spec = appset("""
        generators:
          - list: {elements: [{n: a}, {n: b}]}
          - list: {elements: [{n: c}]}
        template: {metadata: {name: "{{n}}"}, spec: {}}
        """)
    assert len(generate_applications(spec, None, settings=Settings(max_apps=3)).apps) == 3
    expansion = generate_applications(spec, None, settings=Settings(max_apps=2))
    assert [a.name for a in expansion.apps] == ["a", "b"] and not expansion.complete


def test_a_million_application_matrix_stops_early() -> None:
    # 1,000 x 1,000 from a small manifest: stopped after the first sets past 10,000
    expansion = generate_applications(_matrix(1000, 1000), None)
    assert expansion.apps == [] and "more than 10000" in expansion.problems[0].message


def test_the_application_limit_can_be_lowered_by_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOMEGEN_APPSET_MAX_APPS", "5")
    assert not generate_applications(_matrix(2, 3), None).complete
    monkeypatch.setenv("HOMEGEN_APPSET_MAX_APPS", "6")
    assert generate_applications(_matrix(2, 3), None).complete


RANGE = """
    goTemplate: true
    generators: [{list: {elements: [{name: a}]}}]
    template:
      metadata: {name: "{{ .name }}", annotations: {n: '{{ range until %d }}x{{ end }}'}}
      spec: {}
    """


def test_a_template_that_ends_in_time_is_rendered() -> None:
    requires_extra("charts")
    expansion = generate_applications(
        appset(RANGE % 3), None, settings=Settings(template_seconds=30)
    )
    assert expansion.apps[0].app["metadata"]["annotations"] == {"n": "xxx"}


def test_a_range_over_a_huge_count_ends_with_a_problem_naming_the_limit() -> None:
    requires_extra("charts")
    spec = appset(RANGE % 2_000_000_000)
    expansion = generate_applications(spec, None, settings=Settings(template_seconds=1))
    assert expansion.apps == []
    assert [p.kind for p in expansion.problems] == ["not-expanded"]
    assert "ran past 1 s" in expansion.problems[0].message
    # the worker was replaced: the next set renders
    again = generate_applications(appset(RANGE % 2), None, settings=Settings(template_seconds=30))
    assert again.apps[0].app["metadata"]["annotations"] == {"n": "xx"}


def test_an_alias_bomb_in_a_config_file_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    (tmp_path / "c.yaml").write_text("\n".join(lines) + "\n")
    spec = appset(f"""
        goTemplate: true
        generators: [{{git: {{repoURL: "{REPO}", files: [{{path: c.yaml}}]}}}}]
        template: {{metadata: {{name: x}}, spec: {{}}}}
        """)
    expansion = generate_applications(spec, DiskRepo(tmp_path), repo_url=REPO)
    assert expansion.apps == [] and expansion.problems[0].kind == "template-error"
    assert "aliases" in expansion.problems[0].message


def test_sprig_runs_in_the_limited_engine_worker() -> None:
    """The sprig functions homegen does not implement run in the engine worker, which holds
    the memory and time limits (homegen.expand.worker); no other helper process is started."""
    requires_extra("charts")
    from homegen.expand.worker import engine_worker

    spec = appset("""
        goTemplate: true
        generators: [{list: {elements: [{name: a}]}}]
        template: {metadata: {name: '{{ .name | sha1sum | trunc 3 }}'}, spec: {}}
        """)
    assert [a.name for a in generate_applications(spec, None).apps] == ["86f"]
    assert engine_worker()._proc is not None
