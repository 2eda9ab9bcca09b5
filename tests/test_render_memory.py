"""What a large render releases before its checks: the rendered bytes once staged, the
reader's cache of values once the tree is read, the C heap's free pages.

Above FORK_MAX_CONFIG_BYTES a render validates in its own process (homegen.validate.
background); it stages the files first, then parses them one by one, releasing each file's
bytes as it goes, so the text and the parsed tree are never held whole at once.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from homegen import heap
from homegen.ledger import LEDGER_NAME, parse_ledger
from homegen.pipeline import render_config
from homegen.validate import background
from homegen.validate.reader import canonical
from homegen.validate.reader.documents import documents_consuming, documents_from_texts
from homegen.writer import compare, forget_contents, stage
from robustness import render_cli

BAD_PROBE = (
    'probes.liveness = { type = "http", path = "/ready" }',
    'probes.liveness = { type = "http", path = "/ready", port = 9999 }',
)


def _rows(docs: list) -> list[tuple]:
    return [(d.file, d.index, d.line, d.obj, d.problems, d.skip) for d in docs]


def test_consuming_reads_what_the_plain_reader_reads_and_empties_the_files(homelab: Path) -> None:
    files = render_config(homelab / "services.toml").files
    files["README.md"] = b"not yaml\n"  # released too, never parsed
    expected = _rows(documents_from_texts(files))
    given = dict(files)
    assert _rows(documents_consuming(given)) == expected
    assert given == {}
    assert canonical._SCALARS == {}  # the values live in the tree now, not in the cache


def test_the_reader_reads_the_same_after_its_cache_is_forgotten(homelab: Path) -> None:
    files = render_config(homelab / "services.toml").files
    first = _rows(documents_from_texts(files))
    assert canonical._SCALARS  # filled by the read
    canonical.forget_scalars()
    assert canonical._SCALARS == {}
    assert _rows(documents_from_texts(files)) == first


def test_forgotten_contents_still_commit_creates_updates_and_deletes(tmp_path: Path) -> None:
    root = tmp_path / "rendered"
    first = {"keep.yaml": b"k\n", "change.yaml": b"old\n", "gone.yaml": b"g\n"}
    stage(root, compare(root, first)).commit()
    desired = {"keep.yaml": b"k\n", "change.yaml": b"new\n", "new/made.yaml": b"m\n"}
    diff = compare(root, desired)
    staged = stage(root, diff)
    actions = [(c.path, c.action) for c in diff.changes]
    forget_contents(diff)
    assert [(c.path, c.action) for c in diff.changes] == actions
    assert [(c.old, c.new) for c in diff.changes] == [
        (b"", b""),  # change.yaml: updated, its bytes dropped
        (b"", None),  # gone.yaml: still a delete
        (None, b""),  # new/made.yaml: still a create
    ]
    assert diff.final.files == {}
    staged.commit()
    assert {p: (root / p).read_bytes() for p in desired} == desired
    assert not (root / "gone.yaml").exists()
    ledger = parse_ledger((root / LEDGER_NAME).read_bytes())
    assert sorted(ledger.files) == sorted(desired)
    assert compare(root, desired).clean


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render as for a fleet too large to fork for (never forks)."""
    monkeypatch.setattr(background, "FORK_MAX_CONFIG_BYTES", 100)
    monkeypatch.setattr(os, "fork", None)  # would fail loudly if called


def test_a_large_render_in_process_writes_what_a_forked_one_writes(
    homelab: Path, tmp_path: Path, in_process: None
) -> None:
    code, err = render_cli(homelab / "services.toml", homelab / "rendered")
    assert code == 0, err
    expected = render_config(homelab / "services.toml").files
    out = homelab / "rendered"
    written = {p: (out / p).read_bytes() for p in expected}
    assert written == expected
    assert not [p for p in out.rglob("*") if p.name.endswith(".homegen-tmp")]


def test_a_large_render_in_process_with_findings_leaves_no_staged_file(
    homelab: Path, in_process: None
) -> None:
    config = homelab / "services.toml"
    out = homelab / "rendered"
    assert render_cli(config, out)[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    config.write_text(config.read_text().replace(*BAD_PROBE))
    code, err = render_cli(config, out)
    assert code == 1
    assert "nothing was written" in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_large_render_in_process_still_shows_its_diff(homelab: Path, in_process: None) -> None:
    """--diff keeps the bytes it shows (they are forgotten only without it)."""
    config = homelab / "services.toml"
    out = homelab / "rendered"
    assert render_cli(config, out)[0] == 0
    healthz = 'probes.liveness = { type = "http", path = "/healthz" }'
    config.write_text(config.read_text().replace(BAD_PROBE[0], healthz))
    code, text = render_cli(config, out, "--diff")
    assert code == 0, text
    assert '-              path: "/ready"' in text
    assert '+              path: "/healthz"' in text


def test_trim_is_harmless_where_there_is_no_malloc_trim(monkeypatch: pytest.MonkeyPatch) -> None:
    heap.trim()
    heap.trim()  # found once, called again
    monkeypatch.setattr(heap, "_TRIM", [None])
    heap.trim()
