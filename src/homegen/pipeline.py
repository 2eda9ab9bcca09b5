"""The pure pipeline as one call: services.toml → Config → Plan → desired tree (bytes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from homegen.config.loader import load_config, read_config
from homegen.config.models import Config
from homegen.plan.build import build_plan
from homegen.plan.model import Plan
from homegen.render.tree import render_tree_bytes


@dataclass(frozen=True)
class Rendered:
    """A config, its plan and the files it renders to."""

    config: Config
    plan: Plan
    files: dict[str, bytes]


def render_config(config_path: Path) -> Rendered:
    """Load, plan and render; raises ConfigError on an invalid services.toml."""
    return _render(read_config(config_path))


def render_bytes(data: bytes, filename: str) -> Rendered:
    """The same for a services.toml held in memory (an edit about to be written)."""
    return _render(load_config(data, filename))


def _render(config: Config) -> Rendered:
    plan = build_plan(config)
    return Rendered(config, plan, render_tree_bytes(plan))
