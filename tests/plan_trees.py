"""A smallest valid services.toml and helpers to plan and render it, for the plan tests."""

from __future__ import annotations

from typing import Any

import yaml

from homegen.config.loader import load_config
from homegen.plan.build import build_plan
from homegen.plan.model import Plan
from homegen.render.tree import render_tree_bytes

BASE = """
[cluster]
repo_url = "https://git.example.com/lab"
domain = "lab.example.com"
tree_path = "k8s/tree"

[argocd]
version = "v2.11.3"

[gateway]
class_name = "traefik"
controller_name = "traefik.io/gateway-controller"
name = "gw"
namespace = "edge"
listeners = [{ name = "web", port = 8000 }]

[apps.gateway-config]
namespace = "edge"
"""


def plan_of(extra: str, base: str = BASE) -> Plan:
    """The plan of BASE (or base) followed by extra."""
    return build_plan(load_config((base + extra).encode()))


def tree(extra: str, base: str = BASE) -> dict[str, bytes]:
    """The rendered tree of BASE (or base) followed by extra, by path."""
    return render_tree_bytes(plan_of(extra, base))


def doc(files: dict[str, bytes], path: str) -> dict[str, Any]:
    """The last YAML document of one rendered file."""
    found: dict[str, Any] = list(yaml.safe_load_all(files[path].decode()))[-1]
    return found
