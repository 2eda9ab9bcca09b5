"""The expand stage: what ArgoCD will apply, not only the files of the tree.

Every Helm source of every Application (and of each element of a list-generated
ApplicationSet) is rendered the way ArgoCD's repo-server renders it, and every folder with a
``kustomization.yaml`` is built; the validator then sees homegen's documents plus every
expanded object, each expanded document carrying its ``Origin`` (app, chart, template).

One entry function: ``expand_tree(docs, settings) -> Expansion``.
"""

from homegen.expand.model import ExpandSettings, Expansion, Origin
from homegen.expand.stage import expand_tree

__all__ = ["ExpandSettings", "Expansion", "Origin", "expand_tree"]
