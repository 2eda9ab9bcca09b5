"""The workload of a [services.NAME] table: version labels, ConfigMap keys, container, spread."""

from __future__ import annotations

from typing import Any

import pytest

from homegen.plan.model import WorkloadPlan
from homegen.plan.workload import image_version
from plan_trees import doc, plan_of, tree

SERVICE = """
[services.web]
port = 8080
"""
DIGEST = "sha256:" + "0123456789abcdef" * 4


def web(fields: str, image: str) -> str:
    return SERVICE + f"image = {image!r}\n" + fields


def workload(fields: str = "", image: str = "nginx:1.27") -> WorkloadPlan:
    found = next(a.workload for a in plan_of(web(fields, image)).apps if a.name == "web")
    assert found is not None
    return found


def deployment(fields: str = "", image: str = "nginx:1.27") -> dict[str, Any]:
    return doc(tree(web(fields, image)), "manifests/web/deployment.yaml")


@pytest.mark.parametrize(
    ("image", "version"),
    [
        ("nginx:1.27", "1.27"),
        ("registry.example.com:5000/team/web:2.0.1", "2.0.1"),  # a port is not a tag
        (f"ghcr.io/team/web@{DIGEST}", "sha256-0123456789ab"),
        (f"ghcr.io/team/web:2.0.1@{DIGEST}", "sha256-0123456789ab"),  # the digest wins
        ("web:V2.0", "V2.0"),  # upper case is label-safe
        ("web:_2.0_", "2.0"),  # a label value starts and ends alphanumeric
        ("web:2.0-", "2.0"),
        ("web:___", "unknown"),
        ("web:1" + "a" * 100, "1" + "a" * 62),  # a label value has at most 63 characters
    ],
)
def test_version_labels_come_from_the_tag_or_digest(image: str, version: str) -> None:
    labels = workload(image=image).labels
    assert (labels["version"], labels["app.kubernetes.io/version"]) == (version, version)


@pytest.mark.parametrize("image", ["web", "registry.example.com:5000/web"])
def test_an_image_without_tag_or_digest_has_an_unknown_version(image: str) -> None:
    assert image_version(image) == "unknown"  # services.toml refuses it; other callers may not


def test_config_file_keys_keep_case_and_are_mounted_by_that_key() -> None:
    long_path = "/" + "a" * 300
    fields = f"""
config_files = {{ "/etc/App/Main.conf" = "x", "/opt/BOX" = "y", "{long_path}" = "z" }}
"""
    found = workload(fields)
    assert found.config_data == {"etc-App-Main.conf": "x", "opt-BOX": "y", "a" * 253: "z"}
    sub_paths = {m["mountPath"]: m.get("subPath") for m in found.container.mounts}
    assert sub_paths["/etc/App/Main.conf"] == "etc-App-Main.conf"
    assert sub_paths["/opt/BOX"] == "opt-BOX"
    assert sub_paths[long_path] == "a" * 253


@pytest.mark.parametrize(("replicas", "spread"), [(1, False), (2, True), (3, True)])
def test_replicas_are_spread_across_nodes_from_two(replicas: int, spread: bool) -> None:
    spec = deployment(f"replicas = {replicas}\n")["spec"]["template"]["spec"]
    assert ("affinity" in spec) is spread


def test_command_and_args_reach_the_container() -> None:
    doc = deployment('command = ["/bin/web", "serve"]\nargs = ["--port", "8080"]\n')
    (container,) = doc["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["/bin/web", "serve"]
    assert container["args"] == ["--port", "8080"]
