"""The plan: facts derived from the Config (waves, namespaces, grants, secrets)."""
