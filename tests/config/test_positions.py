"""Tests for homegen.config.positions: where each key of a TOML document is."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homegen.config.positions import KeyPath, key_positions, locate, syntax_error_position

# -- explicit constructs -----------------------------------------------------


def test_top_level_keys_and_tables() -> None:
    text = 'name = "lab"\n\n[services.web]\nport = 80\n  host = "h"\n[other]\nx=1\n'
    assert key_positions(text) == {
        ("name",): (1, 1),
        ("services",): (3, 1),
        ("services", "web"): (3, 1),
        ("services", "web", "port"): (4, 1),
        ("services", "web", "host"): (5, 3),
        ("other",): (6, 1),
        ("other", "x"): (7, 1),
    }


def test_header_with_whitespace_and_indent() -> None:
    pos = key_positions('  [ a . "b.c" ]  # comment\nk = 1\n')
    assert pos[("a", "b.c")] == (1, 3)
    assert pos[("a", "b.c", "k")] == (2, 1)


def test_explicit_table_overrides_implicit_prefix() -> None:
    pos = key_positions("[a.b]\nx = 1\n[a]\ny = 2\n")
    assert pos[("a", "b")] == (1, 1)
    assert pos[("a",)] == (3, 1)
    assert pos[("a", "y")] == (4, 1)


def test_array_of_tables() -> None:
    text = "[[svc]]\nname = 'a'\n\n[[svc]]\nname = 'b'\n[svc.env]\nX = 1\n"
    pos = key_positions(text)
    assert pos[("svc",)] == (1, 1)
    assert pos[("svc", 0)] == (1, 1)
    assert pos[("svc", 0, "name")] == (2, 1)
    assert pos[("svc", 1)] == (4, 1)
    assert pos[("svc", 1, "name")] == (5, 1)
    assert pos[("svc", 1, "env")] == (6, 1)
    assert pos[("svc", 1, "env", "X")] == (7, 1)


def test_nested_array_of_tables() -> None:
    text = "[[f]]\n[[f.v]]\nn = 1\n[[f.v]]\nn = 2\n[[f]]\n  [[f.v]]\n  n = 3\n"
    pos = key_positions(text)
    assert pos[("f", 0, "v")] == (2, 1)
    assert pos[("f", 0, "v", 1, "n")] == (5, 1)
    assert pos[("f", 1)] == (6, 1)
    assert pos[("f", 1, "v", 0)] == (7, 3)
    assert pos[("f", 1, "v", 0, "n")] == (8, 3)


def test_dotted_keys_record_every_prefix_first_wins() -> None:
    text = "[a]\nx.y.z = 1\nx . y . w = 2\n"
    pos = key_positions(text)
    assert pos[("a", "x")] == (2, 1)
    assert pos[("a", "x", "y")] == (2, 1)
    assert pos[("a", "x", "y", "z")] == (2, 1)
    assert pos[("a", "x", "y", "w")] == (3, 1)


def test_quoted_keys_are_single_parts() -> None:
    text = '"foo.bar" = 1\n\'lit.\\x\' = 2\n"t\\u00e9\\"q" = 3\nsite."a b" = 4\n"" = 5\n'
    assert tomllib.loads(text)['t\u00e9"q'] == 3
    pos = key_positions(text)
    assert pos[("foo.bar",)] == (1, 1)
    assert pos[("lit.\\x",)] == (2, 1)
    assert pos[('t\u00e9"q',)] == (3, 1)
    assert pos[("site", "a b")] == (4, 1)
    assert pos[("",)] == (5, 1)


def test_bare_key_characters() -> None:
    pos = key_positions("A-z_0-9 = 1\n1234 = 2\n")
    assert pos == {("A-z_0-9",): (1, 1), ("1234",): (2, 1)}


def test_inline_tables_nest() -> None:
    text = "t = { a = 1, b = { c = 2 }, d.e = 3 }\n"
    assert key_positions(text) == {
        ("t",): (1, 1),
        ("t", "a"): (1, 7),
        ("t", "b"): (1, 14),
        ("t", "b", "c"): (1, 20),
        ("t", "d"): (1, 29),
        ("t", "d", "e"): (1, 29),
    }


def test_arrays_index_elements() -> None:
    text = "k = [1, {x = 1}, [2, {y = 3}]]\n"
    assert key_positions(text) == {
        ("k",): (1, 1),
        ("k", 0): (1, 6),
        ("k", 1): (1, 9),
        ("k", 1, "x"): (1, 10),
        ("k", 2): (1, 18),
        ("k", 2, 0): (1, 19),
        ("k", 2, 1): (1, 22),
        ("k", 2, 1, "y"): (1, 23),
    }


def test_multiline_array_with_comments_and_datetimes() -> None:
    text = "k = [\n  1979-05-27 07:32:00, # first, ] {\n  # [x]\n  'b',\n]\nn = 2\n"
    tomllib.loads(text)
    pos = key_positions(text)
    assert pos[("k", 0)] == (2, 3)
    assert pos[("k", 1)] == (4, 3)
    assert ("k", 2) not in pos
    assert pos[("n",)] == (6, 1)


def test_comments_are_skipped() -> None:
    text = "# [fake]\n# k = 1\na = 1 # b = 2\n[t] # [u]\n"
    assert key_positions(text) == {("a",): (3, 1), ("t",): (4, 1)}


def test_strings_hide_fake_keys_and_tables() -> None:
    text = (
        's1 = "a = 1 # [x] \\" [y]"\n'
        "s2 = 'c:\\path [z] = #'\n"
        's3 = """\n[fake]\nk = "v"\n\\""" still = "\n[[also.fake]]"""\n'
        "s4 = '''\n[fake2]\nk2 = 'v' # ''\n'''\n"
        's5 = """quote at end"""""\n'
        "s6 = '''two quotes'''''\n"
        "[real]\nafter = 1\n"
    )
    data = tomllib.loads(text)
    assert data["s5"] == 'quote at end""'
    pos = key_positions(text)
    assert set(pos) == {
        ("s1",),
        ("s2",),
        ("s3",),
        ("s4",),
        ("s5",),
        ("s6",),
        ("real",),
        ("real", "after"),
    }
    assert pos[("s3",)] == (3, 1)
    assert pos[("s4",)] == (8, 1)
    assert pos[("s5",)] == (12, 1)
    assert pos[("s6",)] == (13, 1)
    assert pos[("real",)] == (14, 1)
    assert pos[("real", "after")] == (15, 1)


def test_multiline_strings_inside_containers() -> None:
    text = "a = [\"\"\"\n[no]\n\"\"\", { k = '''\nx = 1\n''', j = 2 }]\n"
    tomllib.loads(text)
    pos = key_positions(text)
    assert pos[("a", 1)] == (3, 6)
    assert pos[("a", 1, "k")] == (3, 8)
    assert pos[("a", 1, "j")] == (5, 6)
    assert ("x",) not in pos and ("no",) not in pos


def test_crlf_line_endings_and_tabs() -> None:
    text = "a = 1\r\n[t]\r\n\tb = 2\r\n"
    tomllib.loads(text)
    assert key_positions(text) == {("a",): (1, 1), ("t",): (2, 1), ("t", "b"): (3, 2)}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[",
        "[[a]",
        "a",
        "a =",
        'a = "unterminated',
        'a = """never closed\n[x]\n',
        "a = [1, 2",
        "a = {b = 1",
        "a = 1 2\nb = 3",
        "a = " + "[" * 5000,
        "a = " + "{b = " * 3000,
        "=\n[x]",
        "\x00\udcff",
    ],
)
def test_malformed_text_never_raises(text: str) -> None:
    assert isinstance(key_positions(text), dict)


def test_malformed_text_keeps_what_was_found() -> None:
    pos = key_positions("a = 1\n[t]\nb = [1, {c = 2}, oops\nd = 4\n")
    assert pos[("a",)] == (1, 1)
    assert pos[("t", "b", 1, "c")] == (3, 10)
    assert ("t", "d") not in pos


# -- locate ------------------------------------------------------------------


def test_locate_exact_prefix_and_default() -> None:
    pos = key_positions("[services.web]\nport = 80\n")
    assert locate(pos, ("services", "web", "port")) == (2, 1)
    assert locate(pos, ("services", "web", "image", "tag")) == (1, 1)
    assert locate(pos, ("services", "db")) == (1, 1)
    assert locate(key_positions("\n\nx = 1"), ("x", "y")) == (3, 1)
    assert locate({}, ("anything",)) == (1, 1)
    assert locate(pos, ()) == (1, 1)


# -- syntax_error_position -----------------------------------------------------


def _error(text: str) -> tomllib.TOMLDecodeError:
    with pytest.raises(tomllib.TOMLDecodeError) as info:
        tomllib.loads(text)
    return info.value


def test_syntax_error_unclosed_table() -> None:
    line, col, msg = syntax_error_position(_error("a = 1\n[services\nx = 1\n"))
    assert (line, col) == (2, 10)
    assert msg == "Expected ']' at the end of a table declaration"


def test_syntax_error_duplicate_key() -> None:
    line, col, msg = syntax_error_position(_error("a = 1\nb = 2\na = 3\n"))
    assert (line, col) == (3, 6)
    assert msg == "Cannot overwrite a value"


def test_syntax_error_duplicate_table() -> None:
    line, col, msg = syntax_error_position(_error("[a]\nb = 1\n[a]\n"))
    assert (line, col) == (3, 3)
    assert msg == "Cannot declare ('a',) twice"


def test_syntax_error_at_end_of_document() -> None:
    text = "a = 1\n[services"
    exc = _error(text)
    assert syntax_error_position(exc, text) == (
        2,
        10,
        "Expected ']' at the end of a table declaration",
    )
    assert syntax_error_position(exc)[:2] == (1, 1)


def test_syntax_error_without_suffix() -> None:
    exc = tomllib.TOMLDecodeError("odd message")
    assert syntax_error_position(exc) == (1, 1, "odd message")


# -- property: every path tomllib sees is located at its key -------------------

_KEYS = st.sampled_from(["a", "port", "b-c", "x.y", "a b", "", 'q"t', "it's", "é", "1", "#[k]"])
_CHARS = st.sampled_from(list("ab #[]=.{}'\"\\\né"))
_SCALARS = st.integers(-(2**63), 2**63 - 1) | st.text(_CHARS, max_size=12)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=12,
)
_DOCS = st.dictionaries(_KEYS, _VALUES, max_size=5)
_BARE_RE = re.compile(r"[A-Za-z0-9_-]+")


def _key(key: str) -> str:
    """A bare key when possible, else a basic or literal quoted key."""
    if _BARE_RE.fullmatch(key):
        return key
    return f"'{key}'" if "'" not in key else json.dumps(key, ensure_ascii=False)


def _string(value: str) -> str:
    """A TOML string, multi-line when the value has line breaks."""
    if "\n" not in value:
        return json.dumps(value, ensure_ascii=False)
    if "'" not in value:
        return f"'''\n{value}'''"
    body = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"""\n{body}"""'


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return _string(value) if isinstance(value, str) else str(value)


def _is_aot(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _dumps(table: dict[str, Any], prefix: tuple[str, ...] = ()) -> str:
    """A tiny serializer that uses [table] and [[array]] headers."""
    plain = {k: v for k, v in table.items() if not isinstance(v, dict) and not _is_aot(v)}
    out = "".join(f"{_key(k)} = {_inline(v)}\n" for k, v in plain.items())
    for k, v in table.items():
        name = ".".join(_key(p) for p in (*prefix, k))
        if isinstance(v, dict):
            out += f"\n[{name}]\n" + _dumps(v, (*prefix, k))
        elif _is_aot(v):
            out += "".join(f"\n[[{name}]]\n" + _dumps(e, (*prefix, k)) for e in v)
    return out


def _paths(value: Any, prefix: KeyPath = ()) -> Iterator[tuple[KeyPath, Any]]:
    items: Any = value.items() if isinstance(value, dict) else enumerate(value)
    for k, v in items:
        yield (*prefix, k), v
        if isinstance(v, dict | list):
            yield from _paths(v, (*prefix, k))


def _starts_with_key(rest: str, key: str) -> bool:
    """Whether ``rest`` begins with ``key`` written bare or quoted."""
    if _BARE_RE.fullmatch(key) and rest.startswith(key):
        return True
    if not rest or rest[0] not in "\"'":
        return False
    for end, char in enumerate(rest[1:].split("\n")[0], start=2):
        if char == rest[0]:
            try:
                if tomllib.loads(rest[:end] + " = 0") == {key: 0}:
                    return True
            except tomllib.TOMLDecodeError:
                continue
    return False


def _check_document(text: str) -> None:
    data = tomllib.loads(text)
    positions = key_positions(text)
    lines = text.split("\n")
    for path, value in _paths(data):
        assert path in positions, (path, text)
        line, col = positions[path]
        rest = lines[line - 1][col - 1 :]
        if isinstance(path[-1], str) and not isinstance(value, dict | list):
            assert _starts_with_key(rest, path[-1]), (path, rest, text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCS)
def test_property_tomlkit_documents(doc: dict[str, Any]) -> None:
    _check_document(tomlkit.dumps(doc))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCS)
def test_property_header_documents(doc: dict[str, Any]) -> None:
    text = _dumps(doc)
    assert tomllib.loads(text) == doc
    _check_document(text)


@settings(max_examples=200, deadline=None)
@given(_DOCS, st.data())
def test_property_truncated_documents_never_raise(doc: dict[str, Any], data: st.DataObject) -> None:
    text = _dumps(doc)
    cut = data.draw(st.integers(0, len(text)))
    noise = data.draw(st.text(_CHARS, max_size=5))
    assert isinstance(key_positions(text[:cut] + noise + text[cut:]), dict)


@given(st.text())
def test_property_arbitrary_text_never_raises(text: str) -> None:
    assert isinstance(key_positions(text), dict)
