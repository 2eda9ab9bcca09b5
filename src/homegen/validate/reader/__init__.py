"""Reading a tree: files into documents (``documents``, with ``yaml_loader`` and the fast
``canonical`` reader; ``origin`` for what expansion made), the
Kustomize marks (``kustomize``), the index of objects and Applications the rules walk
(``tree``) and the choice of the root Application (``roots``).
"""
