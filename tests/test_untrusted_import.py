"""`homegen import` builds kustomizations (patches, generators, bases, helmCharts) and renders
the charts a tree makes its roots with at bootstrap: a hostile tree cannot make those builds
print a file outside the checkout or a secretGenerator's literal, nor contact a host it names;
what the builds output is escaped in the report as every other output is.

The leak routes of validate (tests/test_untrusted_trees.py ROUTES) already run through
``import`` in its text and JSON reports (untrusted_trees.every_output); these are the routes
only import's builds and bootstrap roots take."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from homegen.cli import app
from tools import has_extra, requires_extra
from untrusted_trees import (
    LEAK_CHART,
    REPO_URL,
    ROOT_APP,
    SECRET,
    Hostile,
    app_yaml,
    counting_server,
    invoke,
    runner,
)

KUST_APP = app_yaml("kust", f'source: {{repoURL: "{REPO_URL}", path: kust, targetRevision: main}}')
UNRESTRICTED_CM = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cm, namespace: argocd}\n"
    "data: {kustomize.buildOptions: --enable-helm --load-restrictor LoadRestrictionsNone}\n"
)
NS = "apiVersion: v1\nkind: Namespace\nmetadata: {name: kust}\n"


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Expansions and charts cached under tmp_path; no chart folders from the environment."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("HOMEGEN_CHARTS", raising=False)
    monkeypatch.chdir(tmp_path)


def import_runs(tree: Path, work: Path) -> dict[str, tuple[int, str]]:
    """`homegen import TREE -o out/services.toml` with the text and the JSON report: exit
    code, and everything printed followed by the services.toml written."""
    runs: dict[str, tuple[int, str]] = {}
    for fmt in ("text", "json"):
        out = work / f"out-{uuid.uuid4().hex}" / "services.toml"
        result = runner.invoke(app, ["import", str(tree), "-o", str(out), "--output", fmt])
        if fmt == "json" and result.exit_code in (0, 1):
            assert "lines" in json.loads(result.stdout)  # the report is all of stdout
        written = out.read_text() if out.exists() else ""
        runs[f"import {fmt}"] = (result.exit_code, result.stdout + result.stderr + written)
    return runs


def assert_never_printed(runs: dict[str, tuple[int, str]], *secrets: str) -> None:
    for name, (code, text) in runs.items():
        for secret in secrets:
            assert secret not in text, f"{name} printed {secret!r}:\n{text}"
        assert code in (0, 1, 2), f"{name} exited {code}:\n{text}"
        assert "Traceback" not in text, text


def hostile_tree(tmp_path: Path, kustomization: str, files: dict[str, str]) -> Hostile:
    """A tracked checkout whose app ``kust`` syncs a kustomization built unrestricted."""
    hostile = Hostile(tmp_path)
    hostile.write(
        {
            "app-of-apps.yaml": ROOT_APP,
            "apps/kust.yaml": KUST_APP,
            "apps/argocd-cm.yaml": UNRESTRICTED_CM,
            "kust/kustomization.yaml": kustomization,
            "kust/ns.yaml": NS,
            **files,
        }
    )
    return hostile


def _up(h: Hostile) -> str:
    """``../`` enough times to leave the checkout, then the home folder (a relative path)."""
    return "../" * 12 + str(h.outside).lstrip("/")


def _resource_dotdot(h: Hostile) -> str:
    return f"resources: [ns.yaml, {_up(h)}/secret.yaml]\nnamePrefix: x-\n"


def _resource_absolute(h: Hostile) -> str:
    return f"resources: [ns.yaml, {h.outside}/secret.yaml]\nnamePrefix: x-\n"


def _patch_outside(h: Hostile) -> str:
    return f"resources: [ns.yaml]\npatches: [{{path: {_up(h)}/secret.yaml}}]\n"


def _component_outside(h: Hostile) -> str:
    (h.outside / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [secret.yaml]\n"
    )
    return f"resources: [ns.yaml]\ncomponents: [{h.outside}]\n"


def _secret_generator_file_outside(h: Hostile) -> str:
    return f"secretGenerator: [{{name: s, files: [{_up(h)}/secret.yaml]}}]\n"


def _secret_generator_env_outside(h: Hostile) -> str:
    (h.outside / "secret.env").write_text(f"TOKEN={SECRET}\n")
    return f"secretGenerator: [{{name: s, envs: [{h.outside}/secret.env]}}]\n"


def _helm_charts_values_dotdot(h: Hostile) -> str:
    h.write({f"kust/{name}": text for name, text in LEAK_CHART.items()})
    return f"helmCharts: [{{name: leak, releaseName: leak, valuesFile: {_up(h)}/secret.yaml}}]\n"


def _leak_chart_outside(h: Hostile) -> None:
    """The leak chart in the home folder, its file to print the secret."""
    for name, text in LEAK_CHART.items():
        path = h.outside / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (h.outside / "charts" / "leak" / "stolen.txt").write_text(SECRET)


def _helm_charts_home_dotdot(h: Hostile) -> str:
    _leak_chart_outside(h)
    return f"helmGlobals: {{chartHome: {_up(h)}/charts}}\nhelmCharts: [{{name: leak}}]\n"


def _helm_charts_file_dependency(h: Hostile) -> str:
    _leak_chart_outside(h)
    h.write(
        {
            "kust/charts/wrap/values.yaml": "{}\n",
            "kust/charts/wrap/Chart.yaml": (
                "apiVersion: v2\nname: wrap\nversion: 1.0.0\ndependencies:\n"
                f"  - {{name: leak, version: 1.0.0, repository: 'file://{_up(h)}/charts/leak'}}\n"
            ),
        }
    )
    return "helmCharts: [{name: wrap, releaseName: wrap}]\n"


def _symlinked_base(h: Hostile) -> str:
    (h.outside / "kustomization.yaml").write_text("resources: [secret.yaml]\n")
    h.link("kust/base", h.outside)
    return "resources: [ns.yaml, base]\nnamePrefix: x-\n"


def _apps_kustomization_outside(h: Hostile) -> str:
    """A kustomization of the apps folder (import builds it for the apps it makes)."""
    h.write({"apps/kustomization.yaml": (
        f"resources: [kust.yaml, argocd-cm.yaml, {_up(h)}/secret.yaml]\nnameSuffix: -x\n"
    )})  # fmt: skip
    return "resources: [ns.yaml]\n"


_OUT = "resolved to outside repository root"
_ABSOLUTE = "is an absolute path"
BUILD_ROUTES: dict[str, tuple[Callable[[Hostile], str], bool, str]] = {
    # route: (the kust/kustomization.yaml it writes, needs the Helm engine, what import says)
    "resources ../": (_resource_dotdot, False, _OUT),
    "resources absolute": (_resource_absolute, False, _ABSOLUTE),
    "patches path ../": (_patch_outside, False, _OUT),
    "components absolute": (_component_outside, False, _ABSOLUTE),
    "secretGenerator file ../": (_secret_generator_file_outside, False, _OUT),
    "secretGenerator env absolute": (_secret_generator_env_outside, False, _ABSOLUTE),
    "symlinked base folder": (_symlinked_base, False, "out-of-bounds symlink"),
    "apps kustomization resource ../": (_apps_kustomization_outside, False, _OUT),
    "helmCharts valuesFile ../": (_helm_charts_values_dotdot, True, _OUT),
    "helmCharts chartHome ../": (_helm_charts_home_dotdot, True, _OUT),
    # the scratch copy holds the tree only: the dependency outside it is not there
    "helmCharts file:// dependency ../": (_helm_charts_file_dependency, True, "into 0 objects"),
}


@pytest.mark.parametrize("route", list(BUILD_ROUTES))
def test_no_import_build_route_prints_the_secret(tmp_path: Path, route: str) -> None:
    build, engine, said = BUILD_ROUTES[route]
    if engine:
        requires_extra("charts")
    hostile = hostile_tree(tmp_path, "", {})
    hostile.write({"kust/kustomization.yaml": build(hostile)})
    hostile.track()
    runs = import_runs(hostile.repo.relative_to(tmp_path), tmp_path)
    assert_never_printed(runs, SECRET)
    assert said in runs["import text"][1], runs["import text"][1]


def test_an_import_build_prints_what_it_reads_inside_the_tree(tmp_path: Path) -> None:
    """The control of the build routes: a file up and out of the kustomization's folder,
    still inside the checkout, is built into the app and written to services.toml."""
    inside = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared, namespace: kust}\n"
    hostile = hostile_tree(
        tmp_path,
        "resources: [ns.yaml, ../shared/cm.yaml]\nnamePrefix: x-\n",
        {"shared/cm.yaml": inside + "data: {token: inside-marker}\n"},
    )
    hostile.track()
    runs = import_runs(hostile.repo.relative_to(tmp_path), tmp_path)
    text = runs["import text"][1]
    assert "built as ArgoCD builds it" in text and "inside-marker" in text, text


def test_an_import_build_of_helm_charts_prints_what_the_chart_reads(tmp_path: Path) -> None:
    """The control of the helmCharts routes: the leak chart inflated by import's build shows
    a file and values it reads inside the tree in the report."""
    requires_extra("charts")
    hostile = hostile_tree(
        tmp_path,
        "helmCharts: [{name: leak, releaseName: leak, valuesInline: {x: value-marker}}]\n",
        {f"kust/{name}": text for name, text in LEAK_CHART.items()},
    )
    hostile.write({"shared/stolen.txt": "file-marker\n"})
    hostile.link("kust/charts/leak/stolen.txt", "../../../shared/stolen.txt")
    hostile.track()
    runs = import_runs(hostile.repo.relative_to(tmp_path), tmp_path)
    for name, (_, text) in runs.items():
        assert "LEAK file-marker" in text and "value-marker" in text, f"{name}:\n{text}"


def _literal_kustomization(literals: str) -> str:
    return f"resources: [ns.yaml]\nsecretGenerator: [{{name: creds, literals: {literals}}}]\n"


ENV_KUSTOMIZATION = "resources: [ns.yaml]\nsecretGenerator: [{name: creds, envs: [s.env]}]\n"
GENERATORS: dict[str, tuple[str, bytes, str]] = {
    # case: (kust/kustomization.yaml, kust/s.env, what the report says of it)
    "built": (_literal_kustomization(f"[token={SECRET}]"), b"", "literal data not imported"),
    "not key=value": (
        _literal_kustomization(f"[ok=1, {SECRET}]"),
        b"",
        "literal sources: an entry is not key=value (the generator's values are not shown)",
    ),
    "no key": (_literal_kustomization(f"['={SECRET}']"), b"", "an entry is not key=value"),
    "a duplicate key": (
        _literal_kustomization(f"[token={SECRET}, token=2]"),
        b"",
        "illegally repeats the key `token`",
    ),
    "an env line not UTF-8": (
        ENV_KUSTOMIZATION,
        b"\xff\xfeTOKEN=" + SECRET.encode() + b"\n",
        "env source files [s.env]: a line is not UTF-8",
    ),
    "an env file built": (ENV_KUSTOMIZATION, f"TOKEN={SECRET}\n".encode(), "key TOKEN"),
    "a key YAML cannot write": (  # kustomize dumps the Secret, base64 data and all
        _literal_kustomization(f"[a={SECRET}, {'k' * 1100}=x]"),
        b"",
        "its build fails: Secret creds-",
    ),
}


@pytest.mark.parametrize("case", list(GENERATORS))
def test_a_secret_generator_literal_is_never_printed(tmp_path: Path, case: str) -> None:
    """Not in services.toml, not in the report, not through kustomize's error message (which
    echoes the literal it cannot load), nor base64-encoded as the built Secret holds it."""
    kustomization, env, said = GENERATORS[case]
    hostile = hostile_tree(tmp_path, kustomization, {})
    (hostile.repo / "kust" / "s.env").write_bytes(env)
    hostile.track()
    tree = hostile.repo.relative_to(tmp_path)
    runs = import_runs(tree, tmp_path)
    for fmt in ("text", "json"):
        runs[f"validate {fmt}"] = invoke("validate", str(tree), "--output", fmt)
    encoded = base64.b64encode(SECRET.encode()).decode()
    assert_never_printed(runs, SECRET, encoded[:24])
    assert said in runs["import text"][1], runs["import text"][1]


# a chart of the tree that makes the root app at bootstrap (no written app is a root), its
# annotations what it reads: a file of the chart and its values
BOOT_CHART = {
    "bootstrap/Chart.yaml": "apiVersion: v2\nname: boot\nversion: 1.0.0\n",
    "bootstrap/values.yaml": "x: value-marker\n",
    "bootstrap/templates/root.yaml": f"""
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: root
  namespace: argocd
  annotations: {{stolen: {{{{ .Files.Get "stolen.txt" | quote }}}}, v: {{{{ .Values.x | quote }}}}}}
spec:
  project: default
  source: {{repoURL: "{REPO_URL}", path: apps, targetRevision: main}}
  destination: {{server: "https://kubernetes.default.svc", namespace: argocd}}
""",
    "apps/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n",
}


def _boot_files_get_symlink(h: Hostile) -> None:
    h.link("bootstrap/stolen.txt", h.outside / "secret.yaml")


def _boot_files_get_git_config(h: Hostile) -> None:
    h.link("bootstrap/stolen.txt", "../.git/config")


def _boot_values_symlink(h: Hostile) -> None:
    (h.repo / "bootstrap" / "values.yaml").unlink()
    h.link("bootstrap/values.yaml", h.outside / "secret.yaml")


def _boot_file_dependency(h: Hostile) -> None:
    """A dependency outside the checkout that makes the root and prints the secret."""
    chart = h.outside / "charts" / "boot"
    for name, text in BOOT_CHART.items():
        if name.startswith("bootstrap/"):
            (chart / name).parent.mkdir(parents=True, exist_ok=True)
            (chart / name).write_text(text.replace("name: boot", "name: dep"))
    (chart / "stolen.txt").write_text(SECRET)
    h.write({"bootstrap/Chart.yaml": (
        "apiVersion: v2\nname: boot\nversion: 1.0.0\ndependencies:\n"
        f"  - {{name: argocd-apps, version: 1.0.0, repository: 'file://{_up(h)}/charts/boot'}}\n"
    ), "bootstrap/templates/root.yaml": ""})  # fmt: skip


BOOT_ROUTES: dict[str, tuple[Callable[[Hostile], None], str]] = {
    # route: (plant it, what import says)
    "bootstrap chart .Files.Get symlink": (_boot_files_get_symlink, "out-of-bounds symlink"),
    "bootstrap chart .Files.Get .git/config": (_boot_files_get_git_config, "not read"),
    "bootstrap chart values symlink": (_boot_values_symlink, "out-of-bounds symlink"),
    "bootstrap chart file:// dependency ../": (_boot_file_dependency, _OUT),
}


def boot_tree(tmp_path: Path) -> Hostile:
    hostile = Hostile(tmp_path)
    hostile.write({**BOOT_CHART, "bootstrap/stolen.txt": "file-marker\n"})
    return hostile


def test_import_of_a_bootstrap_root_prints_what_its_chart_reads(tmp_path: Path) -> None:
    """The control of the bootstrap routes: the root the chart makes is imported with the
    file and values it reads inside the tree."""
    requires_extra("charts")
    hostile = boot_tree(tmp_path)
    hostile.track()
    runs = import_runs(hostile.repo.relative_to(tmp_path), tmp_path)
    for name, (_, text) in runs.items():
        assert "made by a chart of the tree at bootstrap" in text, f"{name}:\n{text}"
        assert "file-marker" in text and "value-marker" in text, f"{name}:\n{text}"


@pytest.mark.parametrize("route", list(BOOT_ROUTES))
def test_no_bootstrap_root_route_prints_the_secret(tmp_path: Path, route: str) -> None:
    requires_extra("charts")
    plant, said = BOOT_ROUTES[route]
    hostile = boot_tree(tmp_path)
    (hostile.repo / "bootstrap" / "stolen.txt").unlink()
    plant(hostile)
    hostile.track()
    runs = import_runs(hostile.repo.relative_to(tmp_path), tmp_path)
    assert_never_printed(runs, SECRET)
    assert said in runs["import text"][1], runs["import text"][1]


def test_import_contacts_no_host_the_tree_names(tmp_path: Path) -> None:
    """Remote bases, helmCharts repositories, chart dependencies and the chart a bootstrap
    root depends on: import builds offline, asks none of them."""
    with counting_server() as server:
        remote = f"{server.base}/charts"
        hostile = hostile_tree(
            tmp_path,
            f"resources: [ns.yaml, {server.base}/remote.yaml, {server.base}/repo.git//base]\n"
            "namePrefix: x-\n",
            {
                "apps/hc.yaml": app_yaml(
                    "hc", f'source: {{repoURL: "{REPO_URL}", path: hc, targetRevision: main}}'
                ),
                "hc/kustomization.yaml": (
                    f"helmCharts: [{{name: demo, repo: '{remote}', version: 1.0.0}}]\n"
                ),
                "apps/wrap.yaml": app_yaml(
                    "wrap", f'source: {{repoURL: "{REPO_URL}", path: wrap, targetRevision: main}}'
                ),
                "wrap/Chart.yaml": (
                    "apiVersion: v2\nname: wrap\nversion: 1.0.0\ndependencies:\n"
                    f"  - {{name: demo, version: 1.0.0, repository: '{remote}'}}\n"
                ),
                "apps/demo.yaml": app_yaml(
                    "demo", f"source: {{repoURL: '{remote}', chart: demo, targetRevision: 1.0.0}}"
                ),
            },
        )
        hostile.track()
        runs = import_runs(hostile.repo, tmp_path)
        boot = boot_tree(tmp_path / "boot")
        boot.write(
            {
                "bootstrap/Chart.yaml": (
                    "apiVersion: v2\nname: boot\nversion: 1.0.0\ndependencies:\n"
                    f"  - {{name: argocd-apps, version: 2.0.0, repository: '{remote}'}}\n"
                ),
                "bootstrap/templates/root.yaml": "",
            }
        )  # fmt: skip: the roots are the dependency's
        boot.track()
        booted = import_runs(boot.repo, tmp_path)
        assert server.requests == [], server.requests
    assert_never_printed({**runs, **{f"boot {k}": v for k, v in booted.items()}})
    text = runs["import text"][1]
    assert f"needs the remote resource {server.base}/remote.yaml" in text, text
    assert f"needs the chart {remote} demo@1.0.0" in text, text
    said = (  # without the engine the chart is not rendered, and that is said instead
        "dependency argocd-apps not found: roots not known"
        if has_extra("charts")
        else "chart expansion needs the 'charts' extra"
    )
    assert said in booted["import text"][1], booted["import text"][1]
