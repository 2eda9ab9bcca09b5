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
