"""``homegen validate``: schemas, whole-tree integrity and the hardening policy.

Layout, from the bottom floor up (a floor imports only the floors below it):

- ``findings`` (the Finding, the rule registry, the Report) and ``selection`` (--select,
  --ignore, --skip, --reject): the shared types every floor uses;
- ``reader/``: files into documents, Kustomize marks, the tree index, the root;
- ``engine/``: schema locations and cache, compiled validators, CRD rules and CEL;
- ``rules/``: the rule families (``integrity_*``, ``policy_*``, ...), one module each;
- ``run``: documents in, a Report out (runs every stage, applies exceptions);
- ``command`` (the CLI command) and ``output`` (text, json, junit, github);
- ``render_checks`` (the checks a render runs, as a verdict of lines) and ``background``
  (where it runs them: a child process fed as the files are rendered).
"""
