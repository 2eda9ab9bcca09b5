"""A tree imported from a repository's root gets a folder of its own for homegen's rendered
tree, and the report says where the root Application must point (issue 25)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from importer_trees import REPO, app_yaml, import_cli, root_app, write_tree

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: b\n"


def _tree(root: Path, prefix: str = "", extra: dict[str, str] | None = None) -> Path:
    web = app_yaml(
        "web", f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: {prefix}web", "web"
    )
    root_yaml = root_app(f"{prefix}apps")
    return write_tree(
        root,
        {"root.yaml": root_yaml, "apps/web.yaml": web, "web/cm.yaml": CONFIGMAP, **(extra or {})},
    )


def _import(tmp: Path, tree: Path, *args: str) -> tuple[str, list[dict[str, object]]]:
    config = tmp / "services.toml"
    code, stdout, stderr = import_cli(tree, config, "--output", "json", *args)
    assert code == 0, stderr
    data = tomllib.loads(config.read_text())
    return str(data["cluster"]["tree_path"]), json.loads(stdout)["lines"]


def test_a_repository_root_gets_rendered_and_the_root_is_pointed_there(tmp_path: Path) -> None:
    path, lines = _import(tmp_path, _tree(tmp_path / "tree"))
    assert path == "rendered"  # where `homegen render` writes by default
    warnings = [str(x["message"]) for x in lines if x["kind"] == "warning"]
    assert any(
        m.startswith("point the root Application at rendered/apps: apply rendered/app-of-apps.yaml")
        for m in warnings
    ), warnings


def test_a_taken_folder_moves_to_the_next_free_one(tmp_path: Path) -> None:
    tree = _tree(tmp_path / "tree", extra={"rendered/notes.txt": "mine\n"})
    path, lines = _import(tmp_path, tree)
    assert path == "homegen"
    assert any("`homegen render -o homegen`" in str(x["message"]) for x in lines)
    taken = {"rendered/a.txt": "x\n", "homegen": "a file, not a folder\n"}
    path, _ = _import(tmp_path / "again", _tree(tmp_path / "tree2", extra=taken))
    assert path == "homegen-2"


def test_a_tree_in_a_folder_or_an_explicit_path_is_kept(tmp_path: Path) -> None:
    path, lines = _import(tmp_path, _tree(tmp_path / "tree", prefix="k8s/"))
    assert path == "k8s"  # the tree is not the repository's root: it stays where it is
    assert not any("point the root Application" in str(x["message"]) for x in lines)
    path, _ = _import(tmp_path / "flag", _tree(tmp_path / "tree2"), "--tree-path", ".")
    assert path == "."  # the owner said so
