"""HG223: an ApplicationSet whose generated apps all sync one fixed folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from homegen.cli import app

runner = CliRunner()


def _validate(tree: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", str(tree)])
    return result.exit_code, result.stdout


def test_fixed_path_in_a_set_template_is_flagged(repo_root: Path, tmp_path: Path) -> None:
    tree = tmp_path / "rendered"
    shutil.copytree(repo_root / "rendered", tree)
    assert _validate(tree)[0] == 0
    appset = tree / "apps" / "arc-runners.yaml"
    text = appset.read_text()
    shared = (
        '        - repoURL: "https://github.com/TechDufus/home.io"\n'
        '          targetRevision: "main"\n'
        '          path: "kubernetes/argocd/manifests/cloudflared"\n'
    )
    text = text.replace("      destination:\n", shared + "      destination:\n", 1)
    appset.write_text(text)
    code, out = _validate(tree)
    assert code == 1
    assert "HG223" in out
    assert "2 generated Applications all sync" in out
