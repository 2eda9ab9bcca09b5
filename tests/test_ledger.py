"""The ledger: ownership is a (path, hash) pair, never a hash alone; the file round-trips."""

from __future__ import annotations

from pathlib import Path

from homegen.ledger import LEDGER_NAME, Ledger, digest, read_ledger
from homegen.writer import apply, compare


def test_owns_checks_the_path_and_the_hash() -> None:
    ledger = Ledger({"a.yaml": {digest(b"a\n")}, "b.yaml": {digest(b"b\n"), digest(b"B\n")}})
    assert ledger.owns("a.yaml", b"a\n")
    assert ledger.owns("b.yaml", b"b\n") and ledger.owns("b.yaml", b"B\n")
    assert not ledger.owns("a.yaml", b"b\n")  # a hash homegen wrote, but to another path
    assert not ledger.owns("c.yaml", b"a\n")  # a path homegen never wrote
    assert not ledger.owns("a.yaml", b"edited\n")


def test_file_edited_to_the_bytes_of_another_owned_file_is_an_edit(tmp_path: Path) -> None:
    apply(tmp_path, compare(tmp_path, {"a.yaml": b"a\n", "b.yaml": b"b\n"}))
    (tmp_path / "b.yaml").write_bytes(b"a\n")  # by hand: a copy of a.yaml
    diff = compare(tmp_path, {"a.yaml": b"a\n", "b.yaml": b"B\n"})
    assert diff.edited == ["b.yaml"]
    assert diff.changes == []


def test_foreign_file_with_the_bytes_of_an_owned_file_is_not_ours(tmp_path: Path) -> None:
    apply(tmp_path, compare(tmp_path, {"a.yaml": b"a\n"}))
    (tmp_path / "c.yaml").write_bytes(b"a\n")
    diff = compare(tmp_path, {"a.yaml": b"a\n", "c.yaml": b"c\n"})
    assert diff.foreign == ["c.yaml"]


def test_ledger_round_trips_and_both_encodings_agree(tmp_path: Path) -> None:
    ledger = Ledger({"x/b.yaml": {digest(b"2"), digest(b"1")}, "a.yaml": {digest(b"a")}})
    assert ledger.to_bytes() == ledger.json_bytes()
    (tmp_path / LEDGER_NAME).write_bytes(ledger.to_bytes())
    again = read_ledger(tmp_path)
    assert again.present and again.files == ledger.files


def test_missing_or_unreadable_ledger_is_absent(tmp_path: Path) -> None:
    assert read_ledger(tmp_path).present is False
    for text in (b"{", b"[]", b'{"files": []}'):
        (tmp_path / LEDGER_NAME).write_bytes(text)
        assert read_ledger(tmp_path) == Ledger(present=False), text


def test_fast_encoding_quotes_what_json_quotes() -> None:
    """A hand-edited ledger may hold any text: quoted exactly as json.dumps quotes it."""
    odd = Ledger({'a"b\\c.yaml': {"\u00e9\n"}, "z.yaml": {'"', "\x00"}, "\u2028.yaml": {"x"}})
    assert odd.to_bytes() == odd.json_bytes()


def test_fast_encoding_equals_the_reference_for_empty_forms() -> None:
    for ledger in (Ledger(), Ledger({"a.yaml": set()}), Ledger({"a.yaml": {digest(b"a")}})):
        assert ledger.to_bytes() == ledger.json_bytes(), ledger.files
    assert Ledger().to_bytes() == (
        b'{\n "files": {},\n "generator": "homegen",\n "version": 1\n}\n'
    )


def test_a_single_hash_written_as_a_string_is_read(tmp_path: Path) -> None:
    (tmp_path / LEDGER_NAME).write_bytes(b'{"files": {"a.yaml": "abc"}}')
    assert read_ledger(tmp_path).files == {"a.yaml": {"abc"}}


EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_the_ledger_file_is_stable_json_with_sorted_paths_and_sha256_hashes() -> None:
    # Users commit the ledger: its bytes must not change between homegen versions.
    assert digest(b"") == EMPTY_SHA256
    ledger = Ledger({"x/b.yaml": {"2" * 64, "1" * 64}, "a.yaml": {EMPTY_SHA256}})
    assert ledger.to_bytes().decode() == (
        "{\n"
        ' "files": {\n'
        '  "a.yaml": [\n'
        f'   "{EMPTY_SHA256}"\n'
        "  ],\n"
        '  "x/b.yaml": [\n'
        f'   "{"1" * 64}",\n'
        f'   "{"2" * 64}"\n'
        "  ]\n"
        " },\n"
        ' "generator": "homegen",\n'
        ' "version": 1\n'
        "}\n"
    )
