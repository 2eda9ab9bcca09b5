"""docs/renovate.md: the real Renovate extracts every version of services.toml (issues 7, 27).

Renovate (from npm, installed once by .ci/install-renovate) runs in its local, extract-only mode
on a throwaway Git repository holding the doc's ```json block as renovate.json, the shipped
services.toml and tests/renovate/services.toml (every layout the schema allows). Its JSON log
names each dependency it extracted; the tests compare them with what the TOML data says.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from homegen.config.loader import load_config
from renovate_tool import (
    LAYOUTS,
    REPO,
    Dep,
    Extraction,
    config,
    extract_once,
    ordered,
    renovate_env,
    renovate_launcher,
)
from tools import external_tool

# The managers of the doc, in order, by the datasource each sets.
KINDS = ["docker", "helm", "docker", "github-releases", "github-releases", "git-tags"]
IMAGES, CHARTS, OCI_CHARTS, ARGOCD, GATEWAY_API, GIT_TAGS = range(6)


def test_one_jsonata_manager_per_kind_of_dependency() -> None:
    managers = config()["customManagers"]
    assert [m["datasourceTemplate"] for m in managers] == KINDS
    for manager in managers:
        assert manager["customType"] == "jsonata"
        assert manager["fileFormat"] == "toml"
        assert manager["managerFilePatterns"] == ["/(^|/)services\\.toml$/"]
        assert len(manager["matchStrings"]) == 1
    pattern = re.compile(r"(^|/)services\.toml$")
    assert pattern.search("services.toml") and pattern.search("homelab/services.toml")
    assert not pattern.search("my-services.toml")


def test_the_layouts_file_is_a_services_toml_homegen_accepts() -> None:
    """Every layout it shows is one the schema allows, not one Renovate alone would read."""
    loaded = load_config(LAYOUTS.read_bytes(), "services.toml")
    assert len(loaded.services) == 5 and len(loaded.apps) == 11


# --- The real Renovate -------------------------------------------------------------------


@pytest.fixture
def extraction(tmp_path_factory: pytest.TempPathFactory) -> Extraction:
    return extract_once(tmp_path_factory)


def image_dep(manager: int, image: str) -> Dep:
    """An image reference split the way Renovate's docker managers split it."""
    name, _, digest = image.partition("@")
    head, colon, tag = name.rpartition(":")
    if not colon or "/" in tag:  # a registry port, not a tag
        head, tag = name, ""
    return Dep(manager, head, "docker", tag or None, digest or None)


def container_images(value: object, under_containers: bool = False) -> list[str]:
    """Every ``image`` of a container list anywhere in an object (its pod templates)."""
    found: list[str] = []
    if isinstance(value, dict):
        if under_containers and isinstance(value.get("image"), str):
            found.append(value["image"])
        for key, item in value.items():
            lists = ("containers", "initContainers", "ephemeralContainers")
            found += container_images(item, key in lists and isinstance(item, list))
    elif isinstance(value, list):
        found = [i for item in value for i in container_images(item, under_containers)]
    return found


def normal_url(url: str) -> str:
    """A URL as JavaScript's URL writes it back: scheme and host in lower case, a path."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", *parts[3:]))


def expected_deps(data: dict[str, Any]) -> list[Dep]:
    """What the managers should extract from a services.toml, computed from its TOML data."""
    apps = data.get("apps", {}).values()
    images = [svc["image"] for svc in data.get("services", {}).values()]
    images += [i for app in apps for i in container_images(app.get("objects", []))]
    deps = [image_dep(IMAGES, image) for image in images]
    for helm in (app["helm"] for app in apps if "helm" in app):
        scheme, _, rest = helm["repo_url"].partition("://")
        if scheme.lower() == "oci":
            package = f"{rest.rstrip('/')}/{helm['chart']}"
            deps.append(Dep(OCI_CHARTS, helm["chart"], "docker", helm["version"], None, package))
        else:
            url = normal_url(helm["repo_url"])
            deps.append(Dep(CHARTS, helm["chart"], "helm", helm["version"], registryUrl=url))
    deps.append(Dep(ARGOCD, "argoproj/argo-cd", "github-releases", data["argocd"]["version"]))
    for git in (app["git"] for app in apps if "git" in app):
        if not re.fullmatch(r"v?[0-9]+(\.[0-9]+)+([-+][0-9A-Za-z.-]+)?", git["revision"]):
            continue  # a branch or a commit
        if "kubernetes-sigs/gateway-api" in git["repo_url"]:
            name = "kubernetes-sigs/gateway-api"
            deps.append(Dep(GATEWAY_API, name, "github-releases", git["revision"]))
        else:
            deps.append(Dep(GIT_TAGS, git["repo_url"], "git-tags", git["revision"]))
    return ordered(deps)


def test_renovate_extracts_every_version_of_the_shipped_file(extraction: Extraction) -> None:
    data = tomllib.loads((REPO / "services.toml").read_text(encoding="utf-8"))
    found = extraction.deps["services.toml"]
    assert found == expected_deps(data)
    # The reference homelab has every kind but a plain tagged Git app, each as the doc shows it.
    assert {d.manager for d in found} == set(range(len(KINDS))) - {GIT_TAGS}
    assert Dep(IMAGES, "cloudflare/cloudflared", "docker", "2024.12.0") in found
    homarr = Dep(OCI_CHARTS, "homarr", "docker", "5.8.0", None, "ghcr.io/homarr-labs/charts/homarr")
    assert homarr in found
    traefik = Dep(
        CHARTS, "traefik", "helm", "33.2.1", None, None, "https://helm.traefik.io/traefik"
    )
    assert traefik in found
    assert Dep(GATEWAY_API, "kubernetes-sigs/gateway-api", "github-releases", "v1.2.1") in found


LAYOUT_DEPS = [
    # Images: dotted keys, an inline table, a table, digest only, tag and digest, containers,
    # init containers and a CronJob's containers among an app's objects.
    Dep(IMAGES, "ghcr.io/example/dotted", "docker", "1.0.0"),
    Dep(IMAGES, "quay.io/example/inline", "docker", "2024.12.0"),
    Dep(IMAGES, "nginx", "docker", "1.27.3"),
    Dep(IMAGES, "ghcr.io/example/pinned", "docker", None, "sha256:" + "b" * 64),
    Dep(IMAGES, "ghcr.io/example/both", "docker", "1.2.3", "sha256:" + "c" * 64),
    Dep(IMAGES, "registry.example.com:5000/team/main", "docker", "v3"),
    Dep(IMAGES, "docker.io/library/alpine", "docker", "3.21"),
    Dep(IMAGES, "busybox", "docker", "1.37.0", "sha256:" + "a" * 64),
    # Charts: keys in any order, inline, table and dotted, schemes in capitals.
    Dep(CHARTS, "alpha", "helm", "1.2.3", registryUrl="https://charts.example.com/stable"),
    Dep(CHARTS, "beta", "helm", "v4.5.6", registryUrl="http://charts.example.com/"),
    Dep(
        OCI_CHARTS, "gamma", "docker", "0.1.0-rc.1", None, "registry.example.com:5000/charts/gamma"
    ),
    Dep(OCI_CHARTS, "delta", "docker", "2.0.0", None, "ghcr.io/example/charts/delta"),
    Dep(OCI_CHARTS, "delta", "docker", "2.0.0", None, "ghcr.io/example/charts/delta"),
    Dep(ARGOCD, "argoproj/argo-cd", "github-releases", "v2.13.1"),
    Dep(GATEWAY_API, "kubernetes-sigs/gateway-api", "github-releases", "v1.3.0"),
    Dep(GIT_TAGS, "https://git.example.com/team/tagged.git", "git-tags", "2.4.0"),
]


def test_renovate_extracts_every_layout_whatever_the_key_order(extraction: Extraction) -> None:
    assert extraction.deps["layouts/services.toml"] == ordered(LAYOUT_DEPS)
    # The Python reading of the TOML data agrees: the same rules, not two lists in step.
    assert ordered(LAYOUT_DEPS) == expected_deps(tomllib.loads(LAYOUTS.read_text("utf-8")))


def test_only_github_releases_wait_for_a_token_and_nothing_is_looked_up(
    extraction: Extraction,
) -> None:
    """Locally, without a GitHub token, Renovate marks github-releases skipped; on GitHub the
    app's token lifts that. Extract-only mode asks no registry anything."""
    assert extraction.skipped == {
        "argoproj/argo-cd": {"github-token-required"},
        "kubernetes-sigs/gateway-api": {"github-token-required"},
    }
    (stats,) = [e for e in extraction.log if e.get("msg") == "HTTP statistics"]
    assert stats["requests"] == 0
    assert not [e["msg"] for e in extraction.log if e["level"] >= 50]  # no error


def test_renovate_config_validator_accepts_the_block(tmp_path: Path) -> None:
    validator = renovate_launcher().parent / "config-validator"
    (tmp_path / "renovate.json").write_text(json.dumps(config()), encoding="utf-8")
    result = subprocess.run(
        [str(validator), "--strict"], cwd=tmp_path, env=renovate_env(tmp_path),
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_editor_schema_names_every_key_renovate_tracks(repo_root: Path) -> None:
    """services.schema.json says "Renovate tracks" on exactly the keys the managers read."""
    schema = json.loads((repo_root / "services.schema.json").read_text(encoding="utf-8"))
    tracked = {
        f"{name}.{key}"
        for name, definition in schema["$defs"].items()
        for key, field in definition.get("properties", {}).items()
        if "Renovate tracks" in field.get("description", "")
    }
    assert tracked == {
        "Service.image", "App.objects", "HelmSource.version", "ArgoCD.version",
        "GitSource.revision",
    }  # fmt: skip


def test_the_install_script_passes_shellcheck() -> None:
    shellcheck = external_tool("shellcheck", "apt-get install shellcheck; .ci/run installs it")
    script = REPO / ".ci" / "install-renovate"
    result = subprocess.run([shellcheck, str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
