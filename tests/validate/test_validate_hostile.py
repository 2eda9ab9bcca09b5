"""Hostile and foreign YAML: every file is read or reported with its line, the run goes on,
and files that are not Kubernetes objects are recognised and skipped. The corpus is built
here, in the test, so no binary file is committed."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner
from validate_trees import SHARED_SCHEMAS, clean_files, write_tree

from homegen.cli import app
from homegen.validate.reader import documents
from homegen.validate.reader.documents import load_tree

# these tests are about reading trees, not CRD schemas: a fresh clone without ../shared
# (no ArgoCD schemas) must give the same findings
SCHEMAS = ["--schema-location", str(SHARED_SCHEMAS), "--ignore-missing-schemas"]
runner = CliRunner()


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _nested_block(levels: int) -> str:
    text = "leaf: 1"
    for _ in range(levels):
        text = "a:\n" + "\n".join("  " + line for line in text.split("\n"))
    return text + "\n"


CORPUS: dict[str, tuple[bytes, str]] = {
    # file: (bytes, what is expected: a rule id with its line, or "skip")
    "mkdocs.yml": (
        b"site_name: docs\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
        b"      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
        "skip",
    ),
    "config/app.yaml": (b"settings: !include settings.yaml\nlist: !custom [a, b]\n", "skip"),
    "tagged-object.yaml": (
        b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: !weird tagged\n",
        "object",
    ),
    "bad-int.yaml": (b"x: 1\n---\nport: !!int eighty\n", "HG107:3"),
    "bomb.yaml": (_alias_bomb().encode(), "HG107:1"),
    "recursive.yaml": (b"# loops\nloop: &loop [*loop]\n", "HG107:2"),
    "latin1.yaml": (b"# config\n# comment\nname: caf\xe9\n", "HG107:3"),
    "binary.yaml": (b"\x00\x01\x02\xff\xfe\x00garbage", "HG107:1"),
    "deep-flow.yaml": (b"data: " + b"[" * 200 + b"]" * 200 + b"\n", "HG107:1"),
    "deep-block.yaml": (_nested_block(200).encode(), "HG107:1"),
    "very-deep-flow.yaml": (b"x: " + b"[" * 20000 + b"\n", "HG101:1"),
    "bom.yaml": (b"\xef\xbb\xbfsetting: 1\n", "skip"),
    "utf16.yaml": ("setting: 1\n".encode("utf-16"), "skip"),
    "kustomization.yaml": (
        b"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        b"resources: [a.yaml]\n",
        "skip",
    ),
    "component/kustomization.yml": (
        b"apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n", "skip",
    ),
    "chart/Chart.yaml": (b"apiVersion: v2\nname: demo\nversion: 1.0.0\n", "skip"),
    "chart/values.yaml": (b"replicas: 1\n", "skip"),
    "chart/templates/deploy.yaml": (
        b"kind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n",
        "skip",
    ),
    "jinja.yaml": (b"name: {{ name }}\n  {% if x %}\n", "skip"),
    "empty-kind.yaml": (b"apiVersion: v1\nkind:\nmetadata: {name: x}\n", "HG103:1"),
    "blank-api.yaml": (b'apiVersion: ""\nkind: Namespace\nmetadata: {name: x}\n', "HG103:1"),
    "missing-api.yaml": (b"kind: Namespace\nmetadata: {name: x}\n", "HG103:1"),
}  # fmt: skip


def _findings(tmp_path: Path, files: dict[str, bytes]) -> tuple[int, str]:
    root = tmp_path / "tree"
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = runner.invoke(app, ["validate", str(root), *SCHEMAS], env=env)
    return result.exit_code, result.stdout


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_hostile_file_is_read_or_reported_at_its_line(tmp_path: Path, name: str) -> None:
    data, expected = CORPUS[name]
    files = {name: data}
    if name.startswith("chart/") and name != "chart/Chart.yaml":
        files["chart/Chart.yaml"] = CORPUS["chart/Chart.yaml"][0]
    code, out = _findings(tmp_path, files)
    assert code in (0, 1), out
    if expected == "skip":
        assert "files skipped (not Kubernetes objects)" in out.splitlines()[-1], out
        assert "0 resources" in out and " HG" not in out, out
    elif expected == "object":
        assert out.splitlines()[-1].startswith("1 resources"), out
    else:
        rule, line = expected.split(":")
        assert f"/{name}:{line}: error {rule}" in out, out


def test_the_whole_corpus_beside_a_clean_tree_keeps_every_check(tmp_path: Path) -> None:
    files = {k: v.encode() for k, v in clean_files().items()}
    files.update({f"junk/{name}": data for name, (data, _) in CORPUS.items()})
    code, out = _findings(tmp_path, files)
    assert code == 1
    reported = {
        line.split(":")[0].split("/junk/")[-1] for line in out.splitlines() if "/junk/" in line
    }
    # a document with a kind and no apiVersion in a folder no app syncs is no Kubernetes
    # object meant for the cluster (an Omni template): skipped beside a tree with apps
    expected = {n for n, (_, e) in CORPUS.items() if e.startswith("HG")} - {"missing-api.yaml"}
    assert expected <= reported, out
    assert "missing-api.yaml" not in reported, out
    # 10 corpus files, the first document of bad-int.yaml and the clean tree's values file
    assert ", 12 files skipped (not Kubernetes objects); " in out.splitlines()[-1], out
    assert "manifests/whoami" not in out  # the clean tree itself stays clean


def test_file_larger_than_the_limit_is_reported_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "MAX_FILE_BYTES", 1024)
    code, out = _findings(tmp_path, {"big.yaml": b"k: " + b"v" * 2000 + b"\n"})
    assert code == 1 and "big.yaml:1: error HG107: file of 2,004 bytes" in out


def test_a_v1_list_is_unwrapped_into_its_items_at_their_lines(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "list.yaml": (
                "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n"
                "apiVersion: v1\nkind: List\nitems:\n"
                "  - apiVersion: v1\n    kind: Namespace\n    metadata: {name: b}\n"
                "  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c}\n"
            ),
            "empty-list.yaml": "apiVersion: v1\nkind: List\nitems: []\n",
        },
    )
    docs = load_tree(root)
    assert [(d.file, d.line, d.obj["kind"]) for d in docs] == [
        ("list.yaml", 1, "Service"),
        ("list.yaml", 8, "Namespace"),
        ("list.yaml", 11, "ConfigMap"),
    ]


def test_a_list_item_that_is_not_a_mapping_is_a_finding(tmp_path: Path) -> None:
    code, out = _findings(tmp_path, {"l.yaml": b"apiVersion: v1\nkind: List\nitems:\n  - 3\n"})
    assert code == 1 and "l.yaml:4: error HG103: List item is a int" in out


def test_validating_one_file_that_is_not_utf8_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"name: caf\xe9\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1 and "HG107" in result.stdout
