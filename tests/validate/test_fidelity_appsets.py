"""Issue 24, class 4: the templatePatch idiom ``source: null`` beside ``sources:`` gives a
generated Application with no ``source`` at all, as the controller's typed object has none."""

from __future__ import annotations

from pathlib import Path

import yaml
from fidelity_trees import LAB, config_map, rules_at

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
