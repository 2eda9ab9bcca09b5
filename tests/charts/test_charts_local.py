"""Local chart folders: ``--charts DIR`` and ``HOMEGEN_CHARTS``, unpacked or packed (issue 14)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from chartkit import make_chart, write_unpacked

from homegen.charts import ChartRef, ChartSearch, locate_chart

REF = ChartRef("https://charts.example.invalid/repo", "demo", "1.2.3")


def offline(*dirs: Path) -> ChartSearch:
    return ChartSearch.from_env(dirs, online=False)


def test_an_unpacked_chart_folder_is_used_in_place(tmp_path: Path) -> None:
    root = write_unpacked(tmp_path / "charts", "demo", "1.2.3")
    found = locate_chart(REF, offline(tmp_path / "charts"))
    assert (found.origin, found.path, found.archive) == ("local", root, None)
    assert found.found and found.available
    assert found.message == f"{REF}: local {root}"


def test_a_packed_chart_is_unpacked_into_the_cache_by_digest(
    tmp_path: Path, cache_root: Path
) -> None:
    (tmp_path / "charts").mkdir()
    archive = tmp_path / "charts" / "demo-1.2.3.tgz"
    archive.write_bytes(make_chart("demo", "1.2.3"))
    found = locate_chart(REF, offline(tmp_path / "charts"))
    assert found.origin == "local" and found.archive == archive
    assert found.path is not None and (found.path / "Chart.yaml").is_file()
    assert found.path.is_relative_to(cache_root / "trees" / "sha256")
    assert found.digest.startswith("sha256:") and found.digest[7:] in str(found.path)
    assert (found.path / "templates" / "configmap.yaml").is_file()


def test_folders_are_searched_in_order_and_misses_are_listed(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    root = write_unpacked(second, "demo", "1.2.3")
    write_unpacked(second, "demo", "9.9.9")
    found = locate_chart(REF, offline(tmp_path / "nowhere", first, second))
    assert found.path == root
    assert found.tried == (
        f"{tmp_path / 'nowhere'}: no such folder",
        f"{first}: no demo-1.2.3/ or demo-1.2.3.tgz",
    )


def test_homegen_charts_is_a_path_list_searched_after_the_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flag, env_a, env_b = tmp_path / "flag", tmp_path / "env-a", tmp_path / "env-b"
    root = write_unpacked(env_b, "demo", "1.2.3")
    monkeypatch.setenv("HOMEGEN_CHARTS", f"{env_a}{os.pathsep}{env_b}")
    search = offline(flag)
    assert search.chart_dirs == (flag, env_a, env_b)
    assert locate_chart(REF, search).path == root


def test_a_folder_whose_chart_yaml_names_another_version_is_not_used(tmp_path: Path) -> None:
    root = write_unpacked(tmp_path, "demo", "1.2.3")
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 1.2.4\n")
    found = locate_chart(REF, offline(tmp_path))
    assert found.origin == "missing"
    assert f"{root}: holds demo 1.2.4, not demo 1.2.3" in found.tried


def test_a_broken_archive_is_skipped_with_its_reason(tmp_path: Path) -> None:
    (tmp_path / "demo-1.2.3.tgz").write_bytes(b"not gzip at all")
    found = locate_chart(REF, offline(tmp_path))
    assert found.origin == "missing"
    assert any("demo-1.2.3.tgz: not a readable chart archive" in line for line in found.tried)


def test_nowhere_and_offline_is_a_value_naming_every_place_tried(
    tmp_path: Path, cache_root: Path
) -> None:
    found = locate_chart(REF, offline(tmp_path))
    assert (found.origin, found.path, found.found, found.available) == (
        "missing", None, False, False,
    )  # fmt: skip
    assert found.message == (
        f"{REF}: not found, tried: {tmp_path}: no demo-1.2.3/ or demo-1.2.3.tgz; "
        f"cache {cache_root}: not cached; network: not tried (offline)"
    )


def test_a_packed_chart_still_works_when_the_cache_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    monkeypatch.setenv("HOMEGEN_CACHE_DIR", str(blocker))
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "demo-1.2.3.tgz").write_bytes(make_chart("demo", "1.2.3"))
    found = locate_chart(REF, offline(tmp_path / "charts"))
    assert found.found and found.origin == "local"
    assert "not writable" in found.note and "kept for this run only" in found.note


def test_a_range_picks_the_newest_matching_chart_of_the_first_folder_that_has_one(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    write_unpacked(first, "demo", "2.0.0")
    write_unpacked(second, "demo", "1.2.0")
    (second / "demo-1.2.9.tgz").write_bytes(make_chart("demo", "1.2.9"))
    write_unpacked(second, "demo", "1.3.0")
    write_unpacked(second, "demo-extra", "1.2.10")  # another chart whose name starts alike
    ref = ChartRef(REF.repo_url, "demo", "1.2.*")
    found = locate_chart(ref, offline(first, second))
    assert (found.origin, found.resolved, found.version) == ("local", "1.2.9", "1.2.9")
    assert found.archive == second / "demo-1.2.9.tgz" and found.ref == ref
    assert found.note == f"'1.2.*' resolved to 1.2.9 ({second})"
    assert found.tried[0] == f"{first}: no demo version matching '1.2.*'"
