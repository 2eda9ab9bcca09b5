"""Tree data is data in every output (issue 22): control characters shown as escapes, no
line that starts a GitHub workflow command, JUnit that parses, JSON with kind, namespace and
name apart. The hostile tree is written here, so each test shows its whole input."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from homegen import console
from homegen.cli import app
from homegen.escape import json_text, no_command, terminal_line, terminal_text, visible, xml_text

runner = CliRunner()
# what must never reach a terminal or a log raw: C0 but the line break, DEL, C1, bidi controls
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
COMMAND = re.compile(r"^\s*(::|##\[)", re.M)

CLEAR = r"\e[2J\e[H"
TITLE = r"\e]0;pwned\a"
LINK = r"\e]8;;https://evil.example/\e\\click\e]8;;\e\\"
INJECT = r"\n::error file=x.yaml,line=1::injected"
CONTROLS = r"\0\x01\b\x7f\x85\x9b\u202e"

TREE = {
    "objects.yaml": f"""\
apiVersion: v1
kind: ConfigMap
metadata:
  name: "cm{CLEAR}/slash{INJECT}"
  namespace: "ns{LINK}"
data: {{a: "1"}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: "web/front{CONTROLS}"
  namespace: default
spec:
  selector: {{matchLabels: {{a: b}}}}
  template:
    metadata: {{labels: {{a: b}}}}
    spec:
      containers:
        - name: "c{TITLE}\\n##[error]old-style{INJECT}"
          image: nginx:1.27
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: "app{CLEAR}{INJECT}"
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://charts.example.com
    chart: "chart{TITLE}{INJECT}"
    targetRevision: 1.0.0
  destination: {{server: https://kubernetes.default.svc, namespace: "dest{LINK}"}}
""",
    # a file name is tree data too
    "bad\x1b[2J\n::error file=f::name.yaml": "a: [1\n",
}


@pytest.fixture(autouse=True)
def _reset_console() -> None:
    console.configure()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name, text in TREE.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"HOMEGEN_CHARTS": ""})
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def _assert_inert(text: str, *, commands_allowed: bool = False) -> None:
    assert RAW.search(text) is None, RAW.search(text)
    for line in COMMAND.findall(text) if not commands_allowed else ():
        raise AssertionError(f"a line starts a workflow command: {line!r}")


@pytest.mark.parametrize("output", ["text", "json", "junit"])
def test_every_format_and_stderr_is_inert(tree: Path, output: str) -> None:
    code, stdout, stderr = _run("validate", str(tree), "--output", output)
    assert code == 1
    _assert_inert(stdout)
    _assert_inert(stderr)
    assert "\\x1b[2J" in stderr  # the Application's name in the note, shown, not obeyed


def test_text_shows_escapes_on_one_line_per_finding(tree: Path) -> None:
    _code, stdout, _stderr = _run("validate", str(tree))
    line = next(x for x in stdout.splitlines() if "HG101" in x)
    assert f"{tree}/bad\\x1b[2J\\n::error file=f::name.yaml:2: error HG101" in line
    assert "container c\\x1b]0;pwned\\x07\\n##[error]old-style\\n::error file=x.yaml" in stdout
    assert "web/front\\x00\\x01\\x08\\x7f\\x85\\x9b\\u202e" in stdout


def test_github_output_has_only_its_own_commands(tree: Path) -> None:
    code, stdout, stderr = _run("validate", str(tree), "--output", "github")
    assert code == 1
    _assert_inert(stdout, commands_allowed=True)
    _assert_inert(stderr)
    lines = stdout.splitlines()
    commands = [x for x in lines if x.startswith("::")]
    assert len(commands) == len(lines) - 1  # every finding one command, then the summary
    for line in commands:
        assert re.fullmatch(r"::(error|warning|notice) file=[^:]*,line=\d+,title=HG\d+::.*", line)
    assert "%0A%3A%3Aerror file=f%3A%3Aname.yaml" in stdout  # the file name, percent-encoded
    assert "old-style%0A::error file=x.yaml" in stdout  # inside the message: inert


def test_junit_parses_and_keeps_the_names(tree: Path) -> None:
    _code, stdout, _stderr = _run("validate", str(tree), "--output", "junit")
    root = ET.fromstring(stdout)
    names = {case.get("name") for case in root.iter("testcase")}
    assert "default/web/front\\x00\\x01\\x08\\x7f\\x85\\x9b\\u202e" in names
    classes = {case.get("classname") for case in root.iter("testcase")}
    assert "Deployment@apps/v1" in classes


def test_json_keeps_kind_namespace_and_name_apart(tree: Path) -> None:
    _code, stdout, _stderr = _run("validate", str(tree), "--output", "json")
    resources = json.loads(stdout)["resources"]
    deployment = next(r for r in resources if r["kind"] == "Deployment")
    assert deployment["namespace"] == "default"
    assert deployment["name"] == "web/front\x00\x01\b\x7f\x85\x9b\u202e"
    assert deployment["object"] == "Deployment/default/" + deployment["name"]


def test_list_apps_is_inert(tree: Path) -> None:
    code, stdout, stderr = _run("validate", str(tree), "--list-apps")
    assert code == 0  # a listing: findings do not fail it
    _assert_inert(stdout)
    _assert_inert(stderr)
    assert "app\\x1b[2J\\x1b[H\\n::error file=x.yaml,line=1::injected" in stdout


def test_import_report_is_inert(tree: Path, tmp_path: Path) -> None:
    (tree / ("bad\x1b[2J\n::error file=f::name.yaml")).unlink()
    code, stdout, stderr = _run("import", str(tree), "-o", str(tmp_path / "out" / "s.toml"))
    assert code in (0, 1)
    _assert_inert(stdout)
    _assert_inert(stderr)
    assert "\\x1b" in stderr


def test_import_error_names_a_hostile_file_inertly(tree: Path, tmp_path: Path) -> None:
    code, _stdout, stderr = _run("import", str(tree), "-o", str(tmp_path / "s.toml"))
    assert code == 2
    _assert_inert(stderr)
    assert "bad\\x1b[2J" in stderr


def test_charts_table_is_inert(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(
        f"""\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: "app{CLEAR}{INJECT}", namespace: argocd}}
spec:
  source: {{repoURL: "oci://127.0.0.1:1/x", chart: "c{TITLE}{INJECT}", targetRevision: 1.0.0}}
  destination: {{namespace: d}}
""",
        encoding="utf-8",
    )
    for output in ("text", "json"):
        _code, stdout, stderr = _run("charts", str(tmp_path), "--offline", "--output", output)
        _assert_inert(stdout)
        _assert_inert(stderr)
    assert "c\\x1b]0;pwned\\x07\\n::error" in _run("charts", str(tmp_path), "--offline")[1]


# --- the escaping functions themselves ----------------------------------------------------


def test_visible_shows_every_control_character() -> None:
    assert visible("a\x1b[2Jb\n\r\t\x00\x7f\x9b\u202e\udcff") == (
        "a\\x1b[2Jb\\n\\r\\t\\x00\\x7f\\x9b\\u202e\\udcff"
    )
    assert visible("a\nb", keep_newlines=True) == "a\nb"
    assert visible("ünïcødé ✓ 名前") == "ünïcødé ✓ 名前"


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("::error::x", "\\x3a:error::x"),
        ("  \t::warning::x", "  \t\\x3a:warning::x"),
        ("##[error]x", "\\x23#[error]x"),
        ("a ::error::x", "a ::error::x"),
        (":single", ":single"),
        ("#[x", "#[x"),
    ],
)
def test_no_command(line: str, shown: str) -> None:
    assert no_command(line) == shown


def test_terminal_text_keeps_lines_and_neutralises_each() -> None:
    text = terminal_text("ok\n::error::a\n \x1b[31m\n")
    assert text == "ok\n\\x3a:error::a\n \\x1b[31m\n"
    assert terminal_line("x\n::error::a") == "x\\n::error::a"


def test_json_text_leaves_json_valid() -> None:
    value = {"k": "\x1b\x85\u2028\u202e\x7f", "n": 1}
    text = json_text(json.dumps(value, ensure_ascii=False, indent=2))
    assert RAW.search(text) is None
    assert json.loads(text) == value


def test_xml_text_parses_with_every_c0() -> None:
    value = "".join(chr(c) for c in range(32)) + "\ufffe"
    element = ET.Element("t", name=xml_text(value))
    element.text = xml_text(value)
    parsed = ET.fromstring(ET.tostring(element, encoding="unicode"))
    assert parsed.get("name") == parsed.text
    assert RAW.search(parsed.text or "") is None


def test_styled_lines_keep_homegen_colours_only() -> None:
    console.configure(color="always")
    shown = console.style("x\x1b[2J", "red")
    assert shown == "\x1b[31mx\\x1b[2J\x1b[0m"


def test_a_repo_url_that_is_no_url_is_reported_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(
        """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: app, namespace: argocd}
spec:
  source: {repoURL: "https://127.0.0.1:1/\\e]0;t\\a", chart: c, targetRevision: 1.0.0}
  destination: {namespace: d}
""",
        encoding="utf-8",
    )
    code, stdout, _stderr = _run("charts", str(tmp_path))
    assert code == 0
    _assert_inert(stdout)
    assert "network: not tried (offline)" in stdout  # `charts TREE` never goes online
