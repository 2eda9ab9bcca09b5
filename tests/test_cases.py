"""The case corpus (tests/cases/README.md): every rejected input exits 2 with its message and
location and leaves rendered/ untouched; every accepted input renders, validates and is stable."""

from __future__ import annotations

import random
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from homegen.validate.reader.documents import load_tree
from homegen.validate.run import ValidateOptions, validate_documents
from robustness import CASES, MINIMAL, REPO, render_cli, tree_bytes

REJECT = sorted(p.name for p in (CASES / "reject").iterdir() if p.is_dir())
ACCEPT = sorted(p.name for p in (CASES / "accept").iterdir() if p.is_dir())
PROBLEM_LINE = re.compile(r"^services\.toml:\d+:\d+: ")


def _huge() -> tuple[bytes, list[str]]:
    """10 MB: a 5 MB string, 50,000 comment lines, then one bad value at a known line."""
    base = MINIMAL.read_text()
    head, tail = base.split("port = 8080\n")
    text = (
        head
        + "port = 8080\n"
        + f'description = "{"y" * 5_000_000}"\n'
        + ("# " + "x" * 97 + "\n") * 50_000
        + "replicas = -1\n"
        + tail
    )
    line = text[: text.index("replicas = -1")].count("\n") + 1
    expected = f"services.toml:{line}:1: services.web.replicas: must be greater than or equal to 0"
    return text.encode(), [expected]


def _binary() -> tuple[bytes, list[str]]:
    data = bytes(random.Random(5).randrange(256) for _ in range(4096)) + b"\x00"
    return data, ["services.toml:1:1: binary file, not TOML text"]


def _latin1() -> tuple[bytes, list[str]]:
    data = MINIMAL.read_bytes().replace(b'"nginx:1.27.0"', b'"nginx:1.27.0" # \xc3\xbc caf\xe9')
    return data, ["services.toml:22:31: not valid UTF-8 (byte 0xe9)"]


GENERATED = {"generated-10mb": _huge, "generated-binary": _binary, "generated-latin1": _latin1}


@pytest.fixture(scope="session")
def homelab_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped homelab rendered once; each case works on a copy."""
    out = tmp_path_factory.mktemp("homelab") / "rendered"
    code, text = render_cli(REPO / "services.toml", out)
    assert code == 0, text
    return out


def _expected(case: Path) -> list[str]:
    return [line for line in (case / "expected.txt").read_text().splitlines() if line.strip()]


def _matches(expected: str, actual: str) -> bool:
    if expected.startswith("re:"):
        return re.search(expected[3:].strip(), actual) is not None
    return expected in actual


@pytest.mark.parametrize("name", REJECT + sorted(GENERATED))
def test_rejected_input(name: str, homelab_tree: Path, tmp_path: Path) -> None:
    if name in GENERATED:
        case = tmp_path / name
        case.mkdir()
        data, expected = GENERATED[name]()
        (case / "services.toml").write_bytes(data)
    else:
        case = CASES / "reject" / name
        expected = _expected(case)
    out = tmp_path / "rendered"
    shutil.copytree(homelab_tree, out)
    before = tree_bytes(out)

    code, text = render_cli(case / "services.toml", out)

    text = text.replace(f"{case}/", "")
    assert code == 2, text
    assert "Traceback" not in text
    problems = [line for line in text.splitlines() if PROBLEM_LINE.match(line)]
    assert len(problems) == len(expected), text
    for want, got in zip(expected, problems, strict=True):
        assert _matches(want, got), f"expected {want!r}\n     got {got!r}"
    assert tree_bytes(out) == before


def test_corpus_is_big_enough() -> None:
    assert len(REJECT) + len(GENERATED) >= 40
    for name in REJECT:
        assert (CASES / "reject" / name / "expected.txt").is_file(), name


def _cluster(config: Path) -> dict[str, Any]:
    """[cluster] of a case's services.toml (what validate reads beside a tree)."""
    cluster = tomllib.loads(config.read_text(encoding="utf-8-sig")).get("cluster", {})
    return cluster if isinstance(cluster, dict) else {}


@pytest.mark.parametrize("name", ACCEPT)
def test_accepted_input(name: str, tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    config = CASES / "accept" / name / "services.toml"

    code, text = render_cli(config, out)

    assert code == 0, text
    files = tree_bytes(out)
    for path, data in files.items():
        if path.endswith(".yaml"):
            assert list(yaml.safe_load_all(data.decode("utf-8"))), path
    report = validate_documents(
        load_tree(out),
        options=ValidateOptions(
            cache_dir=tmp_path / "schema-cache",
            storage_classes=tuple(_cluster(config).get("storage_classes", ())),
        ),
    )
    assert report.errors == 0, [str(f) for f in report.findings if f.failing]
    assert render_cli(config, out, "--check")[0] == 0
    assert tree_bytes(out) == files
