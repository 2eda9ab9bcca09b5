"""A pull request's tree cannot make homegen read, print or send what lies outside it.

Each route plants a unique fake secret outside the checkout (a home folder, ``.git/config``,
an untracked file), builds a tree that points at it, and runs every command that reads a
tree in every output format: the secret appears in no output and no written file, and an
out-of-bounds symlink is reported as one (HG109)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tools import requires_extra
from untrusted_trees import (
    LEAK_CHART,
    REPO_URL,
    ROOT_APP,
    SECRET,
    Hostile,
    app_yaml,
    assert_no_secret,
    chart_app,
    counting_server,
    every_output,
    invoke,
)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Expansions cache under tmp_path; no chart folders from the environment."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("HOMEGEN_CHARTS", raising=False)
    monkeypatch.chdir(tmp_path)


def _value_file_absolute(h: Hostile) -> None:
    h.write({**LEAK_CHART, "apps/leak.yaml": chart_app([str(h.outside / "secret.yaml")])})


def _value_file_dotdot(h: Hostile) -> None:
    up = "../" * 12
    h.write({**LEAK_CHART, "apps/leak.yaml": chart_app([f"{up}{h.outside}/secret.yaml"])})


def _value_file_symlink(h: Hostile) -> None:
    h.write({**LEAK_CHART, "apps/leak.yaml": chart_app(["../../values/leak.yaml"])})
    h.link("values/leak.yaml", h.outside / "secret.yaml")


def _value_file_device(h: Hostile) -> None:
    h.write({**LEAK_CHART, "apps/leak.yaml": chart_app(["/dev/zero", "../../values/z.yaml"])})
    h.link("values/z.yaml", "/dev/zero")


def _symlinked_template(h: Hostile) -> None:
    h.write({**LEAK_CHART, "apps/leak.yaml": chart_app([])})
    h.link("charts/leak/templates/evil.yaml", h.outside / "secret.yaml")


def _files_get_symlink(h: Hostile) -> None:
    h.write({**LEAK_CHART, "apps/leak.yaml": chart_app([])})
    h.link("charts/leak/stolen.txt", h.outside / "secret.yaml")


def _files_get_git_config(h: Hostile) -> None:
    h.write({**LEAK_CHART, "apps/leak.yaml": chart_app([])})
    h.link("charts/leak/stolen.txt", "../../.git/config")


def _symlinked_manifest(h: Hostile) -> None:
    h.link("apps/stolen.yaml", h.outside / "secret.yaml")


def _symlinked_folder(h: Hostile) -> None:
    h.link("apps/home", h.outside)


def _values_ref(h: Hostile) -> None:
    source = f"""
sources:
  - repoURL: "{REPO_URL}"
    path: charts/leak
    targetRevision: main
    helm: {{valueFiles: ["$values/values/leak.yaml"]}}
  - {{repoURL: "{REPO_URL}", targetRevision: main, ref: values}}
"""
    h.write({**LEAK_CHART, "apps/leak.yaml": app_yaml("leak", source)})
    h.link("values/leak.yaml", h.outside / "secret.yaml")


APPSET = f"""
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {{name: each, namespace: argocd}}
spec:
  generators:
    - git:
        repoURL: "{REPO_URL}"
        revision: main
        files: [{{path: "config/*.json"}}]
  template:
    metadata: {{name: "app-{{{{name}}}}"}}
    spec:
      project: default
      source: {{repoURL: "{REPO_URL}", path: "apps", targetRevision: main}}
      destination: {{server: "https://kubernetes.default.svc", namespace: "{{{{name}}}}"}}
"""


def _generator_file_symlink(h: Hostile) -> None:
    h.write({"apps/set.yaml": APPSET, "config/ok.json": '{"name": "fine"}\n'})
    h.link("config/stolen.json", h.outside / "secret.json")


def _untracked_generator_file(h: Hostile) -> None:
    h.write({"apps/set.yaml": APPSET, "config/ok.json": '{"name": "fine"}\n'})


HELM_CM = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cm, namespace: argocd}\n"
    "data: {kustomize.buildOptions: --enable-helm --load-restrictor LoadRestrictionsNone}\n"
)


def _kustomized(h: Hostile, kustomization: str) -> None:
    """An app of the folder kust, built with argocd-cm's --enable-helm."""
    source = f'source: {{repoURL: "{REPO_URL}", path: kust, targetRevision: main}}'
    h.write(
        {
            "apps/kust.yaml": app_yaml("kust", source),
            "apps/argocd-cm.yaml": HELM_CM,
            "kust/kustomization.yaml": kustomization,
        }
    )


def _helm_charts_files_get(h: Hostile) -> None:
    _kustomized(h, "helmCharts: [{name: leak, releaseName: leak}]\n")
    h.write({f"kust/{name}": text for name, text in LEAK_CHART.items()})
    h.link("kust/charts/leak/stolen.txt", h.outside / "secret.yaml")


def _helm_charts_value_file(h: Hostile) -> None:
    values = f"additionalValuesFiles: ['{h.outside}/secret.yaml']"
    _kustomized(h, f"helmCharts: [{{name: leak, releaseName: leak, {values}}}]\n")
    h.write({f"kust/{name}": text for name, text in LEAK_CHART.items()})


def _helm_charts_home(h: Hostile) -> None:
    _kustomized(h, f"helmGlobals: {{chartHome: {h.base}}}\nhelmCharts: [{{name: home}}]\n")


def _unrestricted_generator(h: Hostile) -> None:
    files = f"files: ['{h.outside}/secret.yaml']"
    _kustomized(h, f"configMapGenerator: [{{name: stolen, {files}}}]\n")


def _fifo(h: Hostile) -> None:
    h.write({"apps/ok.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n"})
    os.mkfifo(h.repo / "apps" / "pipe.yaml")


ROUTES: dict[str, tuple[Callable[[Hostile], None], bool, bool]] = {
    # route: (build it, a symlink/special to report as HG109, needs the Helm engine)
    "value file absolute": (_value_file_absolute, False, True),
    "value file ../": (_value_file_dotdot, False, True),
    "value file symlinked out": (_value_file_symlink, True, True),
    "value file device": (_value_file_device, True, True),
    "symlinked template": (_symlinked_template, True, True),
    "symlinked .Files.Get file": (_files_get_symlink, True, True),
    ".Files.Get of .git/config": (_files_get_git_config, True, True),
    "symlinked manifest": (_symlinked_manifest, True, False),
    "symlinked folder": (_symlinked_folder, True, False),
    "$values file": (_values_ref, True, True),
    "git-generator file": (_generator_file_symlink, True, False),
    "untracked generator file": (_untracked_generator_file, False, False),
    "fifo": (_fifo, True, False),
    "helmCharts .Files.Get symlink": (_helm_charts_files_get, True, True),
    "helmCharts absolute value file": (_helm_charts_value_file, False, True),
    "helmCharts absolute chart home": (_helm_charts_home, False, True),
    "LoadRestrictionsNone absolute file": (_unrestricted_generator, False, False),
}


@pytest.mark.parametrize("route", list(ROUTES))
def test_no_route_prints_the_secret(tmp_path: Path, route: str) -> None:
    build, reported, engine = ROUTES[route]
    if engine:
        requires_extra("charts")
    hostile = Hostile(tmp_path)
    hostile.write({"app-of-apps.yaml": ROOT_APP})
    build(hostile)
    hostile.track()
    # left in the checkout by an earlier CI step, never added to git
    (hostile.repo / "config").mkdir(exist_ok=True)
    (hostile.repo / "config" / "gha-creds-1234.json").write_text(f'{{"name": "{SECRET}"}}\n')
    # a relative path, as CI passes it (the working folder is tmp_path)
    runs = every_output(hostile.repo.relative_to(tmp_path), tmp_path)
    assert_no_secret(runs)
    text = runs["validate text"][1]
    assert "HG101" not in text, text  # the tree itself is well-formed: the route is taken
    if reported:
        assert "HG109" in text and ("out-of-bounds symlink" in text or "FIFO" in text), text
        assert runs["validate text"][0] == 1
        assert "not read" in runs["import"][1]


def test_the_leak_chart_prints_what_it_reads_inside_the_tree(tmp_path: Path) -> None:
    """The control: the routes above would print the secret if homegen read it."""
    requires_extra("charts")
    hostile = Hostile(tmp_path)
    hostile.write(
        {
            "app-of-apps.yaml": ROOT_APP,
            **LEAK_CHART,
            "apps/leak.yaml": chart_app(["../../values/in.yaml"]),
            "values/in.yaml": "x: value-marker\n",
            "shared/stolen.txt": "file-marker\n",
        }
    )
    hostile.link("charts/leak/stolen.txt", "../../shared/stolen.txt")
    hostile.track()
    code, out = invoke("validate", str(hostile.repo))
    assert code == 1 and "LEAK file-marker" in out and "value-marker" in out, out
    assert "HG109" not in out


def test_the_leak_chart_prints_what_it_reads_through_helm_charts(tmp_path: Path) -> None:
    """The control of the helmCharts routes: inflated, the chart reads inside the tree."""
    requires_extra("charts")
    hostile = Hostile(tmp_path)
    hostile.write({"app-of-apps.yaml": ROOT_APP, "shared/stolen.txt": "file-marker\n"})
    _kustomized(hostile, "helmCharts: [{name: leak, valuesInline: {x: value-marker}}]\n")
    hostile.write({f"kust/{name}": text for name, text in LEAK_CHART.items()})
    hostile.link("kust/charts/leak/stolen.txt", "../../../shared/stolen.txt")
    hostile.track()
    code, out = invoke("validate", str(hostile.repo))
    assert code == 1 and "LEAK file-marker" in out and "value-marker" in out, out
    assert "HG109" not in out


def test_a_value_file_outside_the_root_fails_the_app_naming_the_entry(tmp_path: Path) -> None:
    requires_extra("charts")
    hostile = Hostile(tmp_path)
    hostile.write({"app-of-apps.yaml": ROOT_APP})
    _value_file_dotdot(hostile)
    hostile.track()
    code, out = invoke("validate", str(hostile.repo))
    assert code == 1
    assert "HG130" in out and "resolved to outside repository root" in out, out


def test_a_symlink_inside_the_root_is_followed(tmp_path: Path) -> None:
    hostile = Hostile(tmp_path)
    hostile.write(
        {
            "app-of-apps.yaml": ROOT_APP,
            "shared/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: linked-ns}\n",
            "shared/more/cm.yaml": (
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: linked-cm, namespace: x}\n"
            ),
        }
    )
    hostile.link("apps/ns.yaml", "../shared/ns.yaml")
    hostile.link("apps/more", "../shared/more")
    hostile.track()
    code, out = invoke("validate", str(hostile.repo), "--select", "HG1")
    assert code == 0, out
    # the root app, both files and the symlinked file; not the symlinked folder's file a
    # second time (ArgoCD's directory walk does not enter a symlinked folder either)
    assert out.startswith("4 resources in 4 files: 4 valid"), out
    assert "HG109" not in out


def test_git_generators_read_tracked_files_only(tmp_path: Path) -> None:
    hostile = Hostile(tmp_path)
    hostile.write({"app-of-apps.yaml": ROOT_APP})
    _untracked_generator_file(hostile)
    hostile.track()
    hostile.write({"config/later.json": '{"name": "untracked"}\n'})
    code, out = invoke("validate", str(hostile.repo), "--list-apps")
    assert code in (0, 1) and "app-fine" in out and "app-untracked" not in out, out


def test_outside_git_the_folder_is_read_and_said_once(tmp_path: Path) -> None:
    tree = tmp_path / "plain"
    (tree / "apps").mkdir(parents=True)
    (tree / "app-of-apps.yaml").write_text(ROOT_APP)
    (tree / "apps" / "set.yaml").write_text(APPSET)
    (tree / "config").mkdir()
    (tree / "config" / "a.json").write_text('{"name": "plain"}\n')
    code, out = invoke("validate", str(tree), "--list-apps")
    assert code in (0, 1) and "app-plain" in out
    assert out.count("is not a git checkout: git generators read the folder") == 1, out


def test_the_environment_does_not_leak_through_proc(tmp_path: Path) -> None:
    """/proc/self/environ, symlinked as a manifest and as a chart file (a real process: the
    environment is only in /proc for the process that was started with it)."""
    hostile = Hostile(tmp_path)
    hostile.write({"app-of-apps.yaml": ROOT_APP, **LEAK_CHART, "apps/leak.yaml": chart_app([])})
    hostile.link("apps/env.yaml", "/proc/self/environ")
    hostile.link("charts/leak/stolen.txt", "/proc/self/environ")
    hostile.track()
    env = {**os.environ, "CI_TOKEN": SECRET, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-m", "homegen", "validate", str(hostile.repo)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert "apps/env.yaml:1: error HG109: out-of-bounds symlink" in done.stdout


def test_no_command_contacts_a_host_the_tree_names(tmp_path: Path) -> None:
    with counting_server() as server:
        hostile = Hostile(tmp_path)
        chart_source = f"""
source: {{repoURL: "{server.base}/charts", chart: demo, targetRevision: 1.0.0,
          helm: {{valueFiles: ["{server.base}/values.yaml"]}}}}
"""
        kustomize_source = f"""
source: {{repoURL: "{REPO_URL}", path: kust, targetRevision: main}}
"""
        hostile.write(
            {
                "app-of-apps.yaml": ROOT_APP,
                "apps/demo.yaml": app_yaml("demo", chart_source),
                "apps/kust.yaml": app_yaml("kust", kustomize_source),
                "kust/kustomization.yaml": (
                    f"resources:\n  - ns.yaml\n  - {server.base}/remote.yaml\n"
                ),
                "kust/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: kust}\n",
            }
        )
        hostile.track()
        runs = every_output(hostile.repo, tmp_path)
        assert server.requests == [], server.requests
    note = f"kust: kustomize:kust not built: needs {server.base}/remote.yaml"
    assert note in runs["validate text"][1]
    assert runs["validate text"][0] in (0, 1)
    assert "HG130" not in runs["validate text"][1]  # a note, not an error


def test_a_kustomize_path_outside_the_root_is_refused_naming_it(tmp_path: Path) -> None:
    hostile = Hostile(tmp_path)
    source = f'source: {{repoURL: "{REPO_URL}", path: kust, targetRevision: main}}'
    hostile.write(
        {
            "app-of-apps.yaml": ROOT_APP,
            "apps/kust.yaml": app_yaml("kust", source),
            "kust/kustomization.yaml": (
                "resources: [ns.yaml]\nconfigMapGenerator:\n"
                f"  - name: stolen\n    files: [{'../' * 12}{h_out(hostile)}/secret.yaml]\n"
            ),
            "kust/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: kust}\n",
        }
    )
    hostile.track()
    code, out = invoke("validate", str(hostile.repo))
    assert SECRET not in out
    assert code == 1 and "HG130" in out and "resolved to outside repository root" in out, out


def h_out(hostile: Hostile) -> str:
    return str(hostile.outside).lstrip("/")


def test_render_check_does_not_follow_a_symlink_in_the_output(tmp_path: Path) -> None:
    from robustness import MINIMAL

    config = tmp_path / "services.toml"
    config.write_text(MINIMAL.read_text())
    out = tmp_path / "rendered"
    code, text = invoke("render", "--config", str(config), "--out", str(out))
    assert code == 0, text
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"x: {SECRET}\n")
    victim = next(p for p in sorted(out.rglob("*.yaml")) if p.is_file())
    victim.unlink()
    victim.symlink_to(secret)
    code, text = invoke("render", "--config", str(config), "--out", str(out), "--check")
    assert code == 1 and SECRET not in text


def test_import_refuses_a_file_over_the_limit_without_reading_it(tmp_path: Path) -> None:
    from homegen.treeread import MAX_FILE_BYTES

    tree = tmp_path / "tree"
    (tree / "apps").mkdir(parents=True)
    (tree / "app-of-apps.yaml").write_text(ROOT_APP)
    with open(tree / "apps" / "huge.yaml", "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written, nothing to read
    out = tmp_path / "services.toml"
    code, text = invoke("import", str(tree), "--out", str(out))
    assert code == 2 and not out.exists()
    assert "apps/huge.yaml:1: file of 16,777,217 bytes is larger than 16 MiB: not read" in text
