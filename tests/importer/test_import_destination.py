"""An Application with no destination namespace (its objects name their own, or are
cluster-scoped) imports as destination_namespace = false and renders back exactly (issue 25)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml
from importer_trees import REPO, app_yaml, import_and_render, report_lines, root_app, write_tree
from test_import_trees import APPSET

ROLE = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\n"
CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gw\n  namespace: edge\n"


def _no_destination_namespace(text: str, create: bool) -> str:
    """The Application as the owner wrote it: no namespace, with or without CreateNamespace."""
    text = text.replace("    namespace: bundle\n", "", 1)
    if create:
        return text
    return text.replace("    syncOptions:\n      - CreateNamespace=true\n", "", 1)


@pytest.mark.parametrize("create", [False, True])
def test_an_app_without_a_destination_namespace_renders_back_exactly(
    tmp_path: Path, create: bool
) -> None:
    """CreateNamespace=true beside no namespace (an ArgoCD no-op) comes back too, as home.io has."""
    source = f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: bundle"
    app = _no_destination_namespace(app_yaml("bundle", source, "bundle"), create)
    assert ("CreateNamespace=true" in app) is create
    assert "namespace: bundle" not in app
    tree = write_tree(
        tmp_path / "tree",
        {
            "root.yaml": root_app("apps"),
            "apps/bundle.yaml": app,
            "bundle/role.yaml": ROLE,
            "bundle/config.yaml": CONFIG,
        },
    )
    comparison, text, stdout = import_and_render(tmp_path, tree)
    table = tomllib.loads(text)["apps"]["bundle"]
    assert table["destination_namespace"] is False
    assert table["manage_namespace"] is False
    assert table.get("application", {}).get("create_namespace", True) is create
    rendered = yaml.safe_load((tmp_path / "OUT" / "apps" / "bundle.yaml").read_text())
    assert rendered["spec"]["destination"] == {"server": "https://kubernetes.default.svc"}
    assert not (tmp_path / "OUT" / "bundle" / "namespace.yaml").exists()
    assert ("CreateNamespace=true" in str(rendered["spec"]["syncPolicy"])) is create
    lost = [x for x in report_lines(stdout) if x["kind"] == "not-expressed"]
    assert not [x for x in lost if "destination" in str(x["message"]) + str(x["subject"])], lost
    assert comparison.missing == []
    assert sorted(comparison.reproduced) == [
        "Application/argocd/bundle",
        "ClusterRole/reader",
        "ConfigMap/edge/gw",
    ]


def test_an_applicationset_template_without_one_renders_back_exactly(tmp_path: Path) -> None:
    appset = APPSET.replace("        namespace: runners\n", "", 1)
    assert appset != APPSET
    tree = write_tree(
        tmp_path / "tree", {"root.yaml": root_app("apps"), "apps/runners.yaml": appset}
    )
    comparison, text, _ = import_and_render(tmp_path, tree)
    assert tomllib.loads(text)["apps"]["runners"]["destination_namespace"] is False
    rendered = yaml.safe_load((tmp_path / "OUT" / "apps" / "runners.yaml").read_text())
    destination = rendered["spec"]["template"]["spec"]["destination"]
    assert destination == {"server": "https://kubernetes.default.svc"}
    assert "ApplicationSet/argocd/runners" in comparison.reproduced, comparison.missing
