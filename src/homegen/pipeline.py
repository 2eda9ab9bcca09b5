"""The pure pipeline as one call: services.toml → Config → Plan → desired tree (bytes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from homegen.config.loader import load_config, read_config
from homegen.config.models import Config
from homegen.plan.build import build_plan
from homegen.plan.model import Plan
from homegen.render.tree import iter_tree_bytes, render_tree_bytes


@dataclass(frozen=True)
class Rendered:
    """A config, its plan and the files it renders to."""

    config: Config
    plan: Plan
    files: dict[str, bytes]


class TreeSink(Protocol):
    """Told of a render as it goes: the plan first, then each file as soon as it is made."""

    def planned(self, config: Config, plan: Plan) -> None:
        """The config is valid and planned; files follow."""

    def rendered(self, path: str, data: bytes) -> None:
        """One generated file (in generation order, not sorted)."""


def render_config(config_path: Path, sink: TreeSink | None = None) -> Rendered:
    """Load, plan and render; raises ConfigError on an invalid services.toml."""
    return _render(read_config(config_path), sink)


def render_bytes(data: bytes, filename: str) -> Rendered:
    """The same for a services.toml held in memory (an edit about to be written)."""
    return _render(load_config(data, filename))


def _render(config: Config, sink: TreeSink | None = None) -> Rendered:
    plan = build_plan(config)
    if sink is None:
        return Rendered(config, plan, render_tree_bytes(plan))
    sink.planned(config, plan)
    files = []
    for path, data in iter_tree_bytes(plan):
        sink.rendered(path, data)
        files.append((path, data))
    return Rendered(config, plan, dict(sorted(files)))
