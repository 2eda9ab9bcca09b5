"""The expand stage: what ArgoCD will apply, not only the files of the tree.

Every Helm source of every Application (and of each element of a list-generated
ApplicationSet) is rendered the way ArgoCD's repo-server renders it, and every folder with a
``kustomization.yaml`` is built; the validator then sees homegen's documents plus every
expanded object, each expanded document carrying its ``Origin`` (app, chart, template).

One entry function: ``expand_tree(docs, settings) -> Expansion``. The names are loaded on
first use: the helm shim kustomize runs (``homegen.expand.helmshim``) is a module of this
package and starts once per chart, so importing the package must not load the whole stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from homegen.expand.model import ExpandSettings, Expansion, Origin
    from homegen.expand.stage import expand_tree

__all__ = ["ExpandSettings", "Expansion", "Origin", "expand_tree"]


def __getattr__(name: str) -> object:
    if name == "expand_tree":
        from homegen.expand.stage import expand_tree

        return expand_tree
    if name in ("ExpandSettings", "Expansion", "Origin"):
        from homegen.expand import model

        return getattr(model, name)
    raise AttributeError(f"module 'homegen.expand' has no attribute {name!r}")
