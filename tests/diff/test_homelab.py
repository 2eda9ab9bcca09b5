"""The shipped homelab in a git repository: a Renovate-style chart bump and a new service,
committed without re-rendering (issue 23's first check). Needs ../shared/charts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from diff_repos import GitRepo

NEW_SERVICE = """
[services.whoami]
image = "traefik/whoami:v1.10.3"
port = 8080
route = { path = "/whoami" }
"""


@pytest.fixture(scope="module")
def bumped(tmp_path_factory: pytest.TempPathFactory, repo_root: Path, shared: Path) -> GitRepo:
    """main: the homelab rendered; HEAD: traefik 34.0.0, metallb 0.14.9 and whoami added."""
    base = tmp_path_factory.mktemp("homelab")
    repo = GitRepo(base / "repo", base / "cache")
    shutil.copy(repo_root / "services.toml", repo.root / "services.toml")
    shutil.copytree(repo_root / "rendered", repo.root / "rendered")
    repo.commit("homelab")
    config = repo.root / "services.toml"
    text = config.read_text(encoding="utf-8")
    assert 'chart = "traefik", version = "33.2.1"' in text
    assert 'chart = "metallb", version = "0.14.8"' in text
    text = text.replace(
        'chart = "traefik", version = "33.2.1"', 'chart = "traefik", version = "34.0.0"'
    )
    text = text.replace(
        'chart = "metallb", version = "0.14.8"', 'chart = "metallb", version = "0.14.9"'
    )
    config.write_text(text + NEW_SERVICE, encoding="utf-8")
    repo.git("checkout", "-q", "-b", "renovate")
    repo.commit("bump traefik and metallb, add whoami")
    repo.charts = str(shared / "charts")  # type: ignore[attr-defined]
    return repo


def diff_json(repo: GitRepo, *revisions: str) -> tuple[int, dict[str, Any], str]:
    done = repo.homegen("diff", *revisions, "--charts", repo.charts, "-o", "json")  # type: ignore[attr-defined]
    return done.returncode, json.loads(done.stdout), done.stdout


@pytest.fixture(scope="module")
def result(bumped: GitRepo) -> tuple[int, dict[str, Any], str]:
    return diff_json(bumped, "main", "HEAD")


def _app(data: dict[str, Any], name: str) -> dict[str, Any]:
    (app,) = [a for a in data["apps"] if a["name"] == name]
    return app


@pytest.mark.extra("charts")  # the chart upgrades are rendered
def test_charts_changed_and_new_service_added(result: tuple[int, dict[str, Any], str]) -> None:
    code, data, _text = result
    assert code == 1
    assert _app(data, "traefik")["status"] == "changed"
    assert _app(data, "metallb")["status"] == "changed"
    whoami = _app(data, "whoami")
    assert whoami["status"] == "added"
    assert {o["kind"] for o in whoami["objects"]} >= {"Deployment", "Service", "Namespace"}
    assert data["summary"]["apps"]["added"] == 1
    assert data["errors"] == []


@pytest.mark.extra("charts")  # the chart upgrades are rendered
def test_metallb_roles_and_service_accounts_are_noise_only(
    result: tuple[int, dict[str, Any], str],
) -> None:
    objects = _app(result[1], "metallb")["objects"]
    quiet = [o for o in objects if o["kind"] in ("Role", "ServiceAccount")]
    assert quiet, "metallb's Roles and ServiceAccounts change by chart labels"
    for item in quiet:
        assert item["noise_only"] is True, item
        assert item["paths"] == []
        assert {c["noise"] for c in item["changes"]} == {"chart label"}
    assert result[1]["summary"]["objects"]["noise_only"] >= len(quiet)


@pytest.mark.extra("charts")  # the chart upgrades are rendered
def test_images_rolled_up(result: tuple[int, dict[str, Any], str]) -> None:
    images = result[1]["images"]
    targets = {(i["app"], i["to"]) for i in images}
    assert ("metallb", "quay.io/metallb/controller:v0.14.9") in targets
    assert any(app == "traefik" and to and to.endswith(":v3.3.1") for app, to in targets)
    assert ("whoami", "traefik/whoami:v1.10.3") in targets


def test_review_at_least_caution_and_stale_rendered_noted(
    result: tuple[int, dict[str, Any], str],
) -> None:
    data = result[1]
    assert data["summary"]["review"] in ("caution", "danger")
    assert any("traefik changes major version" in r for r in data["summary"]["review_reasons"])
    assert "rendered/ is out of date at HEAD" in data["notes"]
    assert not any("out of date at main" in n for n in data["notes"])


def test_two_runs_identical_json(bumped: GitRepo, result: tuple[int, dict[str, Any], str]) -> None:
    assert diff_json(bumped, "main", "HEAD")[2] == result[2]


def test_same_revision_exits_0(bumped: GitRepo) -> None:
    code, data, _text = diff_json(bumped, "HEAD", "HEAD")
    assert code == 0
    assert data["apps"] == [] and data["summary"]["review"] == "routine"


def test_default_base_is_merge_base_and_head_the_working_tree(bumped: GitRepo) -> None:
    """No revisions: main's merge-base against the working tree (an uncommitted edit counts)."""
    config = bumped.root / "services.toml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original.replace("traefik/whoami:v1.10.3", "traefik/whoami:v1.10.4"))
    try:
        done = bumped.homegen("diff", "--charts", bumped.charts, "-o", "json")  # type: ignore[attr-defined]
    finally:
        config.write_text(original, encoding="utf-8")
    data = json.loads(done.stdout)
    assert done.returncode == 1
    assert data["head"] == "working tree" and data["base"].startswith("main")
    assert ("whoami", "traefik/whoami:v1.10.4") in {(i["app"], i["to"]) for i in data["images"]}


@pytest.mark.extra("charts")  # the chart upgrades are rendered
def test_markdown_and_text_name_the_changes(bumped: GitRepo) -> None:
    charts = bumped.charts  # type: ignore[attr-defined]
    markdown = bumped.homegen("diff", "main", "HEAD", "--charts", charts, "-o", "markdown")
    assert markdown.returncode == 1
    first = markdown.stdout.split("<details>")[0]
    assert "Review:" in first and "v0.14.9" in first  # the summary comes first
    assert "<summary><code>traefik</code>" in markdown.stdout
    text = bumped.homegen("diff", "main", "HEAD", "--charts", charts)
    assert "containers[name=traefik].image" in text.stdout
    assert "\x1b[" not in text.stdout  # not a terminal: no colour


@pytest.mark.extra("charts")  # the chart upgrades are rendered
def test_noise_listed_only_on_request(bumped: GitRepo) -> None:
    charts = bumped.charts  # type: ignore[attr-defined]
    plain = bumped.homegen("diff", "main", "HEAD", "--charts", charts)
    noisy = bumped.homegen("diff", "main", "HEAD", "--charts", charts, "--show-noise")
    assert "(noise only)" not in plain.stdout
    assert "noise-only" in plain.stdout  # counted in the summary line
    assert "ServiceAccount/metallb-system/metallb-controller (noise only)" in noisy.stdout
    assert 'metadata.labels["helm.sh/chart"]: "metallb-0.14.8" → "metallb-0.14.9"' in noisy.stdout
