"""Chart apps on both sides: images, a random value set apart as noise by the second render,
a chart that fails at HEAD named with its error; both sides read in parallel or not give the
same result."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
from diff_repos import GitRepo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "expand"))

from expand_charts import ROOT_APP, chart_app, demo_chart, need_engine

RANDOM = """
apiVersion: v1
kind: Secret
metadata: {name: {{ .Release.Name }}-token}
stringData: {token: {{ randAlphaNum 24 | quote }}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: {{ .Release.Name }}-salt}
data: {salt: {{ randAlphaNum 24 | quote }}}
"""


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    need_engine()
    made = GitRepo(tmp_path / "repo", tmp_path / "cache")
    demo_chart(tmp_path / "charts", **{"templates__random.yaml": RANDOM})
    made.write(
        {
            "tree/app-of-apps.yaml": textwrap.dedent(ROOT_APP),
            "tree/apps/web.yaml": textwrap.dedent(chart_app()),
            "tree/values/web.yaml": "replicas: 1\n",
        }
    )
    made.commit("base")
    return made


def run(repo: GitRepo, *extra: str) -> tuple[int, dict[str, object]]:
    charts = str(repo.root.parent / "charts")
    done = repo.homegen(
        "diff", "HEAD~1", "HEAD", "--tree", "tree", "--charts", charts, "-o", "json", *extra
    )
    return done.returncode, json.loads(done.stdout)


def test_random_values_are_noise_and_image_rolled_up(repo: GitRepo) -> None:
    repo.write({"tree/values/web.yaml": 'replicas: 2\nimage: {tag: "1.28"}\n'})
    repo.commit("scale and bump")
    code, data = run(repo)
    assert code == 1
    (app,) = data["apps"]  # type: ignore[misc]
    by_name = {o["name"]: o for o in app["objects"]}
    assert by_name["web"]["paths"] == [
        "spec.replicas", "spec.template.spec.containers[name=web].image",
    ]  # fmt: skip
    assert by_name["web-salt"]["noise_only"] is True
    assert by_name["web-salt"]["changes"][0]["noise"] == "differs between two renders"
    assert data["images"] == [
        {"app": "web", "container": "web", "from": "nginx:1.27", "to": "nginx:1.28"}
    ]
    # the random Secret: its key set apart as noise, its value never shown
    token = by_name["web-token"]
    assert token["noise_only"] is True and token["secret_keys"] == []
    assert token["changes"][0]["path"] == "stringData.token"
    assert token["changes"][0]["to"] == "(secret value, 24 bytes)"
    assert run(repo)[1] == data  # the second run reads both renders from the caches


def test_chart_failing_at_head_names_the_app(repo: GitRepo) -> None:
    repo.write({"tree/values/web.yaml": 'replicas: 1\nfailWith: "no database configured"\n'})
    repo.commit("break")
    code, data = run(repo)
    assert code == 2
    (app,) = [a for a in data["apps"] if a["name"] == "web"]  # type: ignore[attr-defined]
    assert "no database configured" in app["error"]
    assert any("web" in e and "no database configured" in e for e in data["errors"])  # type: ignore[attr-defined]
    markdown = repo.homegen(
        "diff", "HEAD~1", "HEAD", "--tree", "tree", "--charts", str(repo.root.parent / "charts"),
        "-o", "markdown",
    )  # fmt: skip
    assert markdown.returncode == 2 and "no database configured" in markdown.stdout


def test_parallel_and_sequential_sides_agree(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from homegen.diff.output_json import render_json
    from homegen.diff.run import Request, run_diff
    from homegen.diff.sides import SideOptions

    repo.write({"tree/values/web.yaml": "replicas: 3\n"})
    repo.commit("scale")
    monkeypatch.setenv("XDG_CACHE_HOME", repo.env["XDG_CACHE_HOME"])
    options = SideOptions(tree="tree", chart_dirs=(repo.root.parent / "charts",))
    texts = [
        render_json(run_diff(repo.root, Request("HEAD~1", "HEAD", options, parallel=parallel)))
        for parallel in (True, False)
    ]
    assert texts[0] == texts[1]
    assert '"spec.replicas"' in texts[0]
