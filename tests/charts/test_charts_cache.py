"""The chart cache: where it lives, content-addressed, atomic (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from chartkit import make_chart, sha256

from homegen.charts.archive import ArchiveError
from homegen.charts.cache import ChartCache, default_cache_root
from homegen.charts.model import ChartRef


def test_the_cache_root_follows_homegen_cache_dir_then_xdg_then_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOMEGEN_CACHE_DIR", str(tmp_path / "hg"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_root() == tmp_path / "hg" / "charts"
    monkeypatch.delenv("HOMEGEN_CACHE_DIR")
    assert default_cache_root() == tmp_path / "xdg" / "homegen" / "charts"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_root() == tmp_path / "home" / ".cache" / "homegen" / "charts"


def test_stored_charts_are_found_by_ref_and_shared_by_digest(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path / "c")
    data = make_chart("demo", "1.0.0")
    a = ChartRef("https://a.example/charts/", "demo", "1.0.0")
    b = ChartRef("oci://b.example/charts", "demo", "1.0.0")
    stored = cache.store(a, data, "https://a.example/charts/demo-1.0.0.tgz")
    assert stored.digest == f"sha256:{sha256(data)}"
    assert stored.archive == tmp_path / "c" / "blobs" / "sha256" / sha256(data)
    assert stored.archive.read_bytes() == data
    assert stored.path == tmp_path / "c" / "trees" / "sha256" / sha256(data) / "demo"
    assert cache.lookup(ChartRef("https://a.example/charts", "demo", "1.0.0")) == stored
    assert cache.lookup(b) is None
    assert cache.store(b, data, "oci") == stored  # same bytes: same blob and tree
    assert len(list((tmp_path / "c" / "refs").iterdir())) == 2
    hidden = [p for p in (tmp_path / "c").rglob(".*")]
    assert hidden == []  # no temp files left behind


def test_a_ref_whose_tree_is_gone_is_a_miss(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path)
    ref = ChartRef("https://a.example", "demo", "1.0.0")
    stored = cache.store(ref, make_chart("demo", "1.0.0"), "x")
    (stored.archive).unlink()
    assert cache.lookup(ref) is None


def test_an_archive_of_another_chart_is_not_recorded_for_the_ref(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path)
    ref = ChartRef("https://a.example", "demo", "1.0.0")
    with pytest.raises(ArchiveError, match=r"holds demo 2\.0\.0, not demo 1\.0\.0"):
        cache.store(ref, make_chart("demo", "2.0.0"), "x")
    assert cache.lookup(ref) is None
    assert not (tmp_path / "refs").exists()


def test_a_corrupt_ref_entry_is_a_miss(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path)
    ref = ChartRef("https://a.example", "demo", "1.0.0")
    cache.store(ref, make_chart("demo", "1.0.0"), "x")
    for entry in (tmp_path / "refs").iterdir():
        entry.write_text("{not json")
    assert cache.lookup(ref) is None


def test_concurrent_stores_of_one_chart_agree(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    data = make_chart("demo", "1.0.0")
    refs = [ChartRef(f"https://mirror{i % 3}.example", "demo", "1.0.0") for i in range(12)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda r: ChartCache(tmp_path).store(r, data, "x"), refs))
    assert len({(r.path, r.archive, r.digest) for r in results}) == 1
    assert (results[0].path / "Chart.yaml").is_file()
    assert [p.name for p in (tmp_path / "trees" / "sha256").iterdir()] == [sha256(data)]
    assert list(tmp_path.rglob(".*")) == []


def test_leftovers_of_a_killed_run_are_swept_fresh_ones_kept(tmp_path: Path) -> None:
    import os

    cache = ChartCache(tmp_path)
    trees, blobs = tmp_path / "trees" / "sha256", tmp_path / "blobs" / "sha256"
    stale_dir, fresh_dir = trees / ".unpack-old", trees / ".unpack-new"
    stale_file = blobs / ".abc.tmp"
    for folder in (stale_dir / "demo", fresh_dir, blobs):
        folder.mkdir(parents=True)
    stale_file.write_bytes(b"half")
    for old in (stale_dir, stale_file):
        os.utime(old, (0, 0))
    cache.store(ChartRef("https://a.example", "demo", "1.0.0"), make_chart("demo", "1.0.0"), "x")
    assert not stale_dir.exists() and not stale_file.exists()
    assert fresh_dir.is_dir()  # may belong to a pull running right now
