"""A real OCI registry on 127.0.0.1: Debian's `docker-registry` (CNCF distribution) (issue 14).

The test pushes a chart with its own minimal OCI push (registrykit.py) and pulls it through
homegen.
"""

from __future__ import annotations

import json
from pathlib import Path

from chartkit import make_chart
from registrykit import push_chart
from typer.testing import CliRunner

from homegen.charts import ChartRef, ChartSearch, locate_chart
from homegen.cli import app


def test_a_chart_pushed_to_a_real_registry_is_pulled_checked_and_cached(
    registry: str, cache_root: Path
) -> None:
    chart = make_chart("demo", "1.2.3")
    digest = push_chart(registry, "charts/demo", "1.2.3", chart)
    ref = ChartRef(f"oci://{registry}/charts", "demo", "1.2.3")
    found = locate_chart(ref, ChartSearch.from_env(timeout=10))
    assert found.origin == "network", found.message
    assert found.digest == digest
    assert found.archive is not None and found.archive.read_bytes() == chart
    assert found.path is not None and (found.path / "templates" / "configmap.yaml").is_file()
    assert found.path.is_relative_to(cache_root)
    absent = locate_chart(ChartRef(ref.repo_url, "demo", "9.9.9"), ChartSearch.from_env())
    assert absent.tried[-1].endswith("no such chart or version (HTTP 404)")
    push_chart(registry, "charts/demo", "1.2.10", make_chart("demo", "1.2.10"))
    push_chart(registry, "charts/demo", "1.3.0", make_chart("demo", "1.3.0"))
    newest = locate_chart(ChartRef(ref.repo_url, "demo", "~1.2.0"), ChartSearch.from_env())
    assert (newest.origin, newest.resolved) == ("network", "1.2.10"), newest.message


def test_charts_pull_through_the_cli_then_the_listing_needs_no_registry(
    registry: str, tmp_path: Path
) -> None:
    push_chart(registry, "charts/demo", "1.2.3", make_chart("demo", "1.2.3"))
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "app.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: demo}\n"
        f"spec:\n  source: {{repoURL: {registry}/charts, chart: demo, targetRevision: 1.2.3}}\n"
    )
    runner = CliRunner()
    pulled = runner.invoke(app, ["charts", "pull", str(tree)])
    assert pulled.exit_code == 0, pulled.stderr
    assert "  downloaded: oci://" in pulled.stderr
    listed = runner.invoke(app, ["charts", str(tree), "--offline", "--output", "json"])
    assert [row["found"] for row in json.loads(listed.stdout)["charts"]] == ["cache"]
