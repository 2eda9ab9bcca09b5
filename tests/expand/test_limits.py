"""Bombs in a tree end as findings, never as a crash or a hang (issue 22): YAML limits on
inline values and value files, a wall-time and a memory limit on Helm's engine. Each run is a
separate process: a Go runtime that dies would take the test process with it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from expand_charts import DEMO_CHART, ROOT_APP, chart_app, demo_chart, need_engine, write

from processes import alive, children_of


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    """761 bytes that expand to 9**9 strings."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _validate(tmp_path: Path, app_text: str, **env: str) -> subprocess.CompletedProcess[str]:
    root = write(tmp_path / "tree", {"app-of-apps.yaml": ROOT_APP, "apps/web.yaml": app_text})
    return subprocess.run(
        [sys.executable, "-m", "homegen", "validate", str(root), "--charts",
         str(tmp_path / "charts"), "--ignore-missing-schemas"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), **env},
    )  # fmt: skip


def _assert_finding(done: subprocess.CompletedProcess[str], *texts: str) -> None:
    assert done.returncode == 1, (done.returncode, done.stdout[-2000:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    line = next(x for x in done.stdout.splitlines() if "HG130" in x)
    assert "Application/argocd/web: web: demo@1.0.0:" in line
    for text in texts:
        assert text in line


def _inline(values: str) -> str:
    block = "values: |\n" + "".join(" " * 18 + x + "\n" for x in values.splitlines())
    return chart_app(values_file=False, helm=(block.rstrip("\n"),))


def test_an_alias_bomb_in_inline_values_is_a_finding(tmp_path: Path) -> None:
    need_engine()
    demo_chart(tmp_path / "charts")
    assert len(_alias_bomb()) <= 761
    done = _validate(tmp_path, _inline(_alias_bomb()))
    _assert_finding(done, "helm.values: aliases expand to more than 1,000,000 nodes")


def test_inline_values_just_under_the_alias_limit_are_read(tmp_path: Path) -> None:
    need_engine()
    demo_chart(tmp_path / "charts")
    small = _alias_bomb(levels=2, width=9)  # 9**3 strings: a normal use of anchors
    done = _validate(tmp_path, _inline(small + "replicas: 2\n"))
    assert "HG130" not in done.stdout, done.stdout


def test_a_value_file_over_the_size_limit_is_a_finding(tmp_path: Path) -> None:
    need_engine()
    chart = demo_chart(tmp_path / "charts")
    (chart / "values-huge.yaml").write_text("pad: " + "x" * (16 * 1024 * 1024) + "\n")
    (chart / "values-bomb.yaml").write_text(_alias_bomb())
    for name, message in (
        ("values-huge.yaml", "larger than 16 MiB: not read"),
        ("values-bomb.yaml", "aliases expand to more than 1,000,000 nodes"),
    ):
        app_text = chart_app(values_file=False, helm=(f"valueFiles: [{name}]",))
        _assert_finding(_validate(tmp_path, app_text), name, message)


LOOP = """
    {{- range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: loop}
"""
HOG = """
    {{- $s := "0123456789abcdef" }}{{ range until 40 }}{{ $s = print $s $s }}{{ end }}
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: hog}
    data: {n: {{ len $s | quote }}}
"""


def test_a_chart_that_loops_is_stopped_at_the_time_limit(tmp_path: Path) -> None:
    need_engine()
    demo_chart(tmp_path / "charts", templates__loop_yaml=LOOP)
    done = _validate(tmp_path, chart_app(values_file=False), HOMEGEN_ENGINE_TIMEOUT="1.5")
    _assert_finding(done, "took longer than 1.5 s: stopped")


def test_a_chart_that_exhausts_memory_is_a_finding_and_the_next_chart_renders(
    tmp_path: Path,
) -> None:
    """Go's fatal out-of-memory error ends the worker, not homegen: the app that caused it
    has the finding, and a fresh worker renders the next app."""
    need_engine()
    demo_chart(tmp_path / "charts", templates__hog_yaml=HOG)
    good_chart = {**DEMO_CHART, "Chart.yaml": "apiVersion: v2\nname: good\nversion: 1.0.0\n"}
    write(tmp_path / "charts" / "good-1.0.0", good_chart)
    good = chart_app("zz-good", "good", values_file=False).replace("chart: demo", "chart: good")
    write(tmp_path / "tree", {"apps/zz-good.yaml": good})
    done = _validate(tmp_path, chart_app(values_file=False), HOMEGEN_ENGINE_MEMORY_MB="400")
    _assert_finding(done, "the chart engine died (", "out of memory (limit 400 MiB")
    # the next chart, rendered by a fresh worker: 3 Applications and the good chart's 4 objects
    assert "\n7 resources in 7 files: 6 valid, 1 invalid" in done.stdout


def test_the_default_limits_stop_a_memory_bomb(tmp_path: Path) -> None:
    need_engine()
    demo_chart(tmp_path / "charts", templates__hog_yaml=HOG)
    done = _validate(tmp_path, chart_app(values_file=False))
    _assert_finding(done, "out of memory (limit 2048 MiB")


def test_an_appset_template_that_loops_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A goTemplate's range gets a wall-time limit per ApplicationSet."""
    from homegen.appsets import generate_applications

    monkeypatch.setenv("HOMEGEN_APPSET_TEMPLATE_SECONDS", "1")
    appset = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "s", "namespace": "argocd"},
        "spec": {
            "goTemplate": True,
            "generators": [{"list": {"elements": [{"name": "a"}]}}],
            "template": {
                "metadata": {"name": "{{ range until 100000000 }}{{ end }}{{ .name }}"},
                "spec": {},
            },
        },
    }
    expansion = generate_applications(appset, None)
    assert expansion.apps == []
    assert "ran past 1 s" in expansion.problems[0].message
    monkeypatch.setenv("HOMEGEN_APPSET_TEMPLATE_SECONDS", "30")
    appset["spec"]["template"]["metadata"]["name"] = "{{ range until 2 }}{{ end }}{{ .name }}"
    assert [a.app["metadata"]["name"] for a in generate_applications(appset, None).apps] == ["a"]


def test_import_reads_no_alias_bomb_in_inline_values(tmp_path: Path) -> None:
    """import reads helm.values with the same limits: the bomb is left out, not expanded."""
    root = write(
        tmp_path / "tree", {"app-of-apps.yaml": ROOT_APP, "apps/web.yaml": _inline(_alias_bomb())}
    )
    done = subprocess.run(
        [sys.executable, "-m", "homegen", "import", str(root), "-o", str(tmp_path / "s.toml")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "lol" not in (tmp_path / "s.toml").read_text(encoding="utf-8")


def _wait_for(condition: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_a_worker_stuck_in_a_chart_dies_with_homegen(tmp_path: Path) -> None:
    """homegen killed mid-render (SIGKILL: no cleanup runs) leaves no worker spinning."""
    need_engine()
    nested = "{{ range until 9999 }}" * 3 + "{{ end }}" * 3  # 10**12 turns: hours
    forever = LOOP.replace("{{- range until 100000000 }}{{ end }}", "{{- " + nested[3:])
    demo_chart(tmp_path / "charts", templates__loop_yaml=forever)
    app_text = chart_app(values_file=False)
    root = write(tmp_path / "tree", {"app-of-apps.yaml": ROOT_APP, "apps/web.yaml": app_text})
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "c"), "HOMEGEN_ENGINE_TIMEOUT": "600"}
    charts = str(tmp_path / "charts")
    homegen = subprocess.Popen(
        [sys.executable, "-m", "homegen", "validate", str(root), "--charts", charts],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert _wait_for(lambda: bool(children_of(homegen.pid))), "no worker started"
        worker = min(children_of(homegen.pid))
        time.sleep(1)  # the worker is inside the chart's loop by now
    finally:
        homegen.kill()
        homegen.wait()
    assert _wait_for(lambda: not alive(worker)), "the worker outlived homegen"
