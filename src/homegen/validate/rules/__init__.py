"""The rule families: each module registers its findings and its whole-tree checks on import.

``integrity_*`` (HG2xx) check that the tree holds together, ``policy_*`` and ``pod_security``
(HG3xx) the hardening policy, ``app_rules`` and ``appsets`` the Applications themselves.
``app_facts``, ``workloads`` and ``unknown`` are what several families read: an app's facts,
the pod templates of the workloads, and what the tree does not show (apps never expanded).
``homegen.validate.run`` imports every family, which is what registers them.
"""
