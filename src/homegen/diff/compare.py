"""Pairing: apps by name, objects by (app, group, kind, namespace, name); moves between
apps and renamed apps recognised; each pair diffed structurally."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homegen.diff import ignore, secrets, signals
from homegen.diff.model import AppDiff, DiffResult, FieldChange, Key, ObjectDiff, Side
from homegen.diff.structural import RERENDER, Path, differing_paths, field_changes

Masks = dict[tuple[str, Key], frozenset[Path]]  # (app, key) → paths that differ between renders
Pair = tuple[dict[str, Any] | None, dict[str, Any] | None]


def _where(side: Side) -> dict[Key, str]:
    """Each object's app on one side (the first app, in name order, when two sync it)."""
    found: dict[Key, str] = {}
    for app in sorted(side.objects):
        for key in side.objects[app]:
            found.setdefault(key, app)
    return found


def changed_chart_apps(base: Side, head: Side) -> set[str]:
    """Apps with an object a chart made that differs between the sides: the ones worth a
    second render to find random values."""
    found = set()
    for app in set(base.chart_sources) | set(head.chart_sources):
        keys = base.chart_sources.get(app, set()) | head.chart_sources.get(app, set())
        old, new = base.objects.get(app, {}), head.objects.get(app, {})
        if any(k in old and k in new and old[k] != new[k] for k in keys):
            found.add(app)
    return found


def masks_of(first: Side, second: Side) -> Masks:
    """Where the second render differs from the first, per object."""
    masks: Masks = {}
    for app, objects in second.objects.items():
        for key, obj in objects.items():
            before = first.objects.get(app, {}).get(key)
            if before is not None and before != obj:
                masks[(app, key)] = differing_paths(before, obj)
    return masks


def compare(base: Side, head: Side, masks: tuple[Masks, Masks] = ({}, {})) -> DiffResult:
    """The result, review signals included."""
    result = DiffResult(base.label, head.label)
    base_where, head_where = _where(base), _where(head)
    renames = _renames(base, head)
    names = sorted((set(base.objects) | set(head.objects)) - set(renames.values()))
    for name in names:
        old_name = renames.get(name, name)
        app = _app(name, old_name, base, head, base_where, head_where, masks, result)
        if app is not None:
            result.apps.append(app)
    pairs = {
        name: (base.apps.get(renames.get(name, name)), head.apps.get(name))
        for name in set(base.apps) | set(head.apps)
    }
    result.review, result.review_reasons = signals.review(result.apps, result.risks, pairs)
    return result


def _renames(base: Side, head: Side) -> dict[str, str]:
    """new name → old name, for an app gone from BASE and one new on HEAD with the same
    (non-empty) set of object keys."""
    gone = {n: frozenset(base.objects[n]) for n in base.objects if n not in head.objects}
    new = {n: frozenset(head.objects[n]) for n in head.objects if n not in base.objects}
    found: dict[str, str] = {}
    for name, keys in sorted(new.items()):
        match = [old for old, old_keys in sorted(gone.items()) if keys and old_keys == keys]
        if match and match[0] not in found.values():
            found[name] = match[0]
    return found


def _app(
    name: str,
    old_name: str,
    base: Side,
    head: Side,
    base_where: dict[Key, str],
    head_where: dict[Key, str],
    masks: tuple[Masks, Masks],
    result: DiffResult,
) -> AppDiff | None:
    in_base, in_head = old_name in base.objects, name in head.objects
    status = "changed" if in_base and in_head else "added" if in_head else "removed"
    if old_name != name:
        status = "renamed"
    old = base.objects.get(old_name, {})
    new = head.objects.get(name, {})
    rules = head.apps.get(name) or base.apps.get(old_name) or {}
    app = AppDiff(name, status, renamed_from=old_name if old_name != name else "")  # type: ignore[arg-type]
    failure = head.failures.get(name) or base.failures.get(old_name)
    if failure:
        side = head.label if name in head.failures else base.label
        app.failure = f"not rendered at {side}: {failure}"
        result.errors.append(f"{name}: {app.failure}")
    for key in sorted(set(old) | set(new)):
        moved_from = ""
        before: dict[str, Any] | None
        if key not in old and base_where.get(key) not in (None, old_name):
            moved_from = base_where[key]
            before = base.objects[moved_from][key]
        elif key not in new and head_where.get(key) not in (None, name):
            continue  # reported where it moved to
        else:
            before = old.get(key)
        mask = masks[0].get((old_name, key), frozenset()) | masks[1].get((name, key), frozenset())
        item = _object(name, key, before, new.get(key), rules, mask, result)
        if item is not None:
            if moved_from:
                item.status, item.moved_from = "moved", moved_from
            app.objects.append(item)
    if status == "changed" and not app.objects and not app.failure:
        return None
    return app


def _object(
    app: str,
    key: Key,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    app_spec: dict[str, Any],
    mask: frozenset[Path],
    result: DiffResult,
) -> ObjectDiff | None:
    rules = ignore.rules_for(app_spec, key)
    problems: list[str] = []
    old = ignore.apply_ignores(old, rules, problems) if old is not None else None
    new = ignore.apply_ignores(new, rules, problems) if new is not None else None
    result.notes += [f"{app}: {key.label()}: {p}" for p in problems if p not in result.notes]
    if old == new:
        return None
    status = "added" if old is None else "removed" if new is None else "changed"
    item = ObjectDiff(key, status)  # type: ignore[arg-type]
    shown: Callable[[dict[str, Any]], dict[str, Any]] = lambda o: o  # noqa: E731
    if secrets.is_secret(key):
        item.secret_keys = secrets.secret_keys(old, new)
        changed = {k.key for k in item.secret_keys}
        shown = lambda o: secrets.masked(o, changed)  # noqa: E731
        compared: Pair = (
            secrets.without_values(old) if old is not None else None,
            secrets.without_values(new) if new is not None else None,
        )
    else:
        compared = (old, new)
    if status == "changed":
        assert compared[0] is not None and compared[1] is not None
        item.changes = field_changes(compared[0], compared[1], mask) + _random_keys(item, mask)
        if not item.changes and not item.secret_keys:
            return None
    item.before = shown(old) if old is not None else None
    item.after = shown(new) if new is not None else None
    result.images += signals.image_changes(app, old, new)
    if not item.noise_only:
        result.risks += signals.object_risks(app, key, status, old, new)
    return item


def _random_keys(item: ObjectDiff, mask: frozenset[Path]) -> list[FieldChange]:
    """Secret keys whose value differs between two renders: moved from the keys that changed
    to the noise (their values still never shown)."""
    masked = {k for k in item.secret_keys if _masked_key(k.key, mask)}
    item.secret_keys = [k for k in item.secret_keys if k not in masked]
    return [
        FieldChange(k.key, f"(secret value, {k.old_size} bytes)",
                    f"(secret value, {k.new_size} bytes)", RERENDER)
        for k in sorted(masked, key=lambda k: k.key)
    ]  # fmt: skip


def _masked_key(name: str, mask: frozenset[Path]) -> bool:
    field, _sep, key = name.partition(".") if name.startswith("stringData.") else ("data", "", name)
    return (field, key) in mask or (field,) in mask
