"""Sync waves: topological levels of the `after` graph.

Both functions walk the graph iteratively: a long `after` chain must not hit Python's
recursion limit. Every node they look up is a key of ``deps`` (a walk starts at a key and
steps to a dependency only when it is one): ``deps[node]`` needs no default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def find_cycle(deps: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A dependency cycle as [a, b, ..., a], or None; deterministic (sorted walk)."""
    state: dict[str, int] = {}  # 1 = on the path, 2 = done
    for start in sorted(deps):
        if start in state:
            continue
        path: list[str] = [start]
        pending = [iter(sorted(deps[start]))]
        state[start] = 1
        while pending:
            dep = next(pending[-1], None)
            if dep is None:
                state[path.pop()] = 2
                pending.pop()
            elif state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            elif dep in deps and dep not in state:
                state[dep] = 1
                path.append(dep)
                pending.append(iter(sorted(deps[dep])))
    return None


def _order(deps: Mapping[str, Sequence[str]]) -> list[str]:
    """Every node after all of its dependencies (the graph must be acyclic)."""
    order: list[str] = []
    done: set[str] = set()
    for start in sorted(deps):
        stack = [(start, iter(sorted(deps[start])))]
        while stack:
            node, children = stack[-1]
            dep = next(children, None)
            if dep is None:
                stack.pop()
                if node not in done:
                    done.add(node)
                    order.append(node)
            elif dep in deps and dep not in done:
                stack.append((dep, iter(sorted(deps[dep]))))
    return order


def sync_waves(deps: Mapping[str, Sequence[str]], apps_tier: Mapping[str, bool]) -> dict[str, int]:
    """Wave of each node: one more than its deepest dependency.

    ``apps_tier[name]`` is True for regular apps, which all come after every infra app
    (HOMELAB: all infrastructure before applications). The graph must be acyclic.
    """
    order = _order(deps)
    levels: dict[str, int] = {}
    for node in order:
        levels[node] = max((levels[d] + 1 for d in deps[node] if d in deps), default=0)
    infra_top = max((w for n, w in levels.items() if not apps_tier[n]), default=-1)
    # Regular apps (and what depends on them) start above the last infra wave, keeping order.
    waves: dict[str, int] = {}
    for node in order:
        base = infra_top + 1 if apps_tier[node] else 0
        deepest = max((waves[d] + 1 for d in deps[node] if d in deps), default=0)
        waves[node] = max(base, deepest)
    return waves
