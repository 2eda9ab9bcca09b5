"""Renovate's own update of services.toml changes exactly the version it extracted (issue 27).

A JSONata manager gives Renovate no position in the file: Renovate replaces an occurrence of the
current value, extracts again, and keeps the change only if that dependency now has the new
value. tests/renovate/replace.mjs runs that code of the installed Renovate (its doAutoReplace,
offline) for every dependency the real extraction found, with a made-up newer version (and
digest); each result must be a services.toml homegen accepts whose TOML data differs from the
original in that one value only. Versions also written in comments, descriptions or by a twin
chart are where the search starts, so the wrong occurrence is tried first.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from homegen.config.loader import load_config
from renovate_tool import LAYOUTS, REPO, Extraction, config, extract_once, renovate_launcher

REPLACE = Path(__file__).resolve().parent / "renovate" / "replace.mjs"
NEW_DIGEST = "sha256:" + "f" * 64
# The keys Renovate's updates may change (a label `version` of the same value may not).
TRACKED_KEYS = (".image", ".helm.version", ".argocd.version", ".git.revision")
FILES = {"services.toml": REPO / "services.toml", "layouts/services.toml": LAYOUTS}


def bumped(version: str) -> str:
    """The version with its last number one higher: 33.2.1 → 33.2.2, v1.3.0-rc.1 → v1.3.0-rc.2."""
    match = re.search(r"[0-9]+(?=[^0-9]*$)", version)
    assert match, version
    return f"{version[: match.start()]}{int(match[0]) + 1}{version[match.end() :]}"


def upgrade(dep: dict[str, Any], index: int) -> dict[str, Any]:
    """What Renovate's lookup would hand the update for a newer release of ``dep``."""
    new = {"depIndex": index, **dep}
    if "currentValue" in dep:
        new["newValue"] = bumped(dep["currentValue"])
    if "currentDigest" in dep:
        new["newDigest"] = NEW_DIGEST
    return new


@dataclass(frozen=True)
class Update:
    """One dependency's upgrade and the file Renovate's update made of it."""

    package_file: str
    change: dict[str, Any]
    result: object  # the new content, or {"error": ...}


def renovate_updates(extraction: Extraction, tmp: Path) -> list[Update]:
    """Renovate's doAutoReplace for every extracted dependency, one at a time, in one run."""
    launcher = renovate_launcher().parent
    node = launcher / "node_modules" / "node" / "bin" / "node"
    jobs = []
    for (package_file, manager), deps in sorted(extraction.logged.items()):
        (tmp / package_file).parent.mkdir(parents=True, exist_ok=True)
        content = FILES[package_file].read_text(encoding="utf-8")
        (tmp / package_file).write_text(content, encoding="utf-8")
        upgrades = [upgrade(dep, index) for index, dep in enumerate(deps)]
        config_ = config()["customManagers"][manager]
        jobs.append({"packageFile": package_file, "content": content, "config": config_,
                     "upgrades": upgrades})  # fmt: skip
    request = tmp / "request.json"
    request.write_text(json.dumps({"localDir": str(tmp), "jobs": jobs}), encoding="utf-8")
    dist = launcher / "node_modules" / "renovate" / "dist"
    result = subprocess.run(
        [str(node), str(REPLACE), str(dist), str(request)], cwd=tmp,
        env={"LOG_LEVEL": "fatal", "PATH": str(node.parent)},
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    replaced = json.loads(result.stdout)
    return [
        Update(job["packageFile"], change, new)
        for job, results in zip(jobs, replaced, strict=True)
        for change, new in zip(job["upgrades"], results, strict=True)
    ]


@pytest.fixture(scope="module")
def updates(tmp_path_factory: pytest.TempPathFactory) -> list[Update]:
    return renovate_updates(extract_once(tmp_path_factory), tmp_path_factory.mktemp("update"))


def leaves(value: object, path: str = "") -> dict[str, object]:
    """Every scalar of TOML data by its dotted path."""
    if isinstance(value, dict):
        return {
            k: v for key, item in value.items() for k, v in leaves(item, f"{path}.{key}").items()
        }
    if isinstance(value, list):
        return {
            k: v for i, item in enumerate(value) for k, v in leaves(item, f"{path}[{i}]").items()
        }
    return {path: value}


@pytest.mark.parametrize("package_file", sorted(FILES))
def test_each_update_changes_that_version_and_nothing_else(
    updates: list[Update], package_file: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    before = leaves(tomllib.loads(FILES[package_file].read_text(encoding="utf-8")))
    mine = [u for u in updates if u.package_file == package_file]
    for update in mine:
        change, new = update.change, update.result
        assert isinstance(new, str), (change, new)  # not an error: Renovate found it
        load_config(new.encode(), "services.toml")  # homegen still accepts the file
        after = leaves(tomllib.loads(new))
        assert after.keys() == before.keys()
        diff = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert len(diff) == 1, (change, diff)  # one value: the dependency's
        ((path, (old, value)),) = diff.items()
        # ... not a description or a label that happens to hold the same version
        assert path.endswith(TRACKED_KEYS), (change, path)
        expected = str(old)
        for field, new_field in (("currentValue", "newValue"), ("currentDigest", "newDigest")):
            if field in change:
                expected = expected.replace(change[field], change[new_field])
        assert value == expected != old, change
    assert len(mine) == len(extract_once(tmp_path_factory).deps[package_file]) > 0
