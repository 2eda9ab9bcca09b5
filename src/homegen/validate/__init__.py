"""``homegen validate``: schemas, whole-tree integrity and the hardening policy.

Stages, each knowing only those below it: ``documents`` (loader) → ``registry`` (schema
locations and cache) → ``schema`` (schema validation) → ``integrity_*`` and ``policy_*``
(rules) → ``engine`` (runs them, applies exceptions) → ``output`` (text, json, junit, github).
"""
