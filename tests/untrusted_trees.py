"""Hostile trees for the untrusted-input tests: a unique fake secret planted outside the
tree, in an untracked file and in ``.git``; every route a pull request could use to read
it; and a local server that counts the requests a tree could make homegen send."""

from __future__ import annotations

import http.server
import os
import subprocess
import textwrap
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

from homegen.cli import app

REPO_URL = "https://git.example.test/lab.git"
SECRET = f"hgsecret{uuid.uuid4().hex}"

ROOT_APP = f"""
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: root, namespace: argocd}}
spec:
  project: default
  source: {{repoURL: "{REPO_URL}", path: apps, targetRevision: main}}
  destination: {{server: "https://kubernetes.default.svc", namespace: argocd}}
"""

# a chart that prints what it is given: a value file's content, a file it reads, its values
LEAK_CHART = {
    "charts/leak/Chart.yaml": "apiVersion: v2\nname: leak\nversion: 1.0.0\n",
    "charts/leak/values.yaml": "x: ''\n",
    "charts/leak/templates/cm.yaml": (
        '{{ fail (printf "LEAK %s %s" (.Files.Get "stolen.txt") (toYaml .Values)) }}\n'
    ),
}


def app_yaml(name: str, source: str) -> str:
    """An Application of the tree (``source``: its source block, YAML flow or block)."""
    return (
        "apiVersion: argoproj.io/v1alpha1\n"
        "kind: Application\n"
        f"metadata: {{name: {name}, namespace: argocd}}\n"
        "spec:\n"
        "  project: default\n" + textwrap.indent(textwrap.dedent(source).strip("\n"), "  ") + "\n"
        f'  destination: {{server: "https://kubernetes.default.svc", namespace: {name}}}\n'
    )


def chart_app(value_files: list[str]) -> str:
    """An Application of the in-tree leak chart with these value files."""
    files = ", ".join(f'"{v}"' for v in value_files)
    return app_yaml(
        "leak",
        f"""
source:
  repoURL: "{REPO_URL}"
  path: charts/leak
  targetRevision: main
  helm: {{valueFiles: [{files}]}}
""",
    )


@dataclass
class Hostile:
    """A git checkout ``repo`` holding a tree, and the secret's places around it."""

    base: Path
    repo: Path = field(init=False)
    outside: Path = field(init=False)  # a folder outside the checkout

    def __post_init__(self) -> None:
        self.repo = self.base / "repo"
        self.outside = self.base / "home"
        self.outside.mkdir(parents=True)
        (self.outside / "secret.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {SECRET}}}\n"
            f"data: {{token: {SECRET}}}\nx: {SECRET}\n"
        )
        (self.outside / "secret.json").write_text(f'{{"name": "{SECRET}"}}\n')
        self.repo.mkdir()
        git(self.repo, "init", "-q")
        config = self.repo / ".git" / "config"
        config.write_text(config.read_text() + f"[http]\n\textraheader = AUTH {SECRET}\n")

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.repo / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def link(self, name: str, target: str | Path) -> None:
        path = self.repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)

    def track(self) -> None:
        """``git add`` everything there is now (later files stay untracked)."""
        git(self.repo, "add", "-A")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    """Exit code and stdout + stderr of one homegen command, in process."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


def every_output(tree: Path, work: Path) -> dict[str, tuple[int, str]]:
    """Every command that reads a tree, over ``tree``: its exit code and everything it
    printed (import's text and JSON reports, each with the services.toml it wrote)."""
    runs: dict[str, tuple[int, str]] = {}
    for fmt in ("text", "json", "junit", "github"):
        runs[f"validate {fmt}"] = invoke("validate", str(tree), "--output", fmt)
    runs["validate --list-apps"] = invoke("validate", str(tree), "--list-apps")
    for name, fmt in (("import", "text"), ("import json", "json")):
        out = work / f"imported-{uuid.uuid4().hex}" / "services.toml"
        code, text = invoke("import", str(tree), "-o", str(out), "--output", fmt)
        runs[name] = (code, text + (out.read_text() if out.exists() else ""))
    runs["charts TREE"] = invoke("charts", str(tree), "--offline")
    runs["charts TREE online"] = invoke("charts", str(tree))
    return runs


def assert_no_secret(runs: dict[str, tuple[int, str]]) -> None:
    for name, (code, text) in runs.items():
        assert SECRET not in text, f"{name} printed the secret:\n{text}"
        assert code in (0, 1, 2), f"{name} exited {code}:\n{text}"


@dataclass
class Counting:
    """A local HTTP server; ``requests`` lists every path asked for."""

    base: str = ""
    requests: list[str] = field(default_factory=list)


@contextmanager
def counting_server() -> Iterator[Counting]:
    counter = Counting()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            counter.requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    counter.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield counter
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
