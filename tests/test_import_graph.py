"""The module graph of src/homegen has no cycles (STYLE.md habit 15: two modules never import each
other; the shared type moves down a floor).

The graph is read from the source with ast, not from a running interpreter, so it holds every
import: at the top of a module, inside a function (the lazy imports that keep `--help` fast)
and under ``if TYPE_CHECKING`` (a cycle that only the type checker walks is still one floor
leaning on another). ``from package import name`` points at ``package.name`` when that is a
module, else at the package itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def module_name(path: Path, src: Path) -> str:
    """The dotted name of the module in ``path`` (a package's ``__init__.py`` is the package)."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _known(name: str, modules: set[str]) -> str | None:
    """The longest prefix of ``name`` that is a module of the graph."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _imported(node: ast.AST, module: str, is_package: bool, modules: set[str]) -> Iterator[str]:
    """The modules of the graph that one import statement reaches."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            found = _known(alias.name, modules)
            if found:
                yield found
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = module.split(".")
            anchor = anchor if is_package else anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            found = _known(f"{base}.{alias.name}", modules) or _known(base, modules)
            if found:
                yield found


def import_graph(src: Path, package: str) -> dict[str, set[str]]:
    """Each module of ``package`` below ``src`` → the modules of the package it imports."""
    files = {module_name(p, src): p for p in sorted((src / package).rglob("*.py"))}
    modules = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        targets = {
            target
            for node in ast.walk(tree)
            for target in _imported(node, name, is_package, modules)
        }
        graph[name] = targets - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_homegen_has_no_import_cycle() -> None:
    graph = import_graph(SRC, "homegen")
    assert len(graph) > 100  # the whole package was read
    assert "homegen.validate.reader.documents" in graph["homegen.expand.model"]  # edges are seen
    assert cycles(graph) == []


def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import B\n",
            "pkg/b.py": "def f():\n    from pkg import a\n",
            "pkg/c.py": "from pkg.a import x\n",
        },
    )
    assert cycles(import_graph(src, "pkg")) == [["pkg.a", "pkg.b"]]


def test_type_checking_and_relative_imports_are_edges(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        {
            "pkg/__init__.py": "from .sub import thing\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/thing.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..other import O\n"
            ),
            "pkg/other.py": "import pkg.sub.thing as t\nimport os\n",
        },
    )
    graph = import_graph(src, "pkg")
    assert graph == {
        "pkg": {"pkg.sub.thing"},
        "pkg.sub": set(),
        "pkg.sub.thing": {"pkg.other"},
        "pkg.other": {"pkg.sub.thing"},
    }
    assert cycles(graph) == [["pkg.other", "pkg.sub.thing"]]


def test_a_chain_without_a_back_edge_is_no_cycle(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.b\n",
            "pkg/b.py": "from pkg import c\n",
            "pkg/c.py": "import os\nfrom pkg import VERSION\n",
        },
    )
    graph = import_graph(src, "pkg")
    # a name of the package (not a submodule) is an edge to the package itself
    assert graph == {"pkg": set(), "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.c"}, "pkg.c": {"pkg"}}
    assert cycles(graph) == []
