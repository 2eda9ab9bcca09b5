"""docs/ci.md, "Renovate pull requests": both ways to re-render on Renovate's branch (issue 27).

The hosted-app workflow's steps run as written, in a clone of a throwaway repository whose
Renovate branch bumped a chart the way Renovate does (the version replaced in place), pushing to
a bare "origin". The self-hosted postUpgradeTasks command runs the same way; the real
renovate-config-validator checks both JSON blocks.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from renovate_tool import renovate_env, renovate_launcher

DOC = Path(__file__).resolve().parents[1] / "docs" / "ci.md"
BRANCH = "renovate/traefik-34.x"
RENDER_EMAIL = "homegen-render@users.noreply.github.com"
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
# Renovate's commit on its branch; the runner has no Git identity of its own.
RENOVATE_IDENTITY = {
    "GIT_AUTHOR_NAME": "renovate[bot]", "GIT_AUTHOR_EMAIL": "bot@renovateapp.com",
    "GIT_COMMITTER_NAME": "renovate[bot]", "GIT_COMMITTER_EMAIL": "bot@renovateapp.com",
}  # fmt: skip


def section() -> str:
    """The "Renovate pull requests" section of docs/ci.md."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## Renovate pull requests")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section(), re.S)


def post_upgrade_config() -> dict[str, Any]:
    repo_config, _ = (json.loads(b) for b in blocks("json"))
    assert isinstance(repo_config, dict)
    return repo_config


def global_config() -> dict[str, Any]:
    _, self_hosted = (json.loads(b) for b in blocks("json"))
    assert isinstance(self_hosted, dict)
    return self_hosted


def workflow() -> dict[str, Any]:
    (block,) = blocks("yaml")
    loaded = yaml.safe_load(block)
    assert isinstance(loaded, dict)
    return loaded


def job() -> dict[str, Any]:
    jobs = workflow()["jobs"]
    assert list(jobs) == ["render"]
    return dict(jobs["render"])


def test_workflow_runs_on_renovate_branches_with_a_token_that_starts_ci() -> None:
    # PyYAML reads the key `on` as True (YAML 1.1).
    assert workflow()[True] == {"push": {"branches": ["renovate/**"]}}
    assert workflow()["permissions"] == {"contents": "read"}  # the push uses the secret
    checkout = job()["steps"][0]
    assert checkout["uses"] == "actions/checkout@v4"
    token = checkout["with"]["token"]
    assert token == "${{ secrets.HOMEGEN_RENDER_TOKEN }}"
    assert "GITHUB_TOKEN" not in token and "github.token" not in token
    assert "GITHUB_TOKEN" in section() and "no workflow run" in section()


def test_render_commits_carry_the_author_renovate_ignores() -> None:
    """Renovate stops updating a branch another author committed to, unless told."""
    ignored = re.search(r'"gitIgnoredAuthors": (\[[^]]*\])', section())
    assert ignored and json.loads(ignored[1]) == [RENDER_EMAIL]
    assert f'user.email="{RENDER_EMAIL}"' in run_steps()[-1]


def run_steps() -> list[str]:
    """The `run:` scripts after the install, in order (the homegen under test is on PATH)."""
    steps = [s["run"] for s in job()["steps"] if "run" in s]
    assert "pip install" in steps[0]
    return steps[1:]


class Clone:
    """The runner's checkout of the Renovate branch, and the origin it pushes to."""

    def __init__(self, tmp_path: Path, repo_root: Path) -> None:
        self.origin = tmp_path / "origin.git"
        self.work = tmp_path / "checkout"
        bin_dir = str(Path(sys.executable).parent)
        runner = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_"))}
        self.env = {
            **runner, **GIT_ENV, "PATH": bin_dir + os.pathsep + os.environ["PATH"],
            "GITHUB_REF_NAME": BRANCH, **{k: str(v) for k, v in job().get("env", {}).items()},
        }  # fmt: skip
        seed = tmp_path / "seed"
        seed.mkdir()
        shutil.copy(repo_root / "services.toml", seed / "services.toml")
        shutil.copytree(repo_root / "rendered", seed / "rendered")
        for command in (
            "git init -q -b main && git add -A && git commit -q -m homelab",
            f"git checkout -q -b {BRANCH}",
            # Renovate's update: the current value replaced where it is the chart's version.
            'sed -i \'s/chart = "traefik", version = "33.2.1"/chart = "traefik", '
            'version = "34.0.0"/\' services.toml && grep -q \'"34.0.0"\' services.toml',
            "git commit -q -am 'fix(deps): update helm release traefik to v34'",
            f"git clone -q --bare . {self.origin}",
            f"git clone -q -b {BRANCH} {self.origin} {self.work}",
        ):
            self.sh(command, seed, RENOVATE_IDENTITY)

    def sh(
        self, command: str, cwd: Path | None = None, identity: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = {**self.env, **(identity or {})}
        result = subprocess.run(
            ["bash", "-e", "-c", command], cwd=cwd or self.work, env=env,
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"
        return result

    def run_workflow(self) -> None:
        """The steps as the runner runs them: each `run:` with bash -e, in the checkout."""
        for step in run_steps():
            self.sh(step)

    def origin_head(self) -> str:
        return self.sh(f"git rev-parse {BRANCH}", self.origin).stdout.strip()


@pytest.fixture
def clone(tmp_path: Path, repo_root: Path) -> Clone:
    return Clone(tmp_path, repo_root)


def test_workflow_pushes_the_rerendered_tree_and_nothing_else(clone: Clone) -> None:
    renovate_head = clone.origin_head()
    stale = subprocess.run(
        ["homegen", "render", "--check"], cwd=clone.work, env=clone.env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert stale.returncode == 1 and "update rendered/apps/traefik.yaml" in stale.stderr
    clone.run_workflow()
    pushed = clone.origin_head()
    assert pushed != renovate_head
    log = clone.sh(f"git log --format='%s|%ae|%ce' {renovate_head}..{pushed}", clone.origin)
    assert log.stdout.splitlines() == [f"chore: homegen render|{RENDER_EMAIL}|{RENDER_EMAIL}"]
    changed = clone.sh(f"git diff --name-only {renovate_head} {pushed}", clone.origin).stdout
    assert "rendered/apps/traefik.yaml" in changed.split()
    assert all(path.startswith("rendered/") for path in changed.split())
    # What CI checks on the pushed commit, in a fresh checkout of it.
    fresh = clone.work.parent / "fresh"
    clone.sh(f"git clone -q -b {BRANCH} {clone.origin} {fresh}", clone.work.parent)
    clone.sh("homegen render --check", fresh)


def test_the_run_its_push_starts_pushes_nothing(clone: Clone) -> None:
    clone.run_workflow()
    first = clone.origin_head()
    clone.run_workflow()  # the run the token's push starts: the tree is current
    assert clone.origin_head() == first
    assert clone.sh("git status --porcelain").stdout == ""


def test_post_upgrade_task_rerenders_and_is_allowed(clone: Clone) -> None:
    tasks = post_upgrade_config()["postUpgradeTasks"]
    assert tasks["executionMode"] == "branch"
    allowed = global_config()["allowedCommands"]
    assert set(global_config()) == {"allowedCommands"}
    for command in tasks["commands"]:
        # Renovate's allowedCommands are JavaScript regexes; these use nothing Python reads
        # differently.
        assert any(re.search(pattern, command) for pattern in allowed), command
        clone.sh(command)
    assert not any(re.search(p, "homegen render; curl evil.example") for p in allowed)
    assert any(re.search(p, "homegen render --out kubernetes/argocd") for p in allowed)
    changed = clone.sh("git status --porcelain --untracked-files=all").stdout.splitlines()
    assert changed and all(
        any(fnmatch.fnmatch(line[3:], pattern) for pattern in tasks["fileFilters"])
        for line in changed
    ), changed  # Renovate commits only what fileFilters match: all of it
    clone.sh("homegen render --check")


@pytest.mark.parametrize("kind", ["repo", "global"])
def test_renovate_config_validator_accepts_the_blocks(tmp_path: Path, kind: str) -> None:
    validator = renovate_launcher().parent / "config-validator"
    config = post_upgrade_config() if kind == "repo" else global_config()
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    flags = ["--no-global"] if kind == "repo" else []
    result = subprocess.run(
        [str(validator), "--strict", *flags, "config.json"], cwd=tmp_path,
        env=renovate_env(tmp_path), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_old_option_name_needs_a_migration(tmp_path: Path) -> None:
    """Why the doc says allowedCommands: --strict fails on allowedPostUpgradeCommands."""
    validator = renovate_launcher().parent / "config-validator"
    old = {"allowedPostUpgradeCommands": global_config()["allowedCommands"]}
    (tmp_path / "config.json").write_text(json.dumps(old), encoding="utf-8")
    result = subprocess.run(
        [str(validator), "--strict", "config.json"], cwd=tmp_path,
        env=renovate_env(tmp_path), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
