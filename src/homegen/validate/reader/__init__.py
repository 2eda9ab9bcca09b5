"""Reading a tree: files into documents (``documents``, ``canonical``, ``origin``), the
Kustomize marks (``kustomize``), the index of objects and Applications the rules walk
(``tree``) and the choice of the root Application (``roots``).
"""
