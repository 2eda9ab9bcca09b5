"""1,000 services, one env value changed in each: every service named in comment parts that
each fit GitHub's limit (issue 23)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from diff_repos import GitRepo

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

from synth import synth  # noqa: E402


def test_thousand_services_in_parts(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo", tmp_path / "cache")
    text = synth(1000)
    (repo.root / "services.toml").write_text(text, encoding="utf-8")
    repo.commit("fleet")
    changed = text.replace('TZ = "Europe/Berlin"', 'TZ = "Europe/Paris"')
    assert changed.count("Europe/Paris") == 1000
    (repo.root / "services.toml").write_text(changed, encoding="utf-8")
    repo.commit("move every clock")
    out = tmp_path / "comments"
    done = repo.homegen("diff", "HEAD~1", "HEAD", "-o", "markdown", "--comment-dir", str(out))
    assert done.returncode == 1, done.stderr
    parts = sorted(out.glob("comment-*.md"), key=lambda p: int(re.findall(r"\d+", p.name)[0]))
    assert len(parts) > 1
    texts = [p.read_text(encoding="utf-8") for p in parts]
    assert all(len(t) <= 65_536 for t in texts)
    joined = "".join(texts)
    named = set(re.findall(r"<summary><code>(svc-\d{5})</code>", joined))
    assert named == {f"svc-{i:05d}" for i in range(1000)}
    assert joined.count('env[name=TZ].value: "Europe/Berlin" → "Europe/Paris"') == 1000
    assert "apps: 0 added, 0 removed, 1000 changed" in texts[0]
