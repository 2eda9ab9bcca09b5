"""docs/ci.md: the diff-comment workflow, its shell steps run as written against throwaway Git
repositories (issue 23). The Renovate re-render workflow: tests/test_ci_doc_renovate.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

DOC = Path(__file__).resolve().parents[1] / "docs" / "ci.md"
GIT = {
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
}  # fmt: skip
# A stand-in for the GitHub CLI: records each call; `gh api --paginate` lists the comments
# saved in $GH_STATE (id → body).
FAKE_GH = """#!/usr/bin/env python3
import json, os, sys
state = os.environ["GH_STATE"]
data = json.load(open(state)) if os.path.exists(state) else {"comments": {}, "calls": []}
args = sys.argv[1:]
data["calls"].append(args)
if "--paginate" in args:
    print("\\n".join(k for k, v in sorted(data["comments"].items())
                    if v.startswith("<!-- homegen-diff part ")))
json.dump(data, open(state, "w"))
"""


def workflow(name: str) -> dict[str, Any]:
    """The workflow of docs/ci.md whose block starts with ``# .github/workflows/<name>``."""
    for block in re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        if block.startswith(f"# .github/workflows/{name}\n"):
            loaded = yaml.safe_load(block)
            assert isinstance(loaded, dict)
            return loaded
    raise AssertionError(f"docs/ci.md has no workflow {name}")


def step(name: str, step_name: str) -> str:
    (job,) = workflow(name)["jobs"].values()
    (found,) = [s["run"] for s in job["steps"] if s.get("name") == step_name]
    return str(found)


def sh(cwd: Path, command: str, **env: str) -> subprocess.CompletedProcess[str]:
    bin_dir = str(Path(sys.executable).parent)
    full = {**os.environ, **GIT, "PATH": bin_dir + os.pathsep + os.environ["PATH"], **env}
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=full, capture_output=True, text=True, timeout=600
    )


def _repo(tmp_path: Path, repo_root: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(repo_root / "services.toml", root / "services.toml")
    shutil.copytree(repo_root / "rendered", root / "rendered")
    assert sh(root, "git init -q -b main && git add -A && git commit -qm lab").returncode == 0
    return root


def test_diff_comment_workflow_posts_then_updates_parts(tmp_path: Path, repo_root: Path) -> None:
    assert workflow("homegen-diff.yml")["permissions"] == {
        "contents": "read", "pull-requests": "write",
    }  # fmt: skip
    root = _repo(tmp_path, repo_root)
    with (root / "services.toml").open("a", encoding="utf-8") as config:
        config.write('\n[services.whoami]\nimage = "traefik/whoami:v1.10.3"\nport = 8080\n')
    assert sh(root, "git update-ref refs/remotes/origin/main main").returncode == 0
    assert sh(root, "git checkout -qb pr && git commit -qam whoami").returncode == 0
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "gh").write_text(FAKE_GH, encoding="utf-8")
    (fake / "gh").chmod(0o755)
    state = tmp_path / "gh.json"
    env = {
        "GITHUB_BASE_REF": "main", "GITHUB_REPOSITORY": "o/r", "PR": "7", "GH_TOKEN": "x",
        "GH_STATE": str(state), "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }  # fmt: skip
    diff = sh(root, step("homegen-diff.yml", "Diff"), **env)
    assert diff.returncode == 0, diff.stderr  # exit 1 (differences) is not a failure
    parts = sorted((root / "comments").glob("comment-*.md"))
    assert len(parts) == 1 and "whoami" in parts[0].read_text(encoding="utf-8")
    env["PATH"] = f"{fake}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    # an earlier, longer run left three parts and someone else's comment
    marker = "<!-- homegen-diff part 1/3 -->"
    state.write_text(json.dumps({"calls": [], "comments": {"11": marker, "12": marker,
                     "13": marker, "14": "LGTM"}}))  # fmt: skip
    comment = sh(root, step("homegen-diff.yml", "Comment"), **env)
    assert comment.returncode == 0, comment.stderr
    calls = json.loads(state.read_text())["calls"]
    writes = [c[:3] for c in calls if "--paginate" not in c]
    assert writes == [
        ["api", "-X", "PATCH"], ["api", "-X", "DELETE"], ["api", "-X", "DELETE"],
    ]  # fmt: skip
    assert [c[3] for c in calls if "--paginate" not in c] == [
        "repos/o/r/issues/comments/11", "repos/o/r/issues/comments/12",
        "repos/o/r/issues/comments/13",
    ]  # fmt: skip
    # no earlier comment: the part is posted
    state.write_text(json.dumps({"calls": [], "comments": {}}))
    assert sh(root, step("homegen-diff.yml", "Comment"), **env).returncode == 0
    posted = [c for c in json.loads(state.read_text())["calls"] if "POST" in c]
    assert posted and posted[0][3] == "repos/o/r/issues/7/comments"
