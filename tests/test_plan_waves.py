"""Sync waves and dependency cycles of the `after` graph (plan/waves.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence

import pytest

from homegen.plan.waves import find_cycle, sync_waves


class CountingGraph(Mapping[str, Sequence[str]]):
    """A dependency graph that counts how often each node's dependencies are read."""

    def __init__(self, deps: dict[str, list[str]]) -> None:
        self.deps = deps
        self.reads: Counter[str] = Counter()

    def __getitem__(self, name: str) -> Sequence[str]:
        self.reads[name] += 1
        return self.deps[name]

    def __contains__(self, name: object) -> bool:
        return name in self.deps

    def __iter__(self) -> Iterator[str]:
        return iter(self.deps)

    def __len__(self) -> int:
        return len(self.deps)


def diamonds(count: int) -> dict[str, list[str]]:
    """top-0 → (left-0, right-0) → top-1 → ...: 2^count paths, 3·count + 1 nodes."""
    deps: dict[str, list[str]] = {"top-0": []}
    for i in range(count):
        deps[f"left-{i}"] = [f"top-{i}"]
        deps[f"right-{i}"] = [f"top-{i}"]
        deps[f"top-{i + 1}"] = [f"left-{i}", f"right-{i}"]
    return deps


def test_each_node_is_walked_once_however_many_paths_reach_it() -> None:
    graph = CountingGraph(diamonds(12))
    waves = sync_waves(graph, dict.fromkeys(graph, False))
    assert waves["top-12"] == 24
    # twice by the walk (as a start, as a dependency), once each for levels and waves;
    # never once per path (4,096 paths lead to top-12)
    assert max(graph.reads.values()) <= 4
    graph.reads.clear()
    assert find_cycle(graph) is None
    assert max(graph.reads.values()) <= 1


def test_names_that_are_not_nodes_are_ignored() -> None:
    deps = {"a": ["ghost"], "b": ["a", "ghost"]}
    assert sync_waves(deps, dict.fromkeys(deps, False)) == {"a": 0, "b": 1}
    assert find_cycle(deps) is None


def test_without_infrastructure_apps_start_at_wave_zero() -> None:
    deps = {"web": [], "api": ["web"]}
    assert sync_waves(deps, dict.fromkeys(deps, True)) == {"web": 0, "api": 1}


def test_infrastructure_after_an_app_comes_after_it() -> None:
    deps = {"lb": [], "crds": ["lb"], "web": [], "backup": ["web"]}
    tiers = {"lb": False, "crds": False, "web": True, "backup": False}
    assert sync_waves(deps, tiers) == {"lb": 0, "crds": 1, "web": 2, "backup": 3}


def test_waves_do_not_depend_on_the_order_nodes_are_listed_in() -> None:
    deps = {"z": ["y"], "y": [], "x": ["z", "y"], "w": ["x"]}
    forward = sync_waves(deps, dict.fromkeys(deps, False))
    backward = sync_waves(dict(reversed(deps.items())), dict.fromkeys(deps, False))
    assert forward == backward == {"y": 0, "z": 1, "x": 2, "w": 3}


@pytest.mark.parametrize(
    ("deps", "cycle"),
    [
        ({"a": ["b"], "b": ["a"]}, ["a", "b", "a"]),
        ({"b": ["a"], "a": ["b"]}, ["a", "b", "a"]),  # the first node by name starts it
        ({"a": ["b"], "b": ["c"], "c": ["b"]}, ["b", "c", "b"]),  # a leads in, is not in it
        ({"a": ["a"]}, ["a", "a"]),
        ({"a": [], "b": ["a"], "c": ["b", "d"], "d": ["c"]}, ["c", "d", "c"]),
        ({"a": ["c", "b"], "b": ["d"], "c": ["d"], "d": []}, None),  # a diamond is no cycle
        ({"a": ["b"], "b": [], "c": ["b", "a"]}, None),
    ],
)
def test_find_cycle_returns_the_cycle_from_its_first_node(
    deps: dict[str, list[str]], cycle: list[str] | None
) -> None:
    assert find_cycle(deps) == cycle
