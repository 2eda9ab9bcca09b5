"""expand_tree on small charts made here: values, capabilities, CRDs, failures, the cache."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from expand_charts import ROOT_APP, chart_app, demo_chart, need_engine, write

from homegen.expand import ExpandSettings, Expansion, expand_tree
from homegen.expand import stage as stage_module
from homegen.validate.reader.documents import load_tree


def expand(tmp_path: Path, files: dict[str, str], **settings: object) -> Expansion:
    root = write(tmp_path / "tree", files)
    base = {
        "kubernetes_version": "1.28",
        "chart_dirs": (tmp_path / "charts",),
        "tree_root": root,
        "cache_dir": tmp_path / "cache",
    }
    return expand_tree(load_tree(root), ExpandSettings(**{**base, **settings}))  # type: ignore[arg-type]


def objects(expansion: Expansion) -> dict[str, dict[str, object]]:
    return {
        f"{d.obj['kind']}/{d.obj['metadata']['name']}": d.obj
        for d in expansion.documents
        if d.origin is not None
    }


TREE = {
    "app-of-apps.yaml": ROOT_APP,
    "apps/web.yaml": chart_app(),
    "values/web.yaml": "replicas: 3\nimage: {tag: '1.28'}\n",
}


def test_a_chart_app_renders_with_release_namespace_and_tree_values(tmp_path: Path) -> None:
    need_engine()
    demo_chart(tmp_path / "charts")
    expansion = expand(tmp_path, TREE)
    assert expansion.failures == [] and expansion.expanded == 1
    deployment = objects(expansion)["Deployment/web"]
    assert deployment["metadata"]["namespace"] == "web"  # type: ignore[index]
    assert deployment["spec"]["replicas"] == 3  # type: ignore[index]
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]  # type: ignore[index]
    assert image == "nginx:1.28"
    doc = next(d for d in expansion.documents if d.obj.get("kind") == "Deployment")
    assert doc.origin is not None
    assert (doc.origin.app, doc.origin.source) == ("web", "demo@1.0.0")
    assert doc.origin.template == "demo/templates/deployment.yaml"
    assert doc.file == "apps/web.yaml::web/demo/templates/deployment.yaml"


def test_crds_are_included_and_their_kinds_are_api_versions(tmp_path: Path) -> None:
    need_engine()
    demo_chart(tmp_path / "charts")
    found = objects(expand(tmp_path, TREE))
    assert "CustomResourceDefinition/widgets.example.com" in found
    data = found["ConfigMap/web-capabilities"]["data"]
    # kube version from [cluster]; core kinds and the chart's own CRD kinds are API versions
    assert data == {"kube": "v1.28.0", "pdb": "true", "widget": "true", "lookup": "{}"}


def test_skip_crds_leaves_them_out(tmp_path: Path) -> None:
    need_engine()
    demo_chart(tmp_path / "charts")
    tree = {**TREE, "apps/web.yaml": chart_app(helm=("skipCrds: true",))}
    assert "CustomResourceDefinition/widgets.example.com" not in objects(expand(tmp_path, tree))


def test_inline_values_and_parameters_override_value_files(tmp_path: Path) -> None:
    need_engine()
    demo_chart(tmp_path / "charts")
    helm = (
        "valuesObject: {replicas: 4, image: {tag: '2.0'}}",
        "parameters: [{name: replicas, value: '5'},"
        " {name: image.tag, value: '3', forceString: true}]",
    )
    tree = {**TREE, "apps/web.yaml": chart_app(helm=helm)}
    deployment = objects(expand(tmp_path, tree))["Deployment/web"]
    assert deployment["spec"]["replicas"] == 5  # type: ignore[index]
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]  # type: ignore[index]
    assert image == "nginx:3"


def test_a_failing_chart_is_a_failure_with_the_charts_message(tmp_path: Path) -> None:
    need_engine()
    demo_chart(tmp_path / "charts")
    tree = {**TREE, "values/web.yaml": "failWith: set controllerServiceAccount.name\n"}
    expansion = expand(tmp_path, tree)
    assert [(f.app, f.owner_file) for f in expansion.failures] == [("web", "apps/web.yaml")]
    assert "set controllerServiceAccount.name" in expansion.failures[0].message
    assert objects(expansion) == {}


def test_a_chart_found_nowhere_is_a_note_not_a_failure(tmp_path: Path) -> None:
    expansion = expand(tmp_path, TREE)
    assert expansion.failures == [] and expansion.expanded == 0
    assert any("web: chart demo@1.0.0 not expanded: not found in" in n for n in expansion.notes)


def test_without_chart_folders_one_note_names_every_app(tmp_path: Path) -> None:
    expansion = expand(tmp_path, TREE, chart_dirs=())
    assert expansion.notes == [
        "1 chart sources not expanded (not in the chart cache, no chart folders given: "
        "--charts, HOMEGEN_CHARTS, or `homegen charts pull`): web"
    ]


def test_without_the_engine_expansion_is_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_chart(tmp_path / "charts")
    monkeypatch.setattr(stage_module, "_engine_id", lambda: None)
    expansion = expand(tmp_path, TREE)
    assert expansion.failures == [] and expansion.expanded == 0
    assert any("the 'charts' extra is not installed" in n for n in expansion.notes)


def test_an_unchanged_chart_with_unchanged_values_is_not_rendered_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_engine()
    demo_chart(tmp_path / "charts")
    first = expand(tmp_path, TREE)
    renders: list[str] = []
    real = stage_module.render_job
    monkeypatch.setattr(
        stage_module, "render_job", lambda job, *a: renders.append(job.app.name) or real(job, *a)
    )
    again = expand(tmp_path, TREE)
    assert renders == [] and again.cached == 1
    assert objects(again) == objects(first)
    changed = expand(tmp_path, {**TREE, "values/web.yaml": "replicas: 2\n"})
    assert renders == ["web"] and changed.cached == 0


def test_a_changed_chart_is_rendered_again(tmp_path: Path) -> None:
    need_engine()
    demo_chart(tmp_path / "charts")
    expand(tmp_path, TREE)
    demo_chart(
        tmp_path / "charts",
        **{"values.yaml": "replicas: 7\nimage: {repository: a, tag: b}\nservice: {port: 80}\n"},
    )
    again = expand(tmp_path, {**TREE, "values/web.yaml": "{}\n"})
    assert again.cached == 0
    assert objects(again)["Deployment/web"]["spec"]["replicas"] == 7  # type: ignore[index]


def test_an_application_set_expands_once_per_list_element(tmp_path: Path) -> None:
    need_engine()
    demo_chart(tmp_path / "charts")
    appset = """
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata: {name: webs, namespace: argocd}
        spec:
          goTemplate: true
          generators:
            - list:
                elements: [{name: a, replicas: "2"}, {name: b, replicas: "3"}]
          template:
            metadata: {name: "webs-{{ .name }}"}
            spec:
              project: default
              source:
                repoURL: https://charts.example.com
                chart: demo
                targetRevision: 1.0.0
                helm:
                  releaseName: "{{ .name }}"
                  parameters: [{name: replicas, value: "{{ .replicas }}"}]
              destination: {server: "https://kubernetes.default.svc", namespace: webs}
    """
    found = objects(expand(tmp_path, {"app-of-apps.yaml": ROOT_APP, "apps/webs.yaml": appset}))
    assert found["Deployment/a"]["spec"]["replicas"] == 2  # type: ignore[index]
    assert found["Deployment/b"]["spec"]["replicas"] == 3  # type: ignore[index]


KZ_APP = """
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata: {name: kz, namespace: argocd}
    spec:
      project: default
      source: {repoURL: "https://github.com/me/lab", targetRevision: main, path: tree/kz}
      destination: {server: "https://kubernetes.default.svc", namespace: kz}
"""


def need_kustomize() -> None:
    """Skip without kubectl or kustomize, except in CI (the machine image has kubectl)."""
    from homegen.expand.kustomize import kustomize_command

    if kustomize_command() is None:
        if os.environ.get("CI"):
            pytest.fail("kubectl is not installed")
        pytest.skip("neither kubectl nor kustomize is installed")


def test_a_kustomization_folder_is_built_instead_of_read(tmp_path: Path) -> None:
    need_kustomize()
    tree = {
        "app-of-apps.yaml": ROOT_APP,
        "apps/kz.yaml": KZ_APP,
        "kz/kustomization.yaml": "namePrefix: dev-\nresources: [cm.yaml]\n",
        "kz/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n",
    }
    expansion = expand(tmp_path, tree)
    assert list(objects(expansion)) == ["ConfigMap/dev-settings"]
    # the folder's own files are inputs now, not resources (kept, so the folder exists)
    kept = {d.file: d.skip for d in expansion.documents if d.file.startswith("kz/")}
    assert kept == {
        "kz/cm.yaml": "read by a kustomize build or a chart",
        "kz/kustomization.yaml": "",
    }


def test_a_failing_kustomization_is_a_failure(tmp_path: Path) -> None:
    need_kustomize()
    tree = {
        "app-of-apps.yaml": ROOT_APP,
        "apps/kz.yaml": KZ_APP,
        "kz/kustomization.yaml": "resources: [missing.yaml]\n",
    }
    failures = expand(tmp_path, tree).failures
    assert [(f.app, f.source) for f in failures] == [("kz", "kustomize:kz")]
    assert "missing.yaml" in failures[0].message


def test_after_a_fork_the_child_starts_its_own_engine_worker(tmp_path: Path) -> None:
    """render's validation process is forked from a parent whose engine worker is running:
    the child renders through a worker of its own, with the same result, and the parent's
    worker still answers afterwards."""
    need_engine()
    demo_chart(tmp_path / "charts")
    here = objects(expand(tmp_path, TREE, cache_dir=None))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        code = 1
        try:
            got = objects(expand(tmp_path, TREE, cache_dir=None))
            os.write(write_end, json.dumps(got, sort_keys=True).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    assert os.waitpid(pid, 0)[1] == 0
    assert json.loads(data) == json.loads(json.dumps(here, sort_keys=True))
    failing = expand(tmp_path, {**TREE, "values/web.yaml": "failWith: from the worker\n"})
    assert "from the worker" in failing.failures[0].message


PLUGIN_APP = KZ_APP.replace("path: tree/kz}", "path: tree/kz, plugin: {name: sops}}")
KZ_OPTIONS_APP = KZ_APP.replace(
    "path: tree/kz}", "path: tree/kz, kustomize: {namePrefix: prod-, version: v5}}"
)


@pytest.mark.parametrize(
    ("app", "note"),
    [
        (PLUGIN_APP, "kz: source tree/kz: config management plugin sops not expanded"),
        (
            KZ_OPTIONS_APP,
            "kz: source tree/kz: Application kustomize options not applied: namePrefix",
        ),
    ],
    ids=["plugin", "kustomize-options"],
)
def test_what_argocd_would_do_and_homegen_does_not_is_a_note(
    tmp_path: Path, app: str, note: str
) -> None:
    """A plugin or an Application's kustomize options change what ArgoCD applies: never silent."""
    tree = {
        "app-of-apps.yaml": ROOT_APP,
        "apps/kz.yaml": app,
        "kz/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n",
    }
    expansion = expand(tmp_path, tree)
    assert [n for n in expansion.notes if n.startswith("kz:")] == [
        note + (": homegen cannot run plugins" if "plugin" in note else "")
    ]


def test_helm_file_parameters_are_a_note(tmp_path: Path) -> None:
    app = chart_app(helm=("fileParameters: [{name: cfg, path: cfg.txt}]",))
    expansion = expand(tmp_path, {**TREE, "apps/web.yaml": app}, chart_dirs=())
    assert "web: source demo: helm.fileParameters not applied" in expansion.notes


@pytest.mark.parametrize("prefix", [None, "rendered", "elsewhere"])
def test_the_plans_index_places_the_tree_as_the_whole_index_does(prefix: str | None) -> None:
    """The plan indexes only the apps and where the tree sits (no ownership): the repository,
    the tree's path in it and the likely root must be those of the whole index, with the
    prefix given, derived, or given wrong."""
    from homegen.expand.sources import _objects, plan_expansion
    from homegen.validate.reader.tree import build_tree

    docs = load_tree(Path(__file__).resolve().parents[2] / "rendered")
    _plan, light = plan_expansion(docs, prefix)
    whole = build_tree(docs, _objects(docs), repo_prefix=prefix)
    assert light.repo_url and light.repo_url == whole.repo_url
    assert light.repo_prefix == whole.repo_prefix
    assert light.root_app is not None and whole.root_app is not None
    assert light.root_app.doc.file == whole.root_app.doc.file == "app-of-apps.yaml"
    assert [a.name for a in light.kind("Application")] == [
        a.name for a in whole.kind("Application")
    ]
