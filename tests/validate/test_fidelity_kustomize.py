"""Issue 24, class 1: what Kustomize builds is kept, checked by every rule, and the
Applications it lists are the ones ArgoCD creates."""

from __future__ import annotations

from pathlib import Path

from fidelity_trees import (
    app_names,
    config_map,
    findings,
    lab_app,
    need_kustomize,
    rules_at,
    run,
)

from homegen.expand.kustomize_errors import kustomize_message

KUSTOMIZED_APPS = {
    "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
    "apps/kustomization.yaml": "resources: [web.yaml]\n",
    "apps/web.yaml": lab_app("web", "web", "web"),
    "apps/old.yaml": lab_app("old", "old", "old"),  # no kustomization lists it
    "web/cm.yaml": config_map("cfg"),
}

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.25"}]
"""


def test_an_application_listed_in_a_kustomization_is_listed(tmp_path: Path) -> None:
    need_kustomize()
    # old.yaml lies in the folder but the kustomization does not list it: ArgoCD never
    # creates it
    assert app_names(tmp_path, KUSTOMIZED_APPS) == ["root", "web"]


def test_its_folder_is_synced_not_an_orphan(tmp_path: Path) -> None:
    need_kustomize()
    found = rules_at(tmp_path, KUSTOMIZED_APPS)
    assert ("HG222", "web/cm.yaml") not in found
    # the file the kustomization does not list is no input of its build: an Application
    # file nothing creates, as without a build (test_fidelity_roots)
    assert {(rule, file) for rule, file in found if rule in ("HG203", "HG222")} == {
        ("HG203", "apps/old.yaml")
    }


def test_an_unlisted_application_file_is_an_application_nothing_creates(tmp_path: Path) -> None:
    """The file is no input of the build (it reads only what it lists): ArgoCD never creates
    the Application, which is HG203 on it (a file forgotten in the kustomization, or dead),
    as without a build; its folder is reported there, not again as orphans."""
    need_kustomize()
    files = {**KUSTOMIZED_APPS, "old/cm.yaml": config_map("old")}
    found = rules_at(tmp_path, files)
    assert ("HG203", "apps/old.yaml") in found
    assert ("HG222", "old/cm.yaml") not in found
    assert "old" not in app_names(tmp_path, files)


def test_a_kustomize_build_goes_through_the_hardening_rules(tmp_path: Path) -> None:
    """Kustomize output is the user's own manifests: the checklist applies, at the file the
    object was written in."""
    need_kustomize()
    files = {
        **KUSTOMIZED_APPS,
        "web/kustomization.yaml": "resources: [cm.yaml, deploy.yaml]\n",
        "web/deploy.yaml": DEPLOYMENT,
    }
    found = rules_at(tmp_path, files)
    assert ("HG301", "apps/web.yaml::web/web/deploy.yaml") in found
    assert ("HG317", "apps/web.yaml::web/web/deploy.yaml") in found


def test_a_built_object_defined_in_two_files_names_the_kustomization(tmp_path: Path) -> None:
    need_kustomize()
    files = {
        **KUSTOMIZED_APPS,
        "web/kustomization.yaml": "resources: [a, b]\n",
        "web/a/kustomization.yaml": "namespace: a\nresources: [deploy.yaml]\n",
        "web/a/deploy.yaml": DEPLOYMENT,
        "web/b/kustomization.yaml": "namespace: b\nresources: [deploy.yaml]\n",
        "web/b/deploy.yaml": DEPLOYMENT,
    }
    files.pop("web/cm.yaml")
    found = rules_at(tmp_path, files)
    assert ("HG301", "apps/web.yaml::web/web/kustomization.yaml") in found


def test_helm_charts_of_a_kustomization_are_not_built_and_said_so(tmp_path: Path) -> None:
    """kustomize.buildOptions --enable-helm is ArgoCD's to set: homegen does not inflate
    helmCharts yet, which is a note and a line of coverage, not an HG130."""
    need_kustomize()
    files = {
        **KUSTOMIZED_APPS,
        "web/kustomization.yaml": (
            "resources: [cm.yaml]\n"
            "helmCharts: [{name: x, repo: 'https://charts.example.com', version: 1.0.0}]\n"
        ),
    }
    files.pop("apps/old.yaml")
    result = run(tmp_path, files)
    assert result.exit_code == 0, result.output
    assert "HG130" not in result.stdout
    assert "not expanded: web (kustomize:web: helmCharts not inflated)" in result.stdout


def test_kubectls_klog_prefix_and_generator_config_are_dropped() -> None:
    stderr = (
        'E1207 11:36:25.270272   19204 run.go:72] "command failed" err=<\n'
        "\ttrouble configuring builtin HelmChartInflationGenerator with config: `\n"
        "\tname: x\n\trepo: https://example.com\n\t`: must specify --enable-helm\n >\n"
    )
    assert kustomize_message(stderr) == (
        "trouble configuring builtin HelmChartInflationGenerator with its config: "
        "must specify --enable-helm"
    )
    plain = 'E1207 11:36:25.572347   19212 run.go:72] "command failed" err="accumulating: x"'
    assert kustomize_message(plain) == "accumulating: x"


def test_a_kustomization_that_fails_on_its_own_names_itself_in_the_fix(tmp_path: Path) -> None:
    """A JSON patch without ``value:`` (a real repository's): HG130 tells to fix the
    kustomization, not an app's values."""
    need_kustomize()
    files = {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/web.yaml": lab_app("web", "web", "web"),
        "web/kustomization.yaml": (
            "resources: [cm.yaml]\npatches:\n  - target: {kind: ConfigMap}\n"
            "    patch: |-\n      - {op: replace, path: /metadata/name}\n"
        ),
        "web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: web}\n",
    }
    found = [f for f in findings(tmp_path / "tree", files) if f["rule"] == "HG130"]
    assert [f["fix"] for f in found] == [
        "fix the kustomization the message names (the message is kustomize's own)"
    ], found
