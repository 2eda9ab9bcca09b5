"""A pull killed mid-download leaves nothing a later run would trust (issue 14)."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from chartkit import index_yaml, make_chart, serve, sha256

from homegen.charts import ChartRef, ChartSearch, locate_chart

DEMO = make_chart("demo", "1.2.3")


@pytest.mark.slow
def test_a_pull_killed_mid_download_leaves_no_entry_and_the_next_pull_works(
    tmp_path: Path, cache_root: Path
) -> None:
    release = threading.Event()

    def stalling(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Length", str(len(DEMO)))
        request.end_headers()
        request.wfile.write(DEMO[: len(DEMO) // 2])
        request.wfile.flush()
        release.wait(20)

    entries = {"demo": [{"version": "1.2.3", "urls": ["demo.tgz"], "digest": sha256(DEMO)}]}
    routes = {"/index.yaml": index_yaml(entries), "/demo.tgz": stalling}
    with serve(routes) as server:
        tree = tmp_path / "tree"
        tree.mkdir()
        (tree / "app.yaml").write_text(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: demo}\n"
            f"spec:\n  source: {{repoURL: '{server.base}', chart: demo, targetRevision: 1.2.3}}\n"
        )
        command = [sys.executable, "-m", "homegen", "charts", "pull", str(tree)]
        process = subprocess.Popen(
            command, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 20
        while "/demo.tgz" not in server.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "/demo.tgz" in server.requests, "the pull never started downloading"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        release.set()
        ref = ChartRef(server.base, "demo", "1.2.3")
        assert locate_chart(ref, ChartSearch.from_env(online=False)).origin == "missing"
        assert not (cache_root / "refs").exists()
        server.routes["/demo.tgz"] = DEMO
        again = subprocess.run(command, env=os.environ.copy(), capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
    found = locate_chart(ref, ChartSearch.from_env(online=False))
    assert found.origin == "cache" and found.digest == f"sha256:{sha256(DEMO)}"
