"""docs/renovate.md: its regex managers find every image and chart of services.toml (issue 7)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from homegen.config.loader import load_config

DOC = Path(__file__).resolve().parents[1] / "docs" / "renovate.md"


def config() -> dict[str, Any]:
    """The Renovate configuration: the ```json block of docs/renovate.md."""
    match = re.search(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, "docs/renovate.md has no ```json block"
    loaded = json.loads(match[1])
    assert isinstance(loaded, dict)
    return loaded


def python_regex(js: str) -> re.Pattern[str]:
    """A Renovate (JavaScript/RE2) regex as a Python one: only named groups differ."""
    assert "(?P<" not in js and "(?<=" not in js and "(?<!" not in js  # RE2 has no lookbehind
    return re.compile(re.sub(r"\(\?<([A-Za-z]\w*)>", r"(?P<\1>", js))


def fill(template: str, groups: dict[str, str]) -> str:
    """Renovate's {{{name}}} templates, for the plain substitutions used in the doc."""
    return re.sub(r"\{\{\{(\w+)\}\}\}", lambda m: groups[m[1]], template)


def extract(text: str) -> list[dict[str, str]]:
    """What Renovate's managers would extract from a services.toml text."""
    deps = []
    for manager in config()["customManagers"]:
        for matcher in manager["matchStrings"]:
            for match in python_regex(matcher).finditer(text):
                groups = {k: v for k, v in match.groupdict().items() if v is not None}
                dep = dict(groups)
                for field in ("datasource", "packageName", "registryUrl", "depName"):
                    if f"{field}Template" in manager:
                        dep[field] = fill(manager[f"{field}Template"], groups)
                dep.setdefault("packageName", dep["depName"])
                dep["match"] = match[0]
                deps.append(dep)
    return deps


def shipped_text(repo_root: Path) -> str:
    return (repo_root / "services.toml").read_text(encoding="utf-8")


def test_managers_target_services_toml() -> None:
    file_pattern = re.compile(r"(^|/)services\.toml$")
    for manager in config()["customManagers"]:
        assert manager["customType"] == "regex"
        assert manager["managerFilePatterns"] == ["/(^|/)services\\.toml$/"]
    for path in ("services.toml", "homelab/services.toml"):
        assert file_pattern.search(path)
    assert not file_pattern.search("my-services.toml")


def test_finds_every_image_of_the_shipped_file(repo_root: Path) -> None:
    data = tomllib.loads(shipped_text(repo_root))
    images = {svc["image"] for svc in data.get("services", {}).values()}
    assert images  # the reference homelab has generated workloads
    # containers of an app's extra objects are written `image = "..."` too
    images |= set(_object_images([app.get("objects", []) for app in data["apps"].values()]))
    found = {
        f"{d['depName']}:{d['currentValue']}"
        for d in extract(shipped_text(repo_root))
        if d["datasource"] == "docker" and "registryUrl" not in d
    }
    assert found == images


def test_finds_every_chart_of_the_shipped_file(repo_root: Path) -> None:
    data = tomllib.loads(shipped_text(repo_root))
    charts = {
        (app["helm"]["repo_url"], app["helm"]["chart"], app["helm"]["version"])
        for app in data["apps"].values()
        if "helm" in app
    }
    assert len(charts) >= 6 and any(url.startswith("oci://") for url, _, _ in charts)
    found = set()
    for dep in extract(shipped_text(repo_root)):
        if dep["datasource"] == "helm":
            found.add((dep["registryUrl"], dep["depName"], dep["currentValue"]))
        elif "registryUrl" in dep:  # OCI: docker datasource on the chart's full path
            path = dep["packageName"].removesuffix("/" + dep["depName"])
            assert dep["registryUrl"] == f"https://{path}"
            found.add((f"oci://{path}", dep["depName"], dep["currentValue"]))
    assert found == charts


def test_oci_chart_dependency_matches_renovate_helmv3_shape(repo_root: Path) -> None:
    (homarr,) = [d for d in extract(shipped_text(repo_root)) if d["depName"] == "homarr"]
    assert homarr["datasource"] == "docker"
    assert homarr["packageName"] == "ghcr.io/homarr-labs/charts/homarr"
    assert homarr["currentValue"] == "5.8.0"


SAMPLE = """\
[services.a]
image = "ghcr.io/example/a:1.2.3@sha256:{digest}"
[services.b]
image = "registry.lan:5000/team/b:v2"

[apps.c.helm]
repo_url = "https://charts.example.com/stable"
chart = "c"
version = "4.5.6"
"""


def test_digests_registry_ports_and_table_form() -> None:
    deps = {d["depName"]: d for d in extract(SAMPLE.format(digest="a" * 64))}
    assert deps["ghcr.io/example/a"]["currentValue"] == "1.2.3"
    assert deps["ghcr.io/example/a"]["currentDigest"] == "sha256:" + "a" * 64
    assert deps["registry.lan:5000/team/b"]["currentValue"] == "v2"
    assert deps["c"]["registryUrl"] == "https://charts.example.com/stable"
    assert deps["c"]["currentValue"] == "4.5.6"


@pytest.mark.parametrize("name", ["traefik", "cloudflare/cloudflared", "homarr"])
def test_an_update_in_place_leaves_a_valid_services_toml(repo_root: Path, name: str) -> None:
    """Renovate rewrites currentValue inside the match; the file must stay loadable."""
    text = shipped_text(repo_root)
    (dep,) = [d for d in extract(text) if d["depName"] == name]
    new_match = dep["match"].replace(dep["currentValue"], "99.0.0")
    updated = text.replace(dep["match"], new_match)
    assert updated != text
    load_config(updated.encode(), "services.toml")  # raises ConfigError when broken
    (after,) = [d for d in extract(updated) if d["depName"] == name]
    assert after["currentValue"] == "99.0.0"


def _object_images(value: object) -> list[str]:
    """Every ``image`` string under the apps' extra objects (their pod templates)."""
    if isinstance(value, dict):
        found = [value["image"]] if isinstance(value.get("image"), str) else []
        return found + [i for v in value.values() for i in _object_images(v)]
    if isinstance(value, list):
        return [i for v in value for i in _object_images(v)]
    return []
