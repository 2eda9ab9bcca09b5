"""A stale rendered/ is a note, found from git's blob ids (committed sides) or the disk (the
working tree); services.toml is what is compared."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from diff_repos import GitRepo

NEW = '\n[services.whoami]\nimage = "traefik/whoami:v1.10.3"\nport = 8080\n'


def test_stale_rendered_noted_per_side(tmp_path: Path, repo_root: Path) -> None:
    repo = GitRepo(tmp_path / "repo", tmp_path / "cache")
    shutil.copy(repo_root / "services.toml", repo.root / "services.toml")
    shutil.copytree(repo_root / "rendered", repo.root / "rendered")
    repo.commit("current")
    same = json.loads(repo.homegen("diff", "HEAD", "HEAD", "-o", "json").stdout)
    assert not any("out of date" in n for n in same["notes"])
    with (repo.root / "services.toml").open("a", encoding="utf-8") as config:
        config.write(NEW)
    worktree = json.loads(repo.homegen("diff", "HEAD", "-o", "json").stdout)
    assert "rendered/ is out of date at working tree" in worktree["notes"]
    repo.commit("whoami, not rendered")
    data = json.loads(repo.homegen("diff", "HEAD~1", "HEAD", "-o", "json").stdout)
    assert "rendered/ is out of date at HEAD" in data["notes"]
    assert not any("at HEAD~1" in n for n in data["notes"])
    assert [a["name"] for a in data["apps"] if a["status"] == "added"] == ["whoami"]
    # one byte of one rendered file edited by hand: stale too
    (repo.root / "services.toml").write_text(
        (repo_root / "services.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    path = repo.root / "rendered" / "apps" / "traefik.yaml"
    path.write_bytes(path.read_bytes() + b"\n")
    repo.commit("hand edit")
    edited = json.loads(repo.homegen("diff", "HEAD", "HEAD", "-o", "json").stdout)
    assert "rendered/ is out of date at HEAD" in edited["notes"]
