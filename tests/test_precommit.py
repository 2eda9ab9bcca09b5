"""The pre-commit hooks of .pre-commit-hooks.yaml, run by the real pre-commit tool (issue 7).

pre-commit installs hooks from a Git repository at a revision. To test this checkout as it is
(uncommitted changes and new files included, issue 16), the test copies the working tree (every
file git tracks or would track) into a throwaway repository, commits it there, and points
pre-commit at that commit. Installing the hook environment pip-installs homegen from it, which
needs the package registries (CI has them); the environment is cached in one PRE_COMMIT_HOME for
the whole test session.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run(
    args: list[str], cwd: Path, env: dict[str, str], *, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


@pytest.fixture(scope="session")
def precommit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache per session: the hook environment is installed once."""
    return tmp_path_factory.mktemp("pre-commit-home")


GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def snapshot_working_tree(repo_root: Path, target: Path) -> str:
    """Commit the working tree of repo_root (not its HEAD) as a new repository at target."""
    env = {**os.environ, **GIT_ENV}
    listed = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], repo_root, env
    ).stdout.split("\0")
    for rel in filter(None, listed):
        source = repo_root / rel
        if source.is_file():  # a tracked file deleted in the working tree is left out
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    run(["git", "init", "-q", "-b", "main"], target, env)
    run(["git", "add", "-A"], target, env)
    run(["git", "commit", "-q", "--no-verify", "-m", "working tree"], target, env)
    return run(["git", "rev-parse", "HEAD"], target, env).stdout.strip()


@pytest.fixture(scope="session")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> tuple[Path, str]:
    """(repository, commit) of this checkout's working tree, made once per session."""
    target = tmp_path_factory.mktemp("homegen-working-tree")
    return target, snapshot_working_tree(repo_root, target)


@pytest.fixture
def homelab_repo(
    tmp_path: Path,
    repo_root: Path,
    precommit_home: Path,
    hooks_repo: tuple[Path, str],
) -> tuple[Path, dict[str, str]]:
    """A throwaway homelab repository with the hooks installed from the working tree."""
    source, head = hooks_repo
    env = {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(precommit_home),
        "PRE_COMMIT_COLOR": "never",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("PRE_COMMIT", None)
    repo = tmp_path / "home.io"
    repo.mkdir()
    run(["git", "init", "-q", "-b", "main"], repo, env)
    shutil.copy(repo_root / "services.toml", repo / "services.toml")
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {source.as_posix()}\n"
        f"    rev: {head}\n"
        "    hooks:\n"
        "      - id: homegen-render\n"
        "      - id: homegen-validate\n",
        encoding="utf-8",
    )
    run([sys.executable, "-m", "pre_commit", "install"], repo, env)
    return repo, env


def commit(repo: Path, env: dict[str, str], *paths: str) -> subprocess.CompletedProcess[str]:
    """git add paths and git commit (which runs the installed pre-commit hook)."""
    run(["git", "add", *paths], repo, env)
    return run(["git", "commit", "-q", "-m", "change"], repo, env, check=False)


def test_stale_tree_fails_the_commit_and_is_fixed(
    homelab_repo: tuple[Path, dict[str, str]],
) -> None:
    repo, env = homelab_repo
    first = commit(repo, env, "services.toml", ".pre-commit-config.yaml")
    assert first.returncode == 1, first.stdout + first.stderr
    output = first.stdout + first.stderr  # git shows the hook's output on stderr
    assert re.search(r"homegen render\.+Failed", output), output
    assert "- exit code: 1" in output
    assert (repo / "rendered" / "app-of-apps.yaml").is_file()  # the hook rendered the tree
    assert run(["git", "rev-list", "--all"], repo, env).stdout == ""  # nothing was committed

    second = commit(repo, env, "services.toml", ".pre-commit-config.yaml", "rendered")
    assert second.returncode == 0, second.stdout + second.stderr
    assert run(["git", "status", "--porcelain"], repo, env).stdout == ""

    # A later change to services.toml: stale again, fixed again.
    path = repo / "services.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("replicas = 2", "replicas = 3", 1))
    third = commit(repo, env, "services.toml")
    assert third.returncode == 1
    assert " rendered/manifests/cloudflared/deployment.yaml" in third.stderr
    fourth = commit(repo, env, "services.toml", "rendered")
    assert fourth.returncode == 0, fourth.stdout + fourth.stderr
    shown = run(["git", "show", "HEAD:rendered/manifests/cloudflared/deployment.yaml"], repo, env)
    assert "replicas: 3" in shown.stdout


def test_current_tree_passes(homelab_repo: tuple[Path, dict[str, str]], repo_root: Path) -> None:
    repo, env = homelab_repo
    shutil.copytree(repo_root / "rendered", repo / "rendered")
    result = commit(repo, env, "services.toml", ".pre-commit-config.yaml", "rendered")
    assert result.returncode == 0, result.stdout + result.stderr
    hooks = run([sys.executable, "-m", "pre_commit", "run", "--all-files"], repo, env, check=False)
    assert hooks.returncode == 0, hooks.stdout + hooks.stderr
    assert re.search(r"homegen render\.+Passed", hooks.stdout), hooks.stdout
    assert re.search(r"homegen validate\.+Passed", hooks.stdout), hooks.stdout


def test_snapshot_holds_uncommitted_changes_and_new_files(tmp_path: Path) -> None:
    env = {**os.environ, **GIT_ENV}
    work = tmp_path / "work"
    work.mkdir()
    run(["git", "init", "-q", "-b", "main"], work, env)
    (work / ".gitignore").write_text("ignored.txt\n")
    (work / "kept.py").write_text("committed\n")
    (work / "gone.py").write_text("committed\n")
    run(["git", "add", "-A"], work, env)
    run(["git", "commit", "-q", "-m", "base"], work, env)
    (work / "kept.py").write_text("changed, not committed\n")
    (work / "new.py").write_text("never added\n")
    (work / "ignored.txt").write_text("ignored\n")
    (work / "gone.py").unlink()
    snap = tmp_path / "snap"
    snap.mkdir()
    head = snapshot_working_tree(work, snap)
    shown = run(["git", "show", f"{head}:kept.py"], snap, env).stdout
    assert shown == "changed, not committed\n"
    listed = run(["git", "ls-files"], snap, env).stdout.split()
    assert listed == [".gitignore", "kept.py", "new.py"]
