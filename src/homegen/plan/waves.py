"""Sync waves: topological levels of the `after` graph."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def find_cycle(deps: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A dependency cycle as [a, b, ..., a], or None; deterministic (sorted walk)."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(deps.get(node, ())):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep) :], dep]
            if dep in deps and dep not in state and (cycle := visit(dep)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(deps):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def sync_waves(deps: Mapping[str, Sequence[str]], apps_tier: Mapping[str, bool]) -> dict[str, int]:
    """Wave of each node: one more than its deepest dependency.

    ``apps_tier[name]`` is True for regular apps, which all come after every infra app
    (HOMELAB: all infrastructure before applications). The graph must be acyclic.
    """
    waves: dict[str, int] = {}

    def level(node: str) -> int:
        if node not in waves:
            waves[node] = max((level(d) + 1 for d in deps.get(node, ()) if d in deps), default=0)
        return waves[node]

    for node in sorted(deps):
        level(node)
    infra_top = max((w for n, w in waves.items() if not apps_tier[n]), default=-1)
    # Shift regular apps (and what depends on them) above the last infra wave, keeping order.
    shifted: dict[str, int] = {}

    def shifted_level(node: str) -> int:
        if node not in shifted:
            base = infra_top + 1 if apps_tier[node] else 0
            deps_level = (shifted_level(d) + 1 for d in deps.get(node, ()) if d in deps)
            shifted[node] = max(base, max(deps_level, default=0))
        return shifted[node]

    for node in sorted(deps):
        shifted_level(node)
    return shifted
