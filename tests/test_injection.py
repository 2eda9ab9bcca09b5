"""Injection-proof YAML (DESIGN.md): whatever string services.toml holds comes back from the
rendered YAML as exactly that string, read by a YAML 1.1 reader (PyYAML, as kubectl) and a YAML 1.2
reader (ruamel.yaml), with no extra keys and no retyping."""

from __future__ import annotations

import io
import math
from typing import Any

import tomlkit
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from homegen.config.fields import http_path
from homegen.config.loader import load_config
from homegen.plan.build import build_plan
from homegen.render.tree import HEADER, render_tree
from homegen.render.yamltext import document
from robustness import MINIMAL

EXAMPLES = 100
TRICKY = [
    "on", "no", "off", "yes", "y", "n", "true", "False", "null", "Null", "~", "", " ",
    "1.10", "0x1F", "0o17", "017", "1e3", "1_000", ".inf", "-.inf", ".nan", "12:30", "12:30:45",
    "2001-12-14", "a: b", "a: b\nc: d", "- x", "#c", "a #c", "x\n", "\n", "'", '"', "\\", "'\"",
    "\x85", "\u2028", "\u2029", "\ufeff", "\ufeffbom", "\t", "\ttab", "\x00", "\x7f", "\r\n",
    "---", "...", "%YAML 1.1", "!!str x", "!tag", "&anchor", "*alias", "? key", "| block",
    "> folded", "@at", "`tick", "{a: 1}", "[1, 2]", "<<", "=", " lead", "trail ", "😀",
    "\U0010ffff", "\ufffe", "\uffff",
]  # fmt: skip
_ruamel = YAML(typ="safe", pure=True)
# TOML can hold every Unicode scalar value (controls as escapes); only surrogates are out.
texts = st.text(st.characters(blacklist_categories=("Cs",)))


def read_both(text: str) -> list[Any]:
    """The documents of text by PyYAML (1.1) and ruamel.yaml (1.2); asserts they agree."""
    docs = list(yaml.safe_load_all(text))
    assert list(_ruamel.load_all(io.StringIO(text))) == docs
    return docs


def render_with(**service: Any) -> dict[str, Any]:
    """Render MINIMAL with extra keys on [services.web]; the parsed files by path."""
    doc = tomlkit.parse(MINIMAL.read_text())
    for key, value in service.items():
        doc["services"]["web"][key] = value  # type: ignore[index]
    config = load_config(tomlkit.dumps(doc).encode("utf-8"))
    files = render_tree(build_plan(config))
    parsed = {}
    for path, text in files.items():
        if path.endswith(".yaml"):
            assert text.startswith(HEADER)
            docs = read_both(text)
            parsed[path] = docs[0] if len(docs) == 1 else docs
    return parsed


def _deployment_parts(parsed: dict[str, Any]) -> tuple[Any, Any, Any]:
    pod = parsed["manifests/web/deployment.yaml"]["spec"]["template"]
    return (
        pod["spec"]["containers"][0]["env"],
        pod["metadata"]["annotations"],
        parsed.get("manifests/web/configmap.yaml", {}).get("data"),
    )


def test_tricky_strings_round_trip_everywhere() -> None:
    env = {f"V{i:02}": text for i, text in enumerate(TRICKY)}
    notes = {f"example.com/n{i:02}": text for i, text in enumerate(TRICKY)}
    files = {f"/etc/web/f{i:02}": text for i, text in enumerate(TRICKY)}
    parsed = render_with(env=env, annotations=notes, config_files=files)
    got_env, got_notes, got_files = _deployment_parts(parsed)
    assert got_env == [{"name": k, "value": v} for k, v in env.items()]
    assert {k: v for k, v in got_notes.items() if k != "checksum/config"} == notes
    assert got_files == {f"etc-web-f{i:02}": text for i, text in enumerate(TRICKY)}


@settings(max_examples=EXAMPLES, deadline=None)
@given(env_value=texts, annotation=texts, contents=texts)
@example(env_value="\x00", annotation="\ufeff", contents="a: b\n- x\n#c\n")
def test_env_annotation_and_config_file_strings_round_trip(
    env_value: str, annotation: str, contents: str
) -> None:
    parsed = render_with(
        env={"VALUE": env_value},
        annotations={"example.com/note": annotation},
        config_files={"/etc/web/app.conf": contents},
    )
    env, annotations, data = _deployment_parts(parsed)
    assert env == [{"name": "VALUE", "value": env_value}]
    assert set(annotations) == {"example.com/note", "checksum/config"}
    assert annotations["example.com/note"] == annotation
    assert data == {"etc-web-app.conf": contents}


LABEL_VALUE = st.from_regex(r"\A(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?\Z")


@settings(max_examples=EXAMPLES, deadline=None)
@given(value=LABEL_VALUE)
@example(value="on")
@example(value="1.10")
@example(value="0x1F")
@example(value="no")
@example(value="")
@example(value="1e3")
def test_label_values_round_trip(value: str) -> None:
    parsed = render_with(labels={"example.com/tier": value})
    labels = parsed["manifests/web/deployment.yaml"]["metadata"]["labels"]
    assert labels["example.com/tier"] == value
    assert all(isinstance(v, str) for v in labels.values())
    assert len(labels) == 10  # the nine standard labels and this one: no extra keys


def _valid_path(text: str) -> bool:
    try:
        http_path(text)
    except ValueError:
        return False
    return True


PATHS = st.from_regex(r"\A/[-A-Za-z0-9/._~!$&'()*+,;=:@%]{0,40}\Z").filter(_valid_path)
LABEL = r"[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?"
HOSTS = st.from_regex(rf"\A(\*\.)?{LABEL}(\.{LABEL}){{0,3}}\Z")


@settings(max_examples=EXAMPLES, deadline=None)
@given(path=PATHS, hosts=st.lists(HOSTS, min_size=1, max_size=3, unique=True))
@example(path="/on:no", hosts=["1.10", "on", "no"])
@example(path="/a:b#", hosts=["x"])  # '#' is refused by the loader; filtered out
@example(path="/~", hosts=["*.0x1f"])
def test_route_paths_and_hostnames_round_trip(path: str, hosts: list[str]) -> None:
    if not _valid_path(path):
        return
    parsed = render_with(route={"path": path, "hosts": hosts})
    spec = parsed["manifests/gateway/httproute-web.yaml"]["spec"]
    assert spec["hostnames"] == sorted(hosts)
    assert spec["rules"][0]["matches"] == [{"path": {"type": "PathPrefix", "value": path}}]


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | texts
    | st.sampled_from(TRICKY)
)
json_like = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(texts | st.sampled_from(TRICKY), inner, max_size=4)
    ),
    max_leaves=20,
)


def _same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (1 == 1.0 == True would hide a retyping)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return bool(a == b)


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(value=st.dictionaries(texts | st.sampled_from(TRICKY), json_like, max_size=5))
def test_yamltext_document_round_trips_any_json_like_data(value: dict[str, Any]) -> None:
    text = document(value)
    assert _same(yaml.safe_load(text), value if value else {})
    assert _same(_ruamel.load(io.StringIO(text)), value if value else {})
