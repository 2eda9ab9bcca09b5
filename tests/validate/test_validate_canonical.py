"""The fast canonical reader reads exactly what PyYAML reads, or gives way to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homegen.render.yamltext import document
from homegen.validate.reader.canonical import NotCanonical, read_documents
from homegen.validate.reader.documents import parse_text, parse_with_yaml

REPO = Path(__file__).resolve().parents[2]
TREES = [REPO / "rendered", *sorted((REPO / "tests" / "cases" / "golden").glob("*/expected"))]


def _yaml_view(file: str, text: str) -> list[tuple[int, Any]]:
    return [(doc.line, doc.obj) for doc in parse_with_yaml(file, text)]


@pytest.mark.parametrize("root", TREES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_rendered_file_reads_as_pyyaml_reads_it(root: Path) -> None:
    files = sorted(root.rglob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert read_documents(text) == _yaml_view(path.name, text), path


scalars = st.one_of(
    st.text(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)
keys = st.one_of(st.text(min_size=1), st.sampled_from(["on", "y", "No", "a.b/c", "- x", "#"]))
data = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(keys, data, min_size=1, max_size=5), min_size=1, max_size=3))
def test_canonical_documents_read_back_exactly(values: list[dict[str, Any]]) -> None:
    text = "# header\n" + "---\n".join(document(value) for value in values)
    fast = read_documents(text)
    assert [obj for _, obj in fast] == values
    assert fast == _yaml_view("x.yaml", text)


@pytest.mark.parametrize(
    "text",
    [
        "key: value\n",  # a plain string
        "key: {a: 1}\n",  # flow style
        "a: &x 1\nb: *x\n",  # anchors
        "a: 1\n  # indented comment\n",
        "a:\n\t- 1\n",  # a tab
        'y: "1"\n',  # a key YAML 1.1 reads as a boolean
        "a: 012\n",  # an octal in YAML 1.1
        "a: 2024-01-01\n",  # a timestamp
        "a: 1\na: 2\n",  # a duplicate key
        "a: 1\n---\n---\nb: 2\n",  # an empty document in between
        'a: "x" # comment\n',
    ],
)
def test_other_styles_give_way_to_pyyaml(text: str) -> None:
    with pytest.raises(NotCanonical):
        read_documents(text)
    assert [(d.line, d.obj, d.problems) for d in parse_text("f.yaml", text)] == [
        (d.line, d.obj, d.problems) for d in parse_with_yaml("f.yaml", text)
    ]


def test_duplicate_key_is_still_reported() -> None:
    (doc,) = parse_text("f.yaml", 'a: "1"\na: "2"\n')
    assert [p.kind for p in doc.problems] == ["duplicate-key"]
