"""A real OCI registry on 127.0.0.1 for tests: Debian's `docker-registry` (CNCF distribution),
and a minimal OCI push of a Helm chart (blob uploads, then the manifest with Helm's media
types). The ``registry`` fixture (conftest.py) starts one per test; without the binary it
skips locally and fails under CI=true (.ci/run installs the package)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from chartkit import sha256

from homegen.charts.oci import HELM_CHART_LAYER, HELM_CONFIG, OCI_MANIFEST

REGISTRY = shutil.which("docker-registry")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def run_registry(tmp_path: Path) -> Iterator[str]:
    """A running registry with filesystem storage in tmp; yields ``127.0.0.1:PORT``."""
    if REGISTRY is None:
        if _in_ci():
            pytest.fail("docker-registry is not installed (CI must install the Debian package)")
        pytest.skip("docker-registry is not installed (apt-get install docker-registry)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = tmp_path / "registry.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: error\n"
        f"storage:\n  filesystem:\n    rootdirectory: {tmp_path / 'storage'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    log = (tmp_path / "registry.log").open("wb")
    process = subprocess.Popen([REGISTRY, "serve", str(config)], stdout=log, stderr=log)
    try:
        _wait_ready(f"http://127.0.0.1:{port}/v2/", process)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"docker-registry exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    pytest.fail("docker-registry did not start within 15 s")


def _request(method: str, url: str, body: bytes = b"", content_type: str = "") -> str:
    """One request; the Location header of the answer."""
    request = urllib.request.Request(url, data=body or None, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    if method in ("PUT", "POST") and not body:
        request.add_header("Content-Length", "0")
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status in (201, 202), (method, url, answer.status)
        return str(answer.headers.get("Location") or "")


def push_chart(host: str, repository: str, tag: str, chart: bytes) -> str:
    """Push ``chart`` as a Helm OCI artifact (OCI distribution API); the layer's digest."""
    base = f"http://{host}/v2/{repository}"
    config = json.dumps({"name": repository.rsplit("/", 1)[-1], "version": tag}).encode()
    for blob in (config, chart):
        location = _request("POST", f"{base}/blobs/uploads/")
        upload = location if location.startswith("http") else f"http://{host}{location}"
        joiner = "&" if "?" in upload else "?"
        _request("PUT", f"{upload}{joiner}digest=sha256:{sha256(blob)}", blob,
                 "application/octet-stream")  # fmt: skip
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": HELM_CONFIG, "digest": f"sha256:{sha256(config)}",
                   "size": len(config)},
        "layers": [{"mediaType": HELM_CHART_LAYER, "digest": f"sha256:{sha256(chart)}",
                    "size": len(chart)}],
    }  # fmt: skip
    _request("PUT", f"{base}/manifests/{tag}", json.dumps(manifest).encode(), OCI_MANIFEST)
    return f"sha256:{sha256(chart)}"
