"""The pure parts of the diff: field paths, noise, ignoreDifferences, Secret sizes, parts."""

from __future__ import annotations

from typing import Any

import pytest

from homegen.diff import ignore
from homegen.diff.model import AppDiff, DiffResult, FieldChange, Key, ObjectDiff
from homegen.diff.output_markdown import LIMIT, render_parts
from homegen.diff.secrets import masked, secret_keys
from homegen.diff.structural import field_changes, format_path

DEPLOY = Key("apps", "Deployment", "ns", "web")


def test_paths_name_list_items_and_quote_odd_keys() -> None:
    assert format_path(("spec", "containers", ("name", "a"), "image")) == (
        "spec.containers[name=a].image"
    )
    assert format_path(("metadata", "labels", "helm.sh/chart")) == (
        'metadata.labels["helm.sh/chart"]'
    )
    assert format_path(("args", 2)) == "args[2]"


@pytest.mark.parametrize(
    ("path", "noise"),
    [
        (("metadata", "labels", "helm.sh/chart"), "chart label"),
        (("spec", "template", "metadata", "labels", "app.kubernetes.io/version"), "chart label"),
        (("metadata", "labels", "chart"), "chart label"),
        (("metadata", "labels", "app.kubernetes.io/name"), ""),  # just outside the set
        (("spec", "selector", "matchLabels", "chart"), ""),  # a selector is not a label map
        (("metadata", "annotations", "checksum/config"), "checksum annotation"),
        (("metadata", "annotations", "checksums"), ""),
        (("webhooks", ("name", "w"), "clientConfig", "caBundle"), "caBundle"),
    ],
)
def test_noise(path: tuple[Any, ...], noise: str) -> None:
    def nest(value: str) -> Any:
        out: Any = value
        for segment in reversed(path):
            out = [{"name": segment[1], "x": out}] if isinstance(segment, tuple) else {segment: out}
        return out

    (change,) = field_changes(nest("1"), nest("2"))
    assert change.noise == noise


def test_values_that_differ_between_renders_are_noise() -> None:
    old = {"data": {"token": "abc", "mode": "a"}}
    new = {"data": {"token": "xyz", "mode": "b"}}
    changes = field_changes(old, new, frozenset({("data", "token")}))
    assert [(c.path, bool(c.noise)) for c in changes] == [
        ("data.mode", False),
        ("data.token", True),
    ]


def test_unnamed_lists_of_other_length_change_as_a_whole() -> None:
    (change,) = field_changes({"args": ["a", "b"]}, {"args": ["a", "b", "c"]})
    assert change == FieldChange("args", ["a", "b"], ["a", "b", "c"])


def _app(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"spec": {"ignoreDifferences": rules}}


def test_ignore_json_pointers_and_globs() -> None:
    obj = {"spec": {"replicas": 3, "template": {"x": 1}}, "metadata": {"labels": {"a/b": "1"}}}
    rules = ignore.rules_for(
        _app([{"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]},
              {"group": "*", "kind": "*", "jsonPointers": ["/metadata/labels/a~1b"]},
              {"group": "apps", "kind": "Deployment", "name": "other", "jsonPointers": ["/spec"]}]),
        DEPLOY,
    )  # fmt: skip
    assert len(rules) == 2
    out = ignore.apply_ignores(obj, rules, [])
    assert out == {"spec": {"template": {"x": 1}}, "metadata": {"labels": {}}}
    assert obj["spec"]["replicas"] == 3  # the input is not changed


def test_ignore_jq_subset() -> None:
    obj = {
        "spec": {
            "containers": [
                {"name": "a", "image": "x", "env": [1]},
                {"name": "b", "image": "y", "env": [2]},
            ],
            "m": {"k.1": 1, "k2": 2},
        }
    }
    rule = {
        "kind": "Deployment", "group": "apps",
        "jqPathExpressions": [
            '.spec.containers[] | select(.name == "b") | .image',
            ".spec.containers[].env",
            '.spec.m["k.1"]',
        ],
    }  # fmt: skip
    problems: list[str] = []
    out = ignore.apply_ignores(obj, [rule], problems)
    assert problems == []
    assert out["spec"] == {
        "containers": [{"name": "a", "image": "x"}, {"name": "b"}],
        "m": {"k2": 2},
    }


def test_unsupported_jq_is_reported_not_guessed() -> None:
    problems: list[str] = []
    rule = {"kind": "Deployment", "group": "apps", "jqPathExpressions": [".spec | keys"]}
    assert ignore.apply_ignores({"spec": {"a": 1}}, [rule], problems) == {"spec": {"a": 1}}
    assert problems and "not applied" in problems[0]


def test_secret_keys_and_sizes_never_values() -> None:
    old = {"data": {"a": "aGVsbG8=", "gone": "eA=="}, "stringData": {"s": "12345"}}
    new = {"data": {"a": "aGVsbG8h", "new": "eHl6"}, "stringData": {"s": "12345"}}
    keys = secret_keys(old, new)
    assert [(k.key, k.status, k.old_size, k.new_size) for k in keys] == [
        ("a", "changed", 5, 6), ("gone", "removed", 1, None), ("new", "added", None, 3),
    ]  # fmt: skip
    shown = repr(masked(new, {"a"}))
    assert "aGVsbG8h" not in shown and "12345" not in shown and "6 bytes, changed" in shown


def _big_result(apps: int, objects: int, lines: int) -> DiffResult:
    result = DiffResult("base", "head")
    for a in range(apps):
        app = AppDiff(f"app-{a:04d}", "changed")
        for o in range(objects):
            item = ObjectDiff(Key("", "ConfigMap", "ns", f"cm-{a}-{o}"), "changed")
            item.changes = [FieldChange(f"data.k{i}", "x" * 40, "y" * 40) for i in range(lines)]
            item.before = {"data": {f"k{i}": "x" * 40 for i in range(lines)}}
            item.after = {"data": {f"k{i}": "y" * 40 for i in range(lines)}}
            app.objects.append(item)
        result.apps.append(app)
    return result


@pytest.mark.parametrize(("apps", "objects", "lines"), [(1, 1, 1), (400, 2, 5), (2, 3, 2000)])
def test_parts_fit_and_name_everything(apps: int, objects: int, lines: int) -> None:
    result = _big_result(apps, objects, lines)
    parts = render_parts(result)
    assert all(len(p) <= LIMIT for p in parts)
    joined = "".join(parts)
    for app in result.apps:
        assert f"<code>{app.name}</code>" in joined
        for item in app.objects:
            assert item.key.name in joined
    for i, part in enumerate(parts, 1):
        assert part.startswith(f"<!-- homegen-diff part {i}/{len(parts)} -->\n")
    if apps == 1:
        assert len(parts) == 1
    else:
        assert len(parts) > 1
