"""Each issue-15 fix of the shipped homelab, undone: render refuses, naming the right app."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from homegen.cli import app

runner = CliRunner()


def render(folder: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        ["render", "--config", str(folder / "services.toml"), "--out", str(folder / "r"), *extra],
    )
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stderr


def cut(text: str, start: str, end: str) -> str:
    """text without the part from ``start`` up to (not including) ``end``."""
    a = text.index(start)
    return text[:a] + text[text.index(end, a + len(start)) :]


MUTATIONS = {
    # point 1: Traefik's crds/ and gateway-api-crds both install the Gateway API CRDs
    "traefik-without-skip-crds": (
        lambda t: t.replace(', skip_crds = true }', " }"),
        "HG250",
        ["r/apps/traefik.yaml", "r/apps/gateway-api-crds.yaml"],
    ),
    # point 2: the listener pod in arc-systems (restricted) without a securityContext
    "listener-template-removed": (
        lambda t: cut(t, "[apps.arc-runners.values.listenerTemplate.spec]", "[apps.arc-runners."
                      "pod_security]"),
        "HG253",
        ["r/apps/arc-runners.yaml"],
    ),
    # point 3: homarr's claim names local-path, which only local-path-provisioner provides
    "local-path-storage-class-removed": (
        lambda t: cut(
            t,
            '[[apps.local-path-provisioner.objects]]\napiVersion = "storage.k8s.io/v1"',
            "[[apps.local-path-provisioner.objects]]\napiVersion = \"v1\"",
        ),
        "HG252",
        ["r/apps/homarr.yaml"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_undoing_a_fix_is_refused_at_the_app(homelab: Path, name: str) -> None:
    mutate, rule, files = MUTATIONS[name]
    config = homelab / "services.toml"
    text = config.read_text(encoding="utf-8")
    changed = mutate(text)
    assert changed != text
    config.write_text(changed, encoding="utf-8")
    code, err = render(homelab)
    assert code == 1, err
    assert "nothing was written" in err
    lines = [line for line in err.splitlines() if f" {rule} " in line]
    assert lines, err
    prefix = f"{homelab}/"
    assert {line.split(":")[0].removeprefix(prefix) for line in lines} == set(files)
    assert not (homelab / "r").exists()


def test_declaring_the_class_instead_is_accepted(homelab: Path) -> None:
    config = homelab / "services.toml"
    mutate = MUTATIONS["local-path-storage-class-removed"][0]
    text = mutate(config.read_text(encoding="utf-8"))
    text = text.replace('domain = "lab.techdufus.com"\n', 'domain = "lab.techdufus.com"\n'
                        'storage_classes = ["local-path"]\n', 1)  # fmt: skip
    config.write_text(text, encoding="utf-8")
    code, err = render(homelab)
    assert code == 0, err


def test_validate_storage_class_option(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "apps").mkdir(parents=True)
    (tree / "manifests" / "data").mkdir(parents=True)
    (tree / "app-of-apps.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: root, "
        "namespace: argocd}\nspec:\n  project: default\n  source: {repoURL: https://g/x, "
        "targetRevision: main, path: apps}\n  destination: {server: "
        "https://kubernetes.default.svc, namespace: argocd}\n",
        encoding="utf-8",
    )
    (tree / "apps" / "data.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: data, "
        "namespace: argocd}\nspec:\n  project: default\n  source: {repoURL: https://g/x, "
        "targetRevision: main, path: manifests/data}\n  destination: {server: "
        "https://kubernetes.default.svc, namespace: data}\n",
        encoding="utf-8",
    )
    (tree / "manifests" / "data" / "pvc.yaml").write_text(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d, namespace: data}\n"
        "spec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: nfs\n"
        "  resources: {requests: {storage: 1Gi}}\n",
        encoding="utf-8",
    )
    base = ["validate", str(tree), "--ignore-missing-schemas", "--output", "json"]
    missing = runner.invoke(app, base)
    assert '"HG252"' in missing.stdout
    declared = runner.invoke(app, [*base, "--storage-class", "nfs"])
    assert '"HG252"' not in declared.stdout
