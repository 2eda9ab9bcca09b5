"""The built-in catalog: which folder a kind is looked up in, and the pins read from a tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from homegen.crdschemas import catalog
from homegen.crdschemas.catalog import (
    CATALOG_DIR,
    Source,
    choose,
    find,
    pins_from_objects,
    sources,
)
from homegen.validate.reader.documents import load_tree

KINDS = [
    ("argoproj.io", "v1alpha1", "Application", "argo-cd"),
    ("argoproj.io", "v1alpha1", "ApplicationSet", "argo-cd"),
    ("gateway.networking.k8s.io", "v1", "HTTPRoute", "gateway-api"),
    ("gateway.networking.k8s.io", "v1beta1", "ReferenceGrant", "gateway-api"),
    ("metallb.io", "v1beta1", "IPAddressPool", "metallb"),
    ("onepassword.com", "v1", "OnePasswordItem", "onepassword-operator"),
    ("external-secrets.io", "v1", "ExternalSecret", "external-secrets"),
    ("actions.github.com", "v1alpha1", "AutoscalingRunnerSet", "actions-runner-controller"),
]


@pytest.mark.parametrize(("group", "version", "kind", "project"), KINDS)
def test_every_project_the_homelab_uses_is_shipped(
    group: str, version: str, kind: str, project: str
) -> None:
    found = find(group, version, kind, {})
    assert found is not None
    assert found.source.project == project
    assert found.path.is_file()


def test_unserved_and_unknown_kinds_are_not_found() -> None:
    assert find("external-secrets.io", "v1beta1", "ExternalSecret", {}) is None  # served: false
    assert find("example.com", "v1", "Widget", {}) is None


def test_every_folder_is_listed_in_sources_toml() -> None:
    listed = {(s.project, s.tag) for s in sources()}
    on_disk = {(p.parent.name, p.name) for p in CATALOG_DIR.glob("*/*") if p.is_dir()}
    assert listed == on_disk
    for source in sources():
        assert (source.folder / "SOURCES.json").is_file()


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [(None, "v1.3.0"), ("v1.2.1", "v1.2.1"), ("v1.2.5", "v1.2.1"), ("v0.9.0", "v1.1.0")],
)
def test_choose_the_pinned_tag_else_the_nearest_older(wanted: str | None, chosen: str) -> None:
    assert choose(["v1.2.1", "v1.3.0", "v1.1.0"], wanted) == chosen
    assert choose([], wanted) is None


def test_find_uses_the_pinned_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "example.com/widget_v1.json"
    for tag in ("v1.0.0", "v2.0.0"):
        (tmp_path / "widgets" / tag / "example.com").mkdir(parents=True)
        (tmp_path / "widgets" / tag / name).write_text("{}")
    fake = tuple(
        Source("widgets", tag, "https://github.com/example/widgets", "crds", (), "", "MIT")
        for tag in ("v1.0.0", "v2.0.0")
    )
    monkeypatch.setattr(catalog, "CATALOG_DIR", tmp_path)
    monkeypatch.setattr(catalog, "sources", lambda: fake)
    newest = find("example.com", "v1", "Widget", {})
    pinned = find("example.com", "v1", "Widget", {"widgets": "v1.0.0"})
    assert newest is not None and newest.describe() == "built-in widgets v2.0.0"
    assert pinned is not None and pinned.path == tmp_path / "widgets" / "v1.0.0" / name
    app = {
        "kind": "Application",
        "spec": {"source": {"repoURL": "https://github.com/example/widgets.git/",
                            "targetRevision": "v1.0.0", "path": "crds"}},
    }  # fmt: skip
    assert pins_from_objects([app]) == {"widgets": "v1.0.0"}


def test_pins_from_the_shipped_homelab(repo_root: Path) -> None:
    objects = [d.obj for d in load_tree(repo_root / "rendered")]
    pins = pins_from_objects(objects)
    assert pins["gateway-api"] == "v1.2.1"  # git source of the gateway-api-crds app
    assert pins["metallb"] == "v0.14.8"  # Helm chart metallb 0.14.8
    # the ApplicationSet's template installs the runner scale set chart 0.13.0
    assert pins["actions-runner-controller"] == "gha-runner-scale-set-0.13.0"


def test_pins_ignore_what_is_not_a_source() -> None:
    objects = [
        {"kind": "Application", "spec": None},
        {"kind": "ApplicationSet", "spec": {"template": "x"}},
        {"kind": "Application", "spec": {"sources": [{"repoURL": 3}, "x"]}},
        {"kind": "ConfigMap", "spec": {"source": {"repoURL": "https://github.com/metallb/metallb",
                                                   "targetRevision": "v1"}}},
    ]  # fmt: skip
    assert pins_from_objects(objects) == {}
