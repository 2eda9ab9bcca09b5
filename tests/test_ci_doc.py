"""docs/ci.md: the GitHub Actions workflow's homegen steps, run as written (issue 7)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

DOC = Path(__file__).resolve().parents[1] / "docs" / "ci.md"
NEW_SERVICE = """
[services.whoami]
image = "traefik/whoami:v1.10.3"
port = 8080
route = { path = "/whoami" }
"""


def workflow() -> dict[str, Any]:
    """The workflow YAML embedded in docs/ci.md."""
    match = re.search(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, "docs/ci.md has no ```yaml block"
    loaded = yaml.safe_load(match[1])
    assert isinstance(loaded, dict)
    return loaded


def job() -> dict[str, Any]:
    jobs = workflow()["jobs"]
    assert list(jobs) == ["homegen"]
    return dict(jobs["homegen"])


def homegen_steps() -> list[str]:
    """The `run:` commands of the workflow that call homegen (not the install)."""
    return [s["run"] for s in job()["steps"] if str(s.get("run", "")).startswith("homegen ")]


def test_workflow_installs_homegen_and_runs_check_and_validate() -> None:
    steps = job()["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses == ["actions/checkout@v4", "actions/setup-python@v5"]
    installs = [s["run"] for s in steps if "pip install" in str(s.get("run", ""))]
    assert len(installs) == 1 and "homegen @ git+https://" in installs[0]
    assert homegen_steps() == [
        'homegen render --check --diff --out "$TREE"',
        'homegen validate "$TREE" --output github',
    ]


class Repo:
    """A throwaway homelab repository; runs shell commands in it the way CI would."""

    def __init__(self, root: Path) -> None:
        self.root = root
        bin_dir = str(Path(sys.executable).parent)  # the homegen under test, like `pip install`
        self.env = {
            **os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"],
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@example.com",
            "GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@example.com",
            **{k: str(v) for k, v in job().get("env", {}).items()},
        }  # fmt: skip

    def sh(self, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", command], cwd=self.root, env=self.env,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    def ci(self) -> list[subprocess.CompletedProcess[str]]:
        """Every homegen step of the workflow, in order (CI stops at the first failure)."""
        results = []
        for step in homegen_steps():
            results.append(self.sh(step))
            if results[-1].returncode != 0:
                break
        return results

    def commit(self, message: str) -> None:
        result = self.sh(f"git add -A && git commit -q -m '{message}'")
        assert result.returncode == 0, result.stderr


@pytest.fixture
def repo(tmp_path: Path, repo_root: Path) -> Repo:
    """A homelab repo with services.toml and its rendered tree committed."""
    shutil.copy(repo_root / "services.toml", tmp_path / "services.toml")
    shutil.copytree(repo_root / "rendered", tmp_path / "rendered")
    made = Repo(tmp_path)
    assert made.sh("git init -q -b main").returncode == 0
    made.commit("homelab")
    return made


def test_current_tree_passes_both_steps(repo: Repo) -> None:
    results = repo.ci()
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert results[0].stdout == ""  # no diff
    assert "::error" not in results[1].stdout


def test_new_service_not_rendered_fails_where_git_diff_passes(repo: Repo) -> None:
    with (repo.root / "services.toml").open("a", encoding="utf-8") as config:
        config.write(NEW_SERVICE)
    repo.commit("add whoami, forgot to render")
    (check,) = repo.ci()
    assert check.returncode == 1
    assert "would create rendered/manifests/whoami/deployment.yaml" in check.stderr
    assert "would create rendered/apps/whoami.yaml" in check.stderr
    assert "+++ b/rendered/manifests/whoami/deployment.yaml" in check.stdout
    # The naive check: render, then ask git. The new files are untracked: git diff lists none
    # of them, only homegen's ledger; restricted to the manifests it passes.
    assert repo.sh("homegen render").returncode == 0
    assert repo.sh("git diff --name-only").stdout.split() == ["rendered/.homegen-ledger"]
    assert repo.sh("git diff --exit-code -- '*.yaml'").returncode == 0
    assert "whoami" in repo.sh("git status --porcelain").stdout  # … yet the files are new
    repo.commit("render")
    assert [r.returncode for r in repo.ci()] == [0, 0]


def test_removed_app_still_in_tree_fails(repo: Repo) -> None:
    config = repo.root / "services.toml"
    text = config.read_text(encoding="utf-8")
    start, end = text.index("[apps.metrics-server]"), text.index("[apps.actions-runner-controller]")
    config.write_text(text[:start] + text[end:], encoding="utf-8")
    repo.commit("drop metrics-server, forgot to render")
    (check,) = repo.ci()
    assert check.returncode == 1
    assert "would delete rendered/apps/metrics-server.yaml" in check.stderr
    assert "would delete rendered/values/metrics-server.yaml" in check.stderr


def test_broken_config_is_a_usage_error(repo: Repo) -> None:
    config = repo.root / "services.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[services.x]\nport = 1\n")
    (check,) = repo.ci()
    assert check.returncode == 2
    assert re.search(r"services\.toml:\d+:\d+: services\.x", check.stderr), check.stderr
