"""Classic Helm repositories over HTTP, against a repository on 127.0.0.1 (issue 14)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from chartkit import index_yaml, make_chart, serve, sha256

from homegen.charts import ChartRef, ChartSearch, locate_chart

DEMO = make_chart("demo", "1.2.3")


def repo_routes(entries: dict[str, list[dict[str, object]]] | None = None) -> dict[str, object]:
    entries = entries or {
        "demo": [
            {"version": "2.0.0", "urls": ["demo-2.0.0.tgz"], "digest": "0" * 64},
            {"version": "1.2.3", "urls": ["charts/demo-1.2.3.tgz"], "digest": sha256(DEMO)},
        ]
    }
    return {"/repo/index.yaml": index_yaml(entries), "/repo/charts/demo-1.2.3.tgz": DEMO}


def online() -> ChartSearch:
    return ChartSearch.from_env(online=True, timeout=5)


def test_a_chart_is_downloaded_checked_and_cached_then_found_without_the_network(
    cache_root: Path,
) -> None:
    with serve(repo_routes()) as server:
        ref = ChartRef(f"{server.base}/repo/", "demo", "1.2.3")
        found = locate_chart(ref, online())
        assert found.origin == "network" and found.found
        assert found.source == f"{server.base}/repo/charts/demo-1.2.3.tgz"  # relative url
        assert found.digest == f"sha256:{sha256(DEMO)}" and found.note == ""
        assert found.path is not None and found.path.is_relative_to(cache_root)
        assert server.requests == ["/repo/index.yaml", "/repo/charts/demo-1.2.3.tgz"]
        again = locate_chart(ref, online())  # a new run: a new search, the same cache
        assert (again.origin, again.path, again.digest) == ("cache", found.path, found.digest)
        assert len(server.requests) == 2  # the second lookup did not touch the network


def test_a_wrong_digest_is_refused_and_nothing_is_cached(cache_root: Path) -> None:
    entries = {"demo": [{"version": "1.2.3", "urls": ["charts/demo-1.2.3.tgz"],
                         "digest": sha256(b"something else")}]}  # fmt: skip
    with serve(repo_routes(entries)) as server:
        found = locate_chart(ChartRef(f"{server.base}/repo", "demo", "1.2.3"), online())
    assert found.origin == "missing" and not found.found
    assert f"does not match the index's sha256:{sha256(b'something else')}" in found.message
    assert not (cache_root / "refs").exists()


def test_a_missing_version_names_the_versions_there_are() -> None:
    with serve(repo_routes()) as server:
        search = online()
        found = locate_chart(ChartRef(f"{server.base}/repo", "demo", "1.0.0"), search)
        other = locate_chart(ChartRef(f"{server.base}/repo", "nope", "1.0.0"), search)
        assert server.requests == ["/repo/index.yaml"]  # one index fetch for both lookups
    assert found.origin == "missing"
    assert found.tried[-1] == (
        f"{server.base}/repo/index.yaml: demo has no version 1.0.0 (2.0.0, 1.2.3, …)"
    )
    assert other.tried[-1] == f"{server.base}/repo/index.yaml: no chart 'nope'"


def test_absolute_urls_and_an_index_without_digest(tmp_path: Path) -> None:
    with serve({"/elsewhere/demo.tgz": DEMO}) as files:
        entries = {"demo": [{"version": "1.2.3", "urls": [f"{files.base}/elsewhere/demo.tgz"]}]}
        with serve({"/index.yaml": index_yaml(entries)}) as repo:
            found = locate_chart(ChartRef(repo.base, "demo", "1.2.3"), online())
    assert found.origin == "network" and found.source == f"{files.base}/elsewhere/demo.tgz"
    assert found.note == "the index publishes no digest; not checked"


def test_an_unreachable_repository_is_not_found_with_the_reason() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    found = locate_chart(ChartRef(f"http://127.0.0.1:{port}", "demo", "1.2.3"), online())
    assert found.origin == "missing"
    assert found.tried[-1].startswith(f"http://127.0.0.1:{port}/index.yaml: unreachable (")


def test_a_missing_index_or_a_page_that_is_no_index() -> None:
    with serve({"/html/index.yaml": b"<html>hello</html>"}) as server:
        missing = locate_chart(ChartRef(f"{server.base}/none", "demo", "1.2.3"), online())
        html = locate_chart(ChartRef(f"{server.base}/html", "demo", "1.2.3"), online())
    assert missing.tried[-1] == f"{server.base}/none/index.yaml: not found (HTTP 404)"
    assert html.tried[-1] == f"{server.base}/html/index.yaml: not a chart index (no entries)"


def test_an_archive_that_holds_another_chart_is_refused() -> None:
    entries = {"demo": [{"version": "1.2.3", "urls": ["x.tgz"]}]}
    routes = {"/index.yaml": index_yaml(entries), "/x.tgz": make_chart("demo", "9.9.9")}
    with serve(routes) as server:
        found = locate_chart(ChartRef(server.base, "demo", "1.2.3"), online())
    assert found.origin == "missing"
    assert found.tried[-1] == f"{server.base}: demo-1.2.3: holds demo 9.9.9, not demo 1.2.3"


def test_a_lookup_without_download_only_reads_the_index(cache_root: Path) -> None:
    with serve(repo_routes()) as server:
        ref = ChartRef(f"{server.base}/repo", "demo", "1.2.3")
        seen = locate_chart(ref, online(), download=False)
        assert server.requests == ["/repo/index.yaml"]
    assert (seen.origin, seen.path, seen.available, seen.found) == ("network", None, True, False)
    assert seen.source == f"{server.base}/repo/charts/demo-1.2.3.tgz"
    assert not cache_root.exists()


def test_the_same_search_answers_a_repeated_lookup_from_memory() -> None:
    with serve(repo_routes()) as server:
        search = online()
        ref = ChartRef(f"{server.base}/repo", "nope", "1.0.0")
        assert locate_chart(ref, search) is locate_chart(ref, search)
        assert len(server.requests) == 1


def test_homegen_offline_keeps_the_lookup_off_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOMEGEN_OFFLINE", "1")
    with serve(repo_routes()) as server:
        found = locate_chart(ChartRef(f"{server.base}/repo", "demo", "1.2.3"), online())
        assert server.requests == []
    assert found.tried[-1] == "network: not tried (offline)"


def test_a_version_range_takes_the_newest_match_of_the_index_then_the_cache_offline() -> None:
    routes = repo_routes()
    entries = {"demo": [
        {"version": "1.2.3", "urls": ["charts/demo-1.2.3.tgz"], "digest": sha256(DEMO)},
        {"version": "1.3.0-rc.1", "urls": ["rc.tgz"]},
        {"version": "1.1.0", "urls": ["old.tgz"]},
    ]}  # fmt: skip
    routes["/repo/index.yaml"] = index_yaml(entries)
    with serve(routes) as server:
        ref = ChartRef(f"{server.base}/repo", "demo", "^1.1")
        found = locate_chart(ref, online())
        assert (found.origin, found.version, found.resolved) == ("network", "1.2.3", "1.2.3")
        assert found.note == f"'^1.1' resolved to 1.2.3 ({server.base}/repo)"
        assert found.ref == ref and found.path is not None
        offline = locate_chart(ref, ChartSearch.from_env(online=False))
        assert (offline.origin, offline.resolved) == ("cache", "1.2.3")
        assert offline.note.startswith("'^1.1' resolved to 1.2.3 (cache ")
        none = locate_chart(ChartRef(ref.repo_url, "demo", "2.x"), online())
    assert none.origin == "missing"
    assert f"{server.base}/repo: no demo version matching '2.x' (of 3)" in none.tried


def test_an_unreadable_constraint_is_reported() -> None:
    found = locate_chart(ChartRef("https://x.invalid", "demo", ">>1"), online())
    assert found.origin == "missing" and found.tried == ("'>>1': cannot read '>>1'",)


def test_an_answer_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from homegen.charts import http_repo

    monkeypatch.setattr(http_repo, "MAX_INDEX", 1000)
    big = index_yaml({"demo": [{"version": f"1.0.{i}", "urls": ["x.tgz"]} for i in range(100)]})
    with serve({"/index.yaml": big}) as server:
        found = locate_chart(ChartRef(server.base, "demo", "1.0.1"), online())
    assert found.tried[-1] == f"{server.base}/index.yaml: larger than the 1000 bytes limit"


def test_a_server_that_stalls_times_out() -> None:
    import threading

    release = threading.Event()

    def stall(request: object) -> None:
        release.wait(5)

    with serve({"/index.yaml": stall}) as server:
        search = ChartSearch.from_env(online=True, timeout=0.3)
        found = locate_chart(ChartRef(server.base, "demo", "1.0.0"), search)
        release.set()
    assert found.tried[-1] == f"{server.base}/index.yaml: timed out after 0.3 s"
