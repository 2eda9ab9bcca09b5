"""Mermaid and Graphviz DOT notations of a ``homegen.graph.Graph``."""

from __future__ import annotations

from collections.abc import Callable

from homegen.graph import Edge, Graph, Node

_MERMAID_SHAPES = {
    "root": ('(["', '"])'),
    "app": ('["', '"]'),
    "gateway": ('{{"', '"}}'),
    "route": ('[/"', '"/]'),
    "service": ('[("', '")]'),
}
_MERMAID_ARROWS = {
    "sync": "==>",
    "after": "-->",
    "derived": "-.->",
    "traffic": "-->",
    "runs": "-.->",
    "allows": "-.->",
}
_DOT_SHAPES = {
    "root": "doubleoctagon",
    "app": "box",
    "gateway": "hexagon",
    "route": "parallelogram",
    "service": "cylinder",
}
_DOT_EDGES = {
    "sync": 'style=bold, lhead="cluster_{target}"',
    "after": "",
    "derived": "style=dashed",
    "traffic": 'color="#1f77b4"',
    "runs": "style=dashed, arrowhead=none",
    "allows": 'style=dotted, color="#2ca02c"',
}


def _mermaid_text(text: str) -> str:
    # Inside "..." Mermaid reads entity codes; quotes and angle brackets would end or open tags.
    return (
        text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )


def to_mermaid(graph: Graph) -> str:
    """The graph as a Mermaid flowchart (GitHub renders it in a ```mermaid block)."""
    lines = ["flowchart LR"]

    def node(n: Node, indent: str) -> str:
        left, right = _MERMAID_SHAPES[n.shape]
        return f"{indent}{n.id}{left}{'<br/>'.join(_mermaid_text(t) for t in n.lines)}{right}"

    lines += [node(n, "  ") for n in graph.nodes if n.group is None]
    for group in graph.groups:
        lines.append(f'  subgraph {group.id}["{_mermaid_text(group.label)}"]')
        lines += [node(n, "    ") for n in graph.nodes if n.group == group.id]
        lines.append("  end")
    for edge in graph.edges:
        arrow = _MERMAID_ARROWS[edge.style]
        label = f"|{_mermaid_text(edge.label)}|" if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(graph: Graph) -> str:
    """The graph in Graphviz DOT (``dot -Tsvg``); waves and traffic are clusters."""
    lines = [
        "digraph homegen {",
        "  rankdir=LR;",
        "  compound=true;",
        '  node [fontname="Helvetica"];',
    ]

    def node(n: Node, indent: str) -> str:
        label = "\\n".join(_dot_text(t) for t in n.lines)
        return f'{indent}{n.id} [label="{label}", shape={_DOT_SHAPES[n.shape]}];'

    lines += [node(n, "  ") for n in graph.nodes if n.group is None]
    first_of: dict[str, str] = {}
    for group in graph.groups:
        members = [n for n in graph.nodes if n.group == group.id]
        first_of[group.id] = members[0].id
        lines.append(f"  subgraph cluster_{group.id} {{")
        lines.append(f'    label="{_dot_text(group.label)}";')
        lines += [node(n, "    ") for n in members]
        lines.append("  }")
    lines += [_dot_edge(edge, first_of) for edge in graph.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_edge(edge: Edge, first_of: dict[str, str]) -> str:
    # DOT has no edges to clusters: aim at the cluster's first node and clip at its border.
    target = first_of.get(edge.target, edge.target)
    attrs = [a for a in (_DOT_EDGES[edge.style].format(target=edge.target),) if a]
    if edge.label:
        attrs.append(f'label="{_dot_text(edge.label)}"')
    suffix = f" [{', '.join(attrs)}]" if attrs else ""
    return f"  {edge.source} -> {target}{suffix};"


FORMATS: dict[str, Callable[[Graph], str]] = {"mermaid": to_mermaid, "dot": to_dot}
