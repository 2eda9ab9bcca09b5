"""ApplicationSet expansion: every generator and both template modes, on trees built here."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from homegen.appsets import Cluster, DiskRepo, generate_applications
from tools import requires_extra

REPO = "https://github.com/me/lab"


def _set(body: str) -> dict[str, Any]:
    doc = yaml.safe_load(textwrap.dedent(body))
    assert isinstance(doc, dict)
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
            "metadata": {"name": "s", "namespace": "argocd"}, **doc}  # fmt: skip


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _summary(expansion: Any) -> list[tuple[str, str, str]]:
    return [(a.name, a.sources[0].get("path", ""), a.namespace) for a in expansion.apps]


TEMPLATE = """
        template:
          metadata: {name: "{{path.basename}}"}
          spec:
            project: default
            source: {repoURL: "https://github.com/me/lab", targetRevision: HEAD, path: "{{path}}"}
            destination: {server: "https://kubernetes.default.svc", namespace: "{{path.basename}}"}
"""


def test_list_generator_fasttemplate_with_values() -> None:
    appset = _set("""
      spec:
        generators:
          - list:
              elements:
                - {cluster: dev, url: "https://dev", values: {tier: low}}
                - {cluster: prod, url: "https://prod"}
        template:
          metadata: {name: "web-{{cluster}}", labels: {tier: "{{values.tier}}"}}
          spec:
            source: {repoURL: x, path: "apps/{{ cluster }}"}
            destination: {server: "{{url}}", namespace: web}
    """)
    expansion = generate_applications(appset, None)
    assert _summary(expansion) == [("web-dev", "apps/dev", "web"), ("web-prod", "apps/prod", "web")]
    assert expansion.apps[0].app["metadata"]["labels"] == {"tier": "low"}
    # a missing parameter stays as written, as the controller leaves it
    assert expansion.apps[1].app["metadata"]["labels"] == {"tier": "{{values.tier}}"}
    assert expansion.apps[0].app["metadata"]["namespace"] == "argocd"
    assert expansion.complete


def test_list_non_string_value_without_gotemplate_is_a_template_error() -> None:
    appset = _set("""
      spec:
        generators: [{list: {elements: [{name: a, replicas: 2}]}}]
        template: {metadata: {name: "{{name}}"}, spec: {}}
    """)
    expansion = generate_applications(appset, None)
    assert expansion.apps == []
    assert [p.kind for p in expansion.problems] == ["template-error"]
    assert "'replicas' is not a string" in expansion.problems[0].message


def test_git_directories_with_exclude_and_path_params(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {
        "apps/web/deploy.yaml": "", "apps/db_main/sts.yaml": "", "apps/skip/x.yaml": "",
        "apps/web/sub/y.yaml": "", "README.md": "",
    })  # fmt: skip
    appset = _set(
        """
      spec:
        generators:
          - git:
              repoURL: https://github.com/me/lab.git
              revision: HEAD
              directories: [{path: "apps/*"}, {path: apps/skip, exclude: true}]
    """
        + TEMPLATE
    )
    expansion = generate_applications(appset, repo, repo_url=REPO)
    assert _summary(expansion) == [
        ("db_main", "apps/db_main", "db_main"),
        ("web", "apps/web", "web"),
    ]
    params = expansion.apps[0].params
    assert params["path.basenameNormalized"] == "db-main"
    assert (params["path[0]"], params["path[1]"]) == ("apps", "db_main")
    assert expansion.apps[1].origin == "git directory apps/web"


def test_git_directories_gotemplate_and_path_param_prefix(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {"k8s/apps/Web_UI/a.yaml": "", "k8s/apps/api/a.yaml": ""})
    appset = _set("""
      spec:
        goTemplate: true
        goTemplateOptions: ["missingkey=error"]
        generators:
          - git:
              repoURL: https://github.com/me/lab
              revision: HEAD
              pathParamPrefix: app
              directories: [{path: "k8s/apps/*"}]
        template:
          metadata: {name: "{{ .app.path.basenameNormalized }}"}
          spec:
            source: {repoURL: x, path: "{{ .app.path.path }}"}
            destination: {namespace: "{{ index .app.path.segments 1 | upper }}"}
    """)
    expansion = generate_applications(appset, DiskRepo(repo), repo_url=REPO)
    assert _summary(expansion) == [
        ("web-ui", "k8s/apps/Web_UI", "APPS"),
        ("api", "k8s/apps/api", "APPS"),
    ]


def test_git_files_json_and_yaml_flattened_with_path_params(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {
        "clusters/dev/config.json": json.dumps({"cluster": {"name": "dev", "replicas": 2}}),
        "clusters/prod/config.yaml": "cluster: {name: prod, replicas: 3}\n",
        "clusters/list/config.yaml": "- cluster: {name: a}\n- cluster: {name: b}\n",
    })  # fmt: skip
    appset = _set("""
      spec:
        generators:
          - git:
              repoURL: https://github.com/me/lab
              files: [{path: "clusters/**/config.json"}, {path: "clusters/*/config.yaml"}]
        template:
          metadata: {name: "{{cluster.name}}-{{path.basename}}", annotations: {r: "{{cluster.replicas}}", f: "{{path.filename}}"}}
          spec:
            source: {repoURL: x, path: "{{path}}"}
            destination: {namespace: "{{path[1]}}"}
    """)  # noqa: E501
    expansion = generate_applications(appset, repo, repo_url=REPO)
    assert [a.name for a in expansion.apps] == ["dev-dev", "a-list", "b-list", "prod-prod"]
    dev = expansion.apps[0].app["metadata"]["annotations"]
    assert dev == {"r": "2", "f": "config.json"}
    assert expansion.apps[3].sources[0]["path"] == "clusters/prod"


def test_git_generator_of_another_repository_is_not_expanded(tmp_path: Path) -> None:
    appset = _set("""
      spec:
        generators: [{git: {repoURL: "https://github.com/other/repo", directories: [{path: "*"}]}}]
        template: {metadata: {name: x}, spec: {}}
    """)
    expansion = generate_applications(appset, tmp_path, repo_url=REPO)
    assert not expansion.complete and "not the checkout" in expansion.problems[0].message


def test_git_generator_matching_nothing_is_noted(tmp_path: Path) -> None:
    appset = _set(
        """
      spec:
        generators: [{git: {repoURL: "https://github.com/me/lab", directories: [{path: "nope/*"}]}}]
    """
        + TEMPLATE
    )
    expansion = generate_applications(appset, _tree(tmp_path, {"a/b.yaml": ""}), repo_url=REPO)
    assert expansion.apps == [] and expansion.complete
    assert [p.kind for p in expansion.problems] == ["empty"]


def test_cluster_generator_from_declared_clusters() -> None:
    appset = _set("""
      spec:
        generators: [{clusters: {values: {env: "e-{{name}}"}}}]
        template:
          metadata: {name: "mon-{{nameNormalized}}"}
          spec: {destination: {server: "{{server}}", namespace: "{{values.env}}"}}
    """)
    clusters = [
        Cluster("in-cluster", "https://kubernetes.default.svc"),
        Cluster("Edge_1", "https://e"),
    ]
    expansion = generate_applications(appset, None, clusters)
    assert [(a.name, a.namespace) for a in expansion.apps] == [
        ("mon-in-cluster", "e-in-cluster"),
        ("mon-edge-1", "e-Edge_1"),
    ]


def test_cluster_selector_with_unlabelled_clusters_selects_none() -> None:
    appset = _set("""
      spec:
        generators: [{clusters: {selector: {matchLabels: {env: prod}}}}]
        template: {metadata: {name: "x-{{name}}"}, spec: {}}
    """)
    labelled = Cluster("p", "https://p", labels={"env": "prod"})
    expansion = generate_applications(appset, None, [Cluster("in-cluster", "https://k"), labelled])
    assert [a.name for a in expansion.apps] == ["x-p"]


def test_matrix_of_git_directories_and_list(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {"apps/a/x.yaml": "", "apps/b/x.yaml": ""})
    appset = _set("""
      spec:
        goTemplate: true
        generators:
          - matrix:
              generators:
                - git: {repoURL: "https://github.com/me/lab", directories: [{path: "apps/*"}]}
                - list: {elements: [{env: dev}, {env: prod}]}
        template:
          metadata: {name: "{{ .path.basename }}-{{ .env }}"}
          spec: {source: {path: "{{ .path.path }}"}, destination: {namespace: "{{ .env }}"}}
    """)
    expansion = generate_applications(appset, repo, repo_url=REPO)
    assert [a.name for a in expansion.apps] == ["a-dev", "a-prod", "b-dev", "b-prod"]
    assert expansion.apps[0].origin == "git directory apps/a x list element 0"


def test_matrix_second_generator_uses_first_generators_params(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {
        "envs/dev/apps.yaml": "- {app: web}\n- {app: api}\n",
        "envs/prod/apps.yaml": "- {app: web}\n",
    })  # fmt: skip
    appset = _set("""
      spec:
        generators:
          - matrix:
              generators:
                - list: {elements: [{env: dev}, {env: prod}]}
                - git: {repoURL: "https://github.com/me/lab", files: [{path: "envs/{{env}}/apps.yaml"}]}
        template: {metadata: {name: "{{app}}-{{env}}"}, spec: {}}
    """)  # noqa: E501
    expansion = generate_applications(appset, repo, repo_url=REPO)
    assert [a.name for a in expansion.apps] == ["web-dev", "api-dev", "web-prod"]


def test_merge_overrides_base_sets_by_merge_key() -> None:
    appset = _set("""
      spec:
        generators:
          - merge:
              mergeKeys: [name]
              generators:
                - list: {elements: [{name: a, size: small}, {name: b, size: small}]}
                - list: {elements: [{name: b, size: large}, {name: c, size: huge}]}
        template: {metadata: {name: "{{name}}-{{size}}"}, spec: {}}
    """)
    expansion = generate_applications(appset, None)
    assert [a.name for a in expansion.apps] == ["a-small", "b-large"]


def test_gotemplate_functions_conditions_and_missingkey_default() -> None:
    appset = _set("""
      spec:
        goTemplate: true
        generators: [{list: {elements: [{name: My_App, team: {lead: ann}}, {name: other}]}}]
        template:
          metadata:
            name: '{{ .name | normalize }}'
            annotations:
              lead: '{{ if .team }}{{ .team.lead | title }}{{ else }}none{{ end }}'
              missing: '{{ .nope }}'
              quoted: '{{ printf "%s-%d" .name 3 | quote }}'
              dflt: '{{- default "x" .absent -}}'
              slug: '{{ slugify 5 true "Hello World Again" }}'
          spec: {}
    """)
    expansion = generate_applications(appset, None)
    first, second = (a.app["metadata"] for a in expansion.apps)
    assert first["name"] == "my-app"
    assert first["annotations"] == {
        "lead": "Ann", "missing": "<no value>", "quoted": '"My_App-3"', "dflt": "x",
        "slug": "hello",
    }  # fmt: skip
    assert second["annotations"]["lead"] == "none"


def test_missingkey_error_is_a_template_error() -> None:
    appset = _set("""
      spec:
        goTemplate: true
        goTemplateOptions: ["missingkey=error"]
        generators: [{list: {elements: [{name: a}]}}]
        template: {metadata: {name: "{{ .name }}-{{ .nope }}"}, spec: {}}
    """)
    expansion = generate_applications(appset, None)
    assert expansion.apps == []
    assert 'map has no entry for key "nope"' in expansion.problems[0].message
    assert expansion.problems[0].kind == "template-error"


def test_template_patch_merges_rendered_yaml() -> None:
    appset = _set("""
      spec:
        goTemplate: true
        generators: [{list: {elements: [{name: a, auto: true}, {name: b, auto: false}]}}]
        template:
          metadata: {name: "{{ .name }}"}
          spec: {project: default, destination: {namespace: "{{ .name }}"}}
        templatePatch: |
          spec:
          {{- if .auto }}
            syncPolicy:
              automated: {prune: true}
          {{- end }}
            project: "team-{{ .name }}"
    """)
    expansion = generate_applications(appset, None)
    a, b = (x.app["spec"] for x in expansion.apps)
    assert a == {"project": "default", "destination": {"namespace": "a"},
                 "syncPolicy": {"automated": {"prune": True}}}  # fmt: skip
    assert b == {"project": "default", "destination": {"namespace": "b"}}


def test_generator_level_template_overrides_the_set_template() -> None:
    appset = _set("""
      spec:
        generators:
          - list: {elements: [{name: a}], template: {spec: {project: special}}}
        template: {metadata: {name: "{{name}}"}, spec: {project: default}}
    """)
    assert generate_applications(appset, None).apps[0].app["spec"] == {"project": "special"}


@pytest.mark.parametrize(
    "kind", ["scmProvider", "pullRequest", "clusterDecisionResource", "plugin"]
)
def test_generators_needing_an_api_are_reported_not_expanded(kind: str) -> None:
    appset = _set(f"""
      spec:
        generators: [{{{kind}: {{}}}}]
        template: {{metadata: {{name: x}}, spec: {{}}}}
    """)
    expansion = generate_applications(appset, None)
    assert expansion.apps == [] and not expansion.complete
    assert kind in expansion.problems[0].message


RANGE_SET = """
  spec:
    goTemplate: true
    generators: [{list: {elements: [{name: a, tags: [x, y]}]}}]
    template:
      metadata: {name: "{{ .name }}", annotations: {t: "{{ range .tags }}{{ . }}-{{ end }}"}}
      spec: {}
"""


SPRIG_SET = RANGE_SET.replace("{{ . }}-", "{{ . | sha1sum | trunc 4 }}-")


def test_a_sprig_function_without_sprig_is_reported_not_passed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "helm_python", None)  # import fails
    expansion = generate_applications(_set(SPRIG_SET), None)
    assert expansion.apps == [] and not expansion.complete
    assert "sha1sum" in expansion.problems[0].message
    assert "helm-python-sdk" in expansion.problems[0].message


def test_range_is_evaluated_by_homegen() -> None:
    expansion = generate_applications(_set(RANGE_SET), None)
    assert expansion.apps[0].app["metadata"]["annotations"] == {"t": "x-y-"}


def test_a_sprig_function_homegen_lacks_runs_in_sprig() -> None:
    requires_extra("charts")
    expansion = generate_applications(_set(SPRIG_SET), None)
    # sha1("x") = 11f6ad8e..., sha1("y") = 95cb0bfd...
    assert expansion.apps[0].app["metadata"]["annotations"] == {"t": "11f6-95cb-"}


@pytest.mark.parametrize(
    "appset",
    [
        {"metadata": ["x"], "spec": {"generators": [{"list": {"elements": [{"a": "b"}]}}]}},
        {"spec": {"generators": {"list": {}}, "template": []}},
        {"spec": {"generators": [{"git": {"directories": "apps/*"}}]}},
        {"spec": {"generators": [{"matrix": {"generators": [{"list": 1}]}}]}},
        {"spec": {"goTemplate": True, "generators": [{"list": {"elements": [{"a": 1}]}}],
                  "template": {"metadata": {"name": "{{ .a | printf }}"}}}},
        {"spec": {"goTemplate": True, "generators": [{"list": {"elementsYaml": "[: bad"}}]}},
    ],
)  # fmt: skip
def test_malformed_sets_are_problems_never_exceptions(appset: dict[str, Any]) -> None:
    expansion = generate_applications(appset, Path("/nonexistent"))
    assert expansion.apps == [] and expansion.problems


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/Me/Lab.git",
        "git@github.com:me/lab",
        "ssh://git@github.com/me/lab/",
        "https://github.com:443/me/lab",
    ],
)
def test_a_git_generator_of_the_checkout_in_another_url_form_is_expanded(
    tmp_path: Path, url: str
) -> None:
    appset = _set(
        f"""
      spec:
        generators: [{{git: {{repoURL: "{url}", directories: [{{path: "apps/*"}}]}}}}]
    """
        + TEMPLATE
    )
    repo = _tree(tmp_path, {"apps/web/a.yaml": ""})
    expansion = generate_applications(appset, repo, repo_url=REPO)
    assert [a.name for a in expansion.apps] == ["web"], expansion.problems
