"""Issue 24, class 3: argocd-cm's ``kustomize.buildOptions`` and a kustomization's
``helmCharts:``, inflated by homegen's own chart sources and engine (no helm binary)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fidelity_trees import lab_app, need_kustomize, rules_at, run
from validate_trees import write_tree

from homegen.expand import ExpandSettings, expand_tree
from homegen.validate.reader.documents import load_tree
from tools import requires_extra

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: '{{ .Release.Name }}-pod', labels: {image: '{{ .Values.tag }}'}}
spec:
  containers:
    - {name: main, image: 'nginx:{{ .Values.tag }}', securityContext: {privileged: true}}
"""
NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {pod-security.kubernetes.io/enforce: restricted}}
"""
POD_FILE = "apps/web.yaml::web/tiny/templates/pod.yaml"
TINY = {
    "Chart.yaml": "apiVersion: v2\nname: tiny\nversion: 0.1.0\n",
    "values.yaml": "tag: '1.25'\n",
    "templates/pod.yaml": POD,
}


def argocd_cm(options: str) -> str:
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cm, namespace: argocd}\n"
        f"data: {{kustomize.buildOptions: '{options}'}}\n"
    )


def lab(options: str | None, chart: str = "repo: https://charts.example.test, version: 0.1.0"):
    """root → apps/ (web, argocd) ; web/ a kustomization with one helmChart."""
    files = {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/web.yaml": lab_app("web", "web", "web"),
        "web/kustomization.yaml": (
            f"resources: [ns.yaml]\nhelmCharts:\n  - {{name: tiny, {chart}, releaseName: tiny,\n"
            "     valuesInline: {tag: '1.27'}}\n"
        ),
        "web/ns.yaml": NAMESPACE,
    }
    if options is not None:
        files["apps/argocd.yaml"] = lab_app("argocd", "argocd", "argocd")
        files["argocd/argocd-cm.yaml"] = argocd_cm(options)
    return files


@pytest.fixture
def charts(tmp_path: Path) -> Path:
    """A --charts folder holding tiny 0.1.0 (kept apart from the tree)."""
    requires_extra("charts")
    need_kustomize()
    folder = tmp_path / "charts"
    write_tree(folder / "tiny-0.1.0", TINY)
    return folder


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
        for p in sorted(root.rglob("*"))
    }


def test_helm_charts_are_inflated_and_checked_with_the_app(tmp_path: Path, charts: Path) -> None:
    tree = tmp_path / "tree"
    found = rules_at(tree, lab("--enable-helm"), "--charts", str(charts))
    # the chart's Pod, inflated by the kustomization of web, meets its namespace's Pod
    # Security admission, named by its template; as a chart's object (as from a Helm source)
    # it is not held to homegen's hardening checklist, which is for the user's own manifests
    assert ("HG321", POD_FILE) in found
    assert not {rule for rule, _file in found} & {"HG130", "HG222", "HG308"}


def test_inflation_writes_nothing_into_the_tree(tmp_path: Path, charts: Path) -> None:
    tree = tmp_path / "tree"
    write_tree(tree, lab("--enable-helm"))
    before = snapshot(tree)
    result = run(tree, {}, "--charts", str(charts))
    assert result.exit_code == 1, result.output
    assert snapshot(tree) == before  # kustomize pulled into a copy's charts/, not web/charts/


def test_coverage_and_the_objects_show_the_app_expanded(tmp_path: Path, charts: Path) -> None:
    tree = tmp_path / "tree"
    result = run(tree, lab("--enable-helm"), "--charts", str(charts), "--output", "json")
    report = json.loads(result.stdout)
    pods = [r for r in report["resources"] if r["object"] == "Pod/web/tiny-pod"]
    assert pods, result.stdout
    text = run(tree, {}, "--charts", str(charts)).stdout
    assert "coverage: 3 of 3 Applications expanded" in text, text
    assert "not expanded" not in text


def test_inline_values_reach_the_chart(tmp_path: Path, charts: Path) -> None:
    write_tree(tmp_path / "tree", lab("--enable-helm"))
    docs = load_tree(tmp_path / "tree")
    settings = ExpandSettings(tree_root=tmp_path / "tree", chart_dirs=(charts,))
    expansion = expand_tree(docs, settings)
    docs = [d for d in expansion.documents if d.obj.get("kind") == "Pod"]
    pods = [d.obj for d in docs]
    assert [p["spec"]["containers"][0]["image"] for p in pods] == ["nginx:1.27"]
    # the shim's mark is taken off: the object is what ArgoCD applies
    assert pods[0]["metadata"] == {
        "name": "tiny-pod", "labels": {"image": "1.27"}, "namespace": "web"
    }  # fmt: skip
    origin = docs[0].origin
    assert origin is not None and origin.chart and origin.template == "tiny/templates/pod.yaml"
    assert origin.source == "tiny (kustomize:web helmCharts)"


def test_a_chart_in_the_chart_home_of_the_tree_is_used(tmp_path: Path, charts: Path) -> None:
    """No repo: kustomize takes the chart from the kustomization's charts/ (a copy of it)."""
    files = lab("--enable-helm", chart="version: 0.1.0")
    files.update({f"web/charts/tiny/{name}": text for name, text in TINY.items()})
    found = rules_at(tmp_path / "tree", files)
    assert ("HG321", POD_FILE) in found


def test_a_chart_not_available_offline_is_a_note(tmp_path: Path, charts: Path) -> None:
    files = lab("--enable-helm", chart="repo: https://charts.example.test, version: 9.9.9")
    result = run(tmp_path / "tree", files, "--charts", str(charts))
    assert result.exit_code == 0, result.output
    assert "web: kustomize:web not built: needs https://charts.example.test tiny@9.9.9" in (
        result.output
    )
    assert "not expanded: web (kustomize:web not built: needs network)" in result.stdout
    assert "HG130" not in result.output


def test_the_namespace_of_a_chart_not_built_is_incomplete(tmp_path: Path, charts: Path) -> None:
    files = lab("--enable-helm", chart="repo: https://charts.example.test, version: 9.9.9")
    write_tree(tmp_path / "tree", files)
    settings = ExpandSettings(tree_root=tmp_path / "tree", chart_dirs=(charts,))
    expansion = expand_tree(load_tree(tmp_path / "tree"), settings)
    assert "web" in expansion.incomplete and "web" in expansion.skipped


def test_an_unsafe_flag_is_noted_and_the_build_goes_on(tmp_path: Path, charts: Path) -> None:
    result = run(tmp_path / "tree", lab("--enable-exec --enable-helm"), "--charts", str(charts))
    assert (
        "argocd-cm (argocd/argocd-cm.yaml) kustomize.buildOptions: --enable-exec not honoured"
    ) in result.output
    assert "HG321" in result.stdout


def test_without_build_options_the_charts_stay_a_note(tmp_path: Path, charts: Path) -> None:
    result = run(tmp_path / "tree", lab(None), "--charts", str(charts))
    assert result.exit_code == 0, result.output
    assert "not expanded: web (kustomize:web: helmCharts not inflated)" in result.stdout


def test_an_absolute_path_is_never_read_with_the_helm_build(tmp_path: Path, charts: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("tag: stolen-marker\n")
    files = lab("--enable-helm")
    files["web/kustomization.yaml"] = files["web/kustomization.yaml"].replace(
        "releaseName: tiny,", f"releaseName: tiny, additionalValuesFiles: ['{secret}'],"
    )
    result = run(tmp_path / "tree", files, "--charts", str(charts))
    assert "stolen-marker" not in result.output
    assert f"not built: {secret} is an absolute path" in result.stdout


def test_load_restrictor_none_reads_above_the_folder_inside_the_root(tmp_path: Path) -> None:
    need_kustomize()
    files = {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/web.yaml": lab_app("web", "web", "web"),
        "apps/argocd.yaml": lab_app("argocd", "argocd", "argocd"),
        "argocd/argocd-cm.yaml": argocd_cm("--load-restrictor LoadRestrictionsNone"),
        "web/kustomization.yaml": (
            "configMapGenerator:\n  - {name: cfg, files: [../shared/a.txt]}\n"
        ),
        "shared/a.txt": "hello\n",
    }
    result = run(tmp_path / "tree", files)
    assert "HG130" not in result.stdout, result.stdout
    assert "coverage: 3 of 3 Applications expanded" in result.stdout


def test_the_real_traefik_chart_inflates(tmp_path: Path, shared: Path) -> None:
    requires_extra("charts")
    need_kustomize()
    files = lab("--enable-helm", chart="repo: https://traefik.github.io/charts, version: 34.0.0")
    files["web/kustomization.yaml"] = (
        "helmCharts:\n  - {name: traefik, repo: 'https://traefik.github.io/charts', "
        "version: 34.0.0, releaseName: traefik, namespace: web, includeCRDs: true}\n"
    )
    write_tree(tmp_path / "tree", files)
    settings = ExpandSettings(tree_root=tmp_path / "tree", chart_dirs=(shared / "charts",))
    expansion = expand_tree(load_tree(tmp_path / "tree"), settings)
    assert not expansion.failures and not expansion.skipped, expansion.notes
    built = [d.obj for d in expansion.documents if d.origin is not None]
    kinds = {(o["kind"], o["metadata"].get("namespace")) for o in built}
    assert ("Deployment", "web") in kinds and ("Service", "web") in kinds
    assert ("CustomResourceDefinition", None) in kinds  # includeCRDs


LOOP = "{{- range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\n"


def test_a_chart_that_loops_is_stopped_at_the_engine_time_limit(
    tmp_path: Path, charts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine's limits hold for helmCharts as for Helm sources: a finding, no hang."""
    (charts / "tiny-0.1.0" / "templates" / "loop.yaml").write_text(LOOP)
    monkeypatch.setenv("HOMEGEN_ENGINE_TIMEOUT", "1.5")
    result = run(tmp_path / "tree", lab("--enable-helm"), "--charts", str(charts))
    assert result.exit_code == 1, result.output
    line = next(x for x in result.stdout.splitlines() if "HG130" in x)
    assert "kustomize:web: helm template: " in line and "took longer than 1.5 s" in line, line


def test_the_copy_holds_a_base_and_a_patch_from_other_folders(tmp_path: Path, charts: Path) -> None:
    """The copy keeps the repository's layout: ../base and (with LoadRestrictionsNone, as
    ArgoCD would build it) ../patches/ still meet."""
    files = lab("--enable-helm --load-restrictor LoadRestrictionsNone")
    files["web/kustomization.yaml"] = files["web/kustomization.yaml"].replace(
        "resources: [ns.yaml]",
        "resources: [ns.yaml, ../base]\npatches: [{path: ../patches/cm.yaml}]",
    )
    files["base/kustomization.yaml"] = "resources: [cm.yaml]\n"
    files["base/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: base}\n"
    files["patches/cm.yaml"] = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: base}\ndata: {patched: 'yes'}\n"
    )
    write_tree(tmp_path / "tree", files)
    settings = ExpandSettings(tree_root=tmp_path / "tree", chart_dirs=(charts,))
    expansion = expand_tree(load_tree(tmp_path / "tree"), settings)
    assert not expansion.failures, expansion.failures
    built = {d.obj["metadata"]["name"]: d.obj for d in expansion.documents if d.origin}
    assert built["base"]["data"] == {"patched": "yes"} and "tiny-pod" in built


def test_argocd_from_helm_charts_sets_the_options_in_its_values(
    tmp_path: Path, charts: Path
) -> None:
    """ArgoCD itself installed by helmCharts: argocd-cm is the chart's, made from the values'
    configs.cm; its kustomize.buildOptions inflate web's chart, and the argo-cd chart, not
    available offline, is a note."""
    files = lab(None)
    files["apps/argocd.yaml"] = lab_app("argocd", "argocd", "argocd")
    files["argocd/kustomization.yaml"] = (
        "helmCharts:\n  - {name: argo-cd, repo: https://argoproj.github.io/argo-helm,\n"
        "     version: 9.5.15, releaseName: argocd, valuesFile: values.yaml}\n"
    )
    files["argocd/values.yaml"] = "configs:\n  cm:\n    kustomize.buildOptions: --enable-helm\n"
    result = run(tmp_path / "tree", files, "--charts", str(charts))
    assert result.exit_code == 1, result.output
    assert ("HG321", POD_FILE) in rules_at(tmp_path / "tree", {}, "--charts", str(charts))
    needs = "argocd: kustomize:argocd not built: needs https://argoproj.github.io/argo-helm"
    assert f"{needs} argo-cd@9.5.15" in result.output
    assert "coverage: 2 of 3 Applications expanded" in result.stdout
    assert "HG130" not in result.output and "helmCharts not inflated" not in result.output


def test_helm_charts_in_a_deep_base_without_options_are_a_note(
    tmp_path: Path, charts: Path
) -> None:
    """kustomize's message for a base two folders down runs past the cut (600 characters):
    still "helmCharts not inflated", never HG130."""
    files = lab(None)
    deep = "web/" + "a" * 70 + "/" + "b" * 70
    files["web/kustomization.yaml"] = f"resources: [ns.yaml, {'a' * 70}]\n"
    files[deep.rsplit("/", 1)[0] + "/kustomization.yaml"] = f"resources: [{'b' * 70}]\n"
    files[deep + "/kustomization.yaml"] = (
        "helmCharts:\n  - {name: tiny, repo: https://charts.example.test, version: 0.1.0}\n"
    )
    result = run(tmp_path / "tree", files, "--charts", str(charts))
    assert "HG130" not in result.output
    assert "not expanded: web (kustomize:web: helmCharts not inflated)" in result.stdout
