"""Small test charts and a chart repository on 127.0.0.1, built inside the tests.

No chart here comes from anywhere else: each is a Chart.yaml and one template, packed with
tarfile the way `helm package` packs one (a single top folder named after the chart).
"""

from __future__ import annotations

import hashlib
import http.server
import io
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TEMPLATE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-demo
data:
  greeting: {{ .Values.greeting | quote }}
"""


def chart_files(name: str, version: str) -> dict[str, bytes]:
    """The files of a minimal chart, by path inside the chart folder."""
    meta = {"apiVersion": "v2", "name": name, "version": version, "type": "application"}
    return {
        "Chart.yaml": yaml.safe_dump(meta, sort_keys=False).encode(),
        "values.yaml": b"greeting: hello\n",
        "templates/configmap.yaml": TEMPLATE.encode(),
    }


def pack(files: dict[str, bytes], top: str) -> bytes:
    """A gzipped tar of ``files`` under the folder ``top/`` (deterministic bytes)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for path, data in sorted(files.items()):
            info = tarfile.TarInfo(f"{top}/{path}")
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def make_chart(name: str, version: str) -> bytes:
    """A packed chart, as ``helm package`` would give ``<name>-<version>.tgz``."""
    return pack(chart_files(name, version), name)


def write_unpacked(folder: Path, name: str, version: str) -> Path:
    """An unpacked chart at ``folder/<name>-<version>/``; that path."""
    root = folder / f"{name}-{version}"
    for path, data in chart_files(name, version).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return root


def sha256(data: bytes) -> str:
    """The hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def index_yaml(entries: dict[str, list[dict[str, object]]]) -> bytes:
    """A Helm repository index with ``entries``."""
    return yaml.safe_dump({"apiVersion": "v1", "entries": entries}).encode()


@dataclass
class FakeServer:
    """An HTTP server on 127.0.0.1 answering from ``routes`` and counting every request."""

    routes: dict[str, Any] = field(default_factory=dict)  # path → bytes or handler(request)
    requests: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    base: str = ""


def _handler(server: FakeServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            server.requests.append(self.path)
            server.headers.append({k.lower(): v for k, v in self.headers.items()})
            answer = server.routes.get(path)
            if callable(answer):
                answer(self)
            elif answer is None:
                self.send_error(404)
            else:
                self.send_response(200)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve(routes: dict[str, Any]) -> Iterator[FakeServer]:
    """Run a ``FakeServer`` in a thread for the duration of the block."""
    fake = FakeServer(routes)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
