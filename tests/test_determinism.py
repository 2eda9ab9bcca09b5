"""The same services.toml renders to the same bytes whatever PYTHONHASHSEED, locale, the order of
tables and keys in the file, or the folder homegen is started from (DESIGN.md: the pipeline)."""

from __future__ import annotations

import random
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomlkit

from robustness import CASES, REPO, render_cli, render_process, tree_bytes

UNICODE = CASES / "accept" / "unicode-env-and-config-files" / "services.toml"
SECRETS = CASES / "accept" / "provider-external-secrets" / "services.toml"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """Each config rendered once in this process: the bytes every variant must reproduce."""
    trees = {}
    for config in (REPO / "services.toml", UNICODE, SECRETS):
        out = tmp_path_factory.mktemp("reference") / "rendered"
        assert render_cli(config, out)[0] == 0
        trees[str(config)] = tree_bytes(out)
    return trees


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONHASHSEED": "0"},
        {"PYTHONHASHSEED": "1"},
        {"PYTHONHASHSEED": "4294967295"},
        {"PYTHONHASHSEED": "random"},
        {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
        {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
        {"LC_ALL": "POSIX", "PYTHONIOENCODING": "ascii"},
    ],
    ids=["seed-0", "seed-1", "seed-max", "seed-random", "lc-c", "lc-c-utf8", "posix-ascii"],
)
def test_bytes_do_not_depend_on_hash_seed_or_locale(
    env: dict[str, str], reference: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    for config in (REPO / "services.toml", UNICODE):  # the homelab, and non-ASCII text
        out = tmp_path / config.parent.name / "rendered"
        result = render_process(config, out, env=env)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert tree_bytes(out) == reference[str(config)]


def _shuffled(value: Any, rng: random.Random) -> Any:
    """Every table's keys in a random order; arrays keep theirs (their order is meaning)."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: _shuffled(value[k], rng) for k in keys}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(
    "config", [REPO / "services.toml", UNICODE, SECRETS], ids=lambda p: p.parent.name
)
def test_bytes_do_not_depend_on_table_or_key_order(
    config: Path, seed: int, reference: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    shuffled = _shuffled(data, random.Random(seed))
    text = tomlkit.dumps(shuffled)
    assert tomllib.loads(text) == data
    (tmp_path / "services.toml").write_text(text, encoding="utf-8")
    out = tmp_path / "rendered"
    code, output = render_cli(tmp_path / "services.toml", out)
    assert code == 0, output
    assert tree_bytes(out) == reference[str(config)]


def test_bytes_do_not_depend_on_the_working_folder(
    reference: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(REPO / "services.toml", project / "services.toml")
    elsewhere = tmp_path / "some" / "other" / "folder"
    elsewhere.mkdir(parents=True)

    relative = render_process(Path("services.toml"), Path("rendered"), cwd=project)
    absolute = render_process(project / "services.toml", tmp_path / "abs", cwd=elsewhere)
    dotted = render_process(Path("../../../project/services.toml"), Path("../out"), cwd=elsewhere)

    for result in (relative, absolute, dotted):
        assert result.returncode == 0, result.stderr
    expected = reference[str(REPO / "services.toml")]
    assert tree_bytes(project / "rendered") == expected
    assert tree_bytes(tmp_path / "abs") == expected
    assert tree_bytes(tmp_path / "some" / "other" / "out") == expected
