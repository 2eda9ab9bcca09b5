"""Secrets by 1Password item: every op:// reference becomes a key of one Secret."""

from __future__ import annotations

from collections import defaultdict

from homegen.config.fields import parse_op_ref, secret_name
from homegen.config.models import Config
from homegen.plan.model import SecretPlan


def references(config: Config) -> dict[str, list[str]]:
    """Every op:// reference, by the app or service that reads it."""
    refs: dict[str, list[str]] = {}
    for name, app in config.apps.items():
        if app.secrets:
            refs[name] = list(app.secrets)
    for name, svc in config.services.items():
        found = [*svc.secret_env.values(), *svc.secret_files.values()]
        if found:
            refs[name] = found
    return refs


def plan_secrets(config: Config) -> dict[str, tuple[SecretPlan, ...]]:
    """The Secrets each app or service needs, one per 1Password item, sorted."""
    planned: dict[str, tuple[SecretPlan, ...]] = {}
    for unit, refs in sorted(references(config).items()):
        namespace = _namespace(config, unit)
        by_item: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        for ref in refs:
            vault, item, field = parse_op_ref(ref)
            by_item[(vault, item)].add((field, ref))
        planned[unit] = tuple(
            SecretPlan(secret_name(item), namespace, vault, item, tuple(sorted(keys)))
            for (vault, item), keys in sorted(by_item.items())
        )
    return planned


def _namespace(config: Config, unit: str) -> str:
    spec = config.apps.get(unit) or config.services[unit]
    return spec.namespace or unit
