"""The schema engine: where schemas come from (``registry``), how they are compiled into
validators (``compiled``, ``crd_rules``, ``cel``), and checking objects against them
(``schema``; ``tree_crds`` for the CRDs the tree itself installs).
"""
