"""The real Renovate for the tests: installed once into a cache by .ci/install-renovate, run
in its local, extract-only mode on a repository holding docs/renovate.md's configuration."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

import pytest

from tools import in_ci

REPO = Path(__file__).resolve().parents[1]
INSTALL = REPO / ".ci" / "install-renovate"
DOC = REPO / "docs" / "renovate.md"
LAYOUTS = REPO / "tests" / "renovate" / "services.toml"
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@example.com",
    "GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@example.com",
}  # fmt: skip


def renovate_launcher() -> Path:
    """Renovate from the cache, installed there first where npm is (skips or fails without)."""
    result = subprocess.run(
        [str(INSTALL)], capture_output=True, text=True, timeout=1200, check=False
    )
    if result.returncode != 0:
        reason = f".ci/install-renovate failed: {result.stderr.strip()[-2000:]}"
        if in_ci() or shutil.which("npm"):
            pytest.fail(reason)
        pytest.skip(reason + " (Renovate is installed from npm)")
    return Path(result.stdout.strip().splitlines()[-1])


def renovate_env(base: Path) -> dict[str, str]:
    """The environment of a Renovate run: JSON debug log, caches in the test's folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RENOVATE_", "GITHUB_"))}
    return {
        **env, **GIT_ENV, "LOG_LEVEL": "debug", "LOG_FORMAT": "json",
        "RENOVATE_BASE_DIR": str(base / "renovate-base"),
    }  # fmt: skip


def config() -> dict[str, Any]:
    """The Renovate configuration: the ```json block of docs/renovate.md."""
    match = re.search(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, "docs/renovate.md has no ```json block"
    loaded = json.loads(match[1])
    assert isinstance(loaded, dict)
    return loaded


@dataclass(frozen=True)
class Dep:
    """One extracted dependency, as Renovate logs it (only the fields these managers set)."""

    manager: int  # index in customManagers
    depName: str  # Renovate's field names, as its log writes them
    datasource: str
    currentValue: str | None = None
    currentDigest: str | None = None
    packageName: str | None = None
    registryUrl: str | None = None


def ordered(deps: list[Dep]) -> list[Dep]:
    """Dependencies in a stable order (Renovate's follows the TOML data's, not compared)."""
    return sorted(deps, key=lambda dep: tuple(str(v) for v in astuple(dep)))


@dataclass(frozen=True)
class Extraction:
    """What one Renovate run extracted, per package file, and its log."""

    deps: dict[str, list[Dep]]
    skipped: dict[str, set[str]]  # depName → skip reasons
    log: list[dict[str, Any]]
    # (package file, manager) → its deps as logged, in Renovate's order (the depIndex)
    logged: dict[tuple[str, int], list[dict[str, Any]]]


def homelab_repo(root: Path) -> Path:
    """A Git repository with renovate.json, services.toml and layouts/services.toml."""
    repo = root / "homelab"
    (repo / "layouts").mkdir(parents=True)
    shutil.copy(REPO / "services.toml", repo / "services.toml")
    shutil.copy(LAYOUTS, repo / "layouts" / "services.toml")
    (repo / "renovate.json").write_text(json.dumps(config(), indent=2), encoding="utf-8")
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "x"]):
        subprocess.run(command, cwd=repo, env={**os.environ, **GIT_ENV}, check=True)
    return repo  # Renovate's local platform lists the files git tracks


def parse_log(lines: list[dict[str, Any]]) -> Extraction:
    """The extracted dependencies of Renovate's "Extracted dependencies" log entry."""
    (entry,) = [e for e in lines if e.get("msg") == "Extracted dependencies"]
    queries = [m["matchStrings"] for m in config()["customManagers"]]
    deps: dict[str, list[Dep]] = {}
    skipped: dict[str, set[str]] = {}
    logged: dict[tuple[str, int], list[dict[str, Any]]] = {}
    assert set(entry["packageFiles"]) == {"jsonata"}, entry["packageFiles"].keys()
    for package_file in entry["packageFiles"]["jsonata"]:
        manager = queries.index(package_file["matchStrings"])
        found = deps.setdefault(package_file["packageFile"], [])
        logged[package_file["packageFile"], manager] = json.loads(json.dumps(package_file["deps"]))
        for dep in package_file["deps"]:
            if "skipReason" in dep:
                skipped.setdefault(dep["depName"], set()).add(dep.pop("skipReason"))
            (registry,) = dep.pop("registryUrls", [None])
            found.append(Dep(manager=manager, registryUrl=registry, **dep))
    return Extraction({k: ordered(v) for k, v in deps.items()}, skipped, lines, logged)


_EXTRACTED: list[Extraction] = []


def extract_once(tmp_path_factory: pytest.TempPathFactory) -> Extraction:
    """One Renovate run over both files per test session (Renovate takes seconds to start)."""
    if not _EXTRACTED:
        _EXTRACTED.append(_extract(tmp_path_factory))
    return _EXTRACTED[0]


def _extract(tmp_path_factory: pytest.TempPathFactory) -> Extraction:
    renovate = renovate_launcher()
    root = tmp_path_factory.mktemp("renovate")
    result = subprocess.run(
        [str(renovate), "--platform=local", "--dry-run=extract", "--onboarding=false",
         "--require-config=optional"],
        cwd=homelab_repo(root), env=renovate_env(root),
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return parse_log(lines)
