"""Import's trial render expands charts as a later render does (--charts, $HOMEGEN_CHARTS, the
chart cache): what a chart renders that would stop that render becomes an ``imported:``
exception on the app, and the first render succeeds (issue 25)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from importer_trees import REPO, app_yaml, import_cli, root_app, write_tree

from robustness import render_cli

SHARED = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n  namespace: gw\ndata:\n  a: b\n"
)
CHART_APP = app_yaml(
    "gw",
    "source:\n  repoURL: https://charts.example.com\n  chart: gw\n  targetRevision: 1.0.0",
    "gw",
)
MANIFESTS_APP = app_yaml(
    "gwconf",
    f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: manifests/gwconf",
    "gw",
)


def _tree(root: Path) -> Path:
    """A chart app and an app of manifests that both define ConfigMap ``shared`` (HG232)."""
    return write_tree(
        root,
        {
            "root.yaml": root_app("apps"),
            "apps/gw.yaml": CHART_APP,
            "apps/gwconf.yaml": MANIFESTS_APP,
            "manifests/gwconf/configmap.yaml": SHARED,
        },
    )


def _charts(root: Path) -> Path:
    return write_tree(
        root / "gw-1.0.0",
        {
            "Chart.yaml": "apiVersion: v2\nname: gw\nversion: 1.0.0\n",
            "templates/configmap.yaml": SHARED,
        },
    ).parent


def _exceptions(text: str) -> dict[str, str]:
    """Every ``policy.homegen.dev/`` exception of services.toml, by app and rule."""
    found: dict[str, str] = {}
    for name, table in tomllib.loads(text)["apps"].items():
        annotations = table.get("application", {}).get("annotations", {})
        for key, reason in annotations.items():
            found[f"{name} {key}"] = reason
        for rule, reason in table.get("policy_exceptions", {}).items():
            found[f"{name} {rule}"] = reason
    return found


@pytest.mark.extra("charts")  # the chart is expanded
def test_a_chart_object_that_stops_the_render_is_excepted_on_its_app(tmp_path: Path) -> None:
    charts = _charts(tmp_path / "charts")
    config = tmp_path / "services.toml"
    code, stdout, stderr = import_cli(_tree(tmp_path / "tree"), config, "--charts", str(charts))
    assert code == 0, stderr + stdout
    text = config.read_text()
    excepted = {k: v for k, v in _exceptions(text).items() if "HG232" in k}
    assert len(excepted) == 1, excepted
    [(where, reason)] = excepted.items()
    # on the chart app's Application: its annotation covers the objects its chart renders
    assert where == "gw policy.homegen.dev/HG232"
    assert reason.startswith("imported: ConfigMap/gw/shared: defined by app ")
    # the first render, given the same charts, expands the chart and succeeds
    code, out = render_cli(config, tmp_path / "OUT", "--charts", str(charts))
    assert code == 0, out + text
    code, out = render_cli(config, tmp_path / "OUT2")  # without the chart: nothing to trip
    assert code == 0, out


@pytest.mark.extra("charts")  # the chart is expanded
def test_charts_in_homegen_charts_count_as_a_later_render_finds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOMEGEN_CHARTS", str(_charts(tmp_path / "charts")))
    config = tmp_path / "services.toml"
    code, stdout, stderr = import_cli(_tree(tmp_path / "tree"), config)
    assert code == 0, stderr + stdout
    assert any("HG232" in k for k in _exceptions(config.read_text()))
    code, out = render_cli(config, tmp_path / "OUT")
    assert code == 0, out


def test_without_the_chart_offline_no_exception_is_added(tmp_path: Path) -> None:
    config = tmp_path / "services.toml"
    code, stdout, stderr = import_cli(_tree(tmp_path / "tree"), config)
    assert code == 0, stderr + stdout
    assert not any("HG232" in k for k in _exceptions(config.read_text()))
