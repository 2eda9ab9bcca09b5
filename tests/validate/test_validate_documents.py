"""The loader: files, multi-document files, start lines, YAML problems as values."""

from __future__ import annotations

from pathlib import Path

from validate_trees import write_tree

from homegen.validate.reader.documents import documents_from_texts, load_tree


def test_load_tree_reads_yaml_files_sorted_with_start_lines(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "b.yml": "# comment\nkind: B\n---\nkind: C\n",
            "a/x.yaml": "kind: A\n",
            "README.md": "kind: not yaml\n",
            ".hidden/y.yaml": "kind: Hidden\n",
        },
    )
    docs = load_tree(tmp_path)
    assert [(d.file, d.index, d.line, d.obj["kind"]) for d in docs] == [
        ("a/x.yaml", 0, 1, "A"),
        ("b.yml", 0, 2, "B"),
        ("b.yml", 1, 4, "C"),
    ]


def test_empty_documents_are_skipped_but_counted_in_the_index() -> None:
    docs = documents_from_texts({"f.yaml": "---\n---\nkind: X\n"})
    assert [(d.index, d.obj) for d in docs] == [(1, {"kind": "X"})]


def test_duplicate_key_is_a_problem_not_a_crash() -> None:
    docs = documents_from_texts({"f.yaml": "kind: A\nmetadata:\n  name: a\n  name: b\n"})
    assert [(p.kind, p.line) for p in docs[0].problems] == [("duplicate-key", 4)]


def test_syntax_error_keeps_earlier_documents() -> None:
    docs = documents_from_texts({"f.yaml": "kind: A\n---\nkind: [B\n"})
    assert docs[0].obj == {"kind": "A"}
    assert docs[1].problems[0].kind == "syntax"


def test_timestamps_stay_strings_and_non_yaml_is_ignored() -> None:
    docs = documents_from_texts({"f.yaml": "date: 2024-01-01\n", "notes.txt": "x: 1\n"})
    assert [d.obj for d in docs] == [{"date": "2024-01-01"}]


def test_a_list_document_is_not_an_object() -> None:
    docs = documents_from_texts({"f.yaml": "- a\n- b\n"})
    assert docs[0].problems[0].kind == "not-an-object"


def test_as_validated_is_the_object_itself_when_no_key_is_null() -> None:
    """The schema check reads ``as_validated``: without a null key there is nothing to prune,
    so the object is not copied (homegen's own output never has one)."""
    from homegen.validate.reader.documents import as_validated

    obj = {"spec": {"ports": [{"port": 80}, [1, {"a": "b"}]], "empty": {}, "list": []}}
    assert as_validated(obj) is obj
    assert as_validated("x") == "x" and as_validated(None) is None


def test_as_validated_prunes_a_null_key_at_any_depth_as_without_null_keys() -> None:
    """Just outside: one null key anywhere (in a map in a list in a list) means the pruned
    copy, equal to without_null_keys's; a null list item is kept, as before."""
    from collections import OrderedDict

    from homegen.validate.reader.documents import as_validated, without_null_keys

    cases = [
        {"a": None},
        {"spec": {"ports": [{"port": 80, "targetPort": None}]}},
        {"x": [[{"deep": {"er": None}}]]},
        [{"k": None}, None],
        {"sub": OrderedDict(k=None)},  # a dict subclass: copied into a plain dict, as before
    ]
    for obj in cases:
        pruned = as_validated(obj)
        assert pruned is not obj and pruned == without_null_keys(obj)
    assert as_validated({"items": [None, 1]}) == {"items": [None, 1]}
    assert as_validated([{"k": None}, None]) == [{}, None]
