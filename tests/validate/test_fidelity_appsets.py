"""Issue 24, class 4: the templatePatch idiom ``source: null`` beside ``sources:`` gives a
generated Application with no ``source`` at all, as the controller's typed object has none."""

from __future__ import annotations

from pathlib import Path

import yaml
from fidelity_trees import LAB, config_map, lab_app, rules_at

from homegen.appsets import generate_applications

APPSET = f"""\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {{name: apps, namespace: argocd}}
spec:
  goTemplate: true
  generators: [{{list: {{elements: [{{name: web}}]}}}}]
  template:
    metadata: {{name: "{{{{ .name }}}}"}}
    spec:
      project: default
      source: {{repoURL: {LAB}, targetRevision: HEAD, path: "{{{{ .name }}}}"}}
      destination: {{server: "https://kubernetes.default.svc", namespace: "{{{{ .name }}}}"}}
  templatePatch: |
    spec:
      source: null
      sources:
        - {{repoURL: {LAB}, targetRevision: HEAD, path: "{{{{ .name }}}}"}}
"""


def test_a_null_from_the_patch_is_no_field() -> None:
    spec = generate_applications(yaml.safe_load(APPSET), None).apps[0].app["spec"]
    assert "source" not in spec
    assert spec["sources"][0]["path"] == "web"


def test_no_schema_error_on_the_generated_application(tmp_path: Path) -> None:
    files = {"app-of-apps.yaml": APPSET, "web/cm.yaml": config_map("cfg")}
    found = rules_at(tmp_path, files)
    assert not {rule for rule, _file in found} & {"HG104", "HG222"}


def _literal_set(elements: str) -> str:
    """An ApplicationSet whose template syncs the literal path ``extra``."""
    return (
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\n"
        "metadata: {name: extras, namespace: argocd}\n"
        f"spec:\n  generators: [{{list: {{elements: {elements}}}}}]\n"
        "  template:\n    metadata: {name: 'extra-{{name}}'}\n    spec:\n      project: default\n"
        f"      source: {{repoURL: '{LAB}', targetRevision: HEAD, path: extra}}\n"
        "      destination: {server: 'https://kubernetes.default.svc', namespace: extra}\n"
    )


def test_a_template_path_is_synced_only_through_the_apps_it_generates(tmp_path: Path) -> None:
    root = {"app-of-apps.yaml": lab_app("root", "apps", "argocd")}
    files = {
        **root,
        "apps/extras.yaml": _literal_set("[{name: a}]"),
        "extra/cm.yaml": config_map("c"),
    }
    found = rules_at(tmp_path, files)
    assert ("HG222", "extra/cm.yaml") not in found
    # no element, no Application: ArgoCD syncs nothing of extra/
    files["apps/extras.yaml"] = _literal_set("[]")
    found = rules_at(tmp_path, files)
    assert ("HG222", "extra/cm.yaml") in found
    assert ("HG203", "apps/extras.yaml") not in found  # the set itself is synced by the root
