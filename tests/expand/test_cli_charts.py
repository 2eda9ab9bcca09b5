"""`homegen render --charts` and `homegen validate --charts`: exit codes and output."""

from __future__ import annotations

from pathlib import Path

import pytest
from expand_charts import DEMO_CHART, ROOT_APP, chart_app, demo_chart, need_engine, write
from typer.testing import CliRunner, Result

from homegen.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run where no services.toml is (validate reads [cluster] from the working folder)."""
    monkeypatch.chdir(tmp_path)


def metrics_server_chart(folder: Path, fail: str = "") -> Path:
    """A small chart standing in for metrics-server 3.13.0 (the homelab's chart app)."""
    files = dict(DEMO_CHART)
    files["Chart.yaml"] = "apiVersion: v2\nname: metrics-server\nversion: 3.13.0\n"
    files["values.yaml"] = DEMO_CHART["values.yaml"].replace('failWith: ""', f"failWith: {fail!r}")
    files["values.yaml"] += "args: []\n"
    return write(folder / "metrics-server-3.13.0", files)


def render(homelab: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        ["render", "-c", str(homelab / "services.toml"), "-o", str(homelab / "out"), *args],
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_render_writes_nothing_when_a_chart_app_fails(homelab: Path, tmp_path: Path) -> None:
    need_engine()
    metrics_server_chart(tmp_path / "charts", "the chart says no")
    code, output = render(homelab, "--charts", str(tmp_path / "charts"))
    assert code == 1
    assert "HG130" in output and "metrics-server: metrics-server@3.13.0" in output
    assert "the chart says no" in output
    assert not (homelab / "out").exists()


def test_render_expands_the_charts_it_finds_and_notes_the_others(
    homelab: Path, tmp_path: Path
) -> None:
    need_engine()
    metrics_server_chart(tmp_path / "charts")
    code, output = render(homelab, "--charts", str(tmp_path / "charts"))
    assert code == 0, output
    assert "note: traefik: chart traefik@33.2.1 not expanded: not found in" in output
    assert "metrics-server@3.13.0 not expanded" not in output
    assert (homelab / "out" / "apps" / "metrics-server.yaml").is_file()


def validate_web(tmp_path: Path, values: str, charts: str = "charts") -> Result:
    """`homegen validate` of a tree with one demo-chart app and these values."""
    root = write(
        tmp_path / "tree",
        {"app-of-apps.yaml": ROOT_APP, "apps/web.yaml": chart_app(), "values/web.yaml": values},
    )
    return runner.invoke(
        app,
        ["validate", str(root), "--charts", str(tmp_path / charts), "--ignore-missing-schemas"],
    )


def test_validate_reports_a_failing_chart_on_its_application(tmp_path: Path) -> None:
    need_engine()
    demo_chart(tmp_path / "charts")
    result = validate_web(tmp_path, "failWith: no controller found\n")
    assert result.exit_code == 1
    assert "apps/web.yaml:1: error HG130 Application/argocd/web: web: demo@1.0.0:" in result.stdout
    assert "no controller found" in result.stdout


def test_validate_warns_of_a_misspelt_values_key(tmp_path: Path) -> None:
    need_engine()
    demo_chart(tmp_path / "charts")
    result = validate_web(tmp_path, "image: {tga: '1.28'}\nextraLabels: {any: thing}\n")
    assert "warning HG132" in result.stdout
    assert "the chart has no values key image.tga (did you mean image.tag?)" in result.stdout
    assert "extraLabels" not in result.stdout  # empty by default: free-form


def test_validate_notes_a_chart_it_cannot_find(tmp_path: Path) -> None:
    result = validate_web(tmp_path, "{}\n", charts="none")
    assert result.exit_code == 0
    assert "homegen: note: web: chart demo@1.0.0 not expanded: not found in" in result.stderr
