"""A render killed at any moment, or failing to write, leaves every file old or new (DESIGN.md:
"Writing, checking, ownership"), and the next render repairs the tree."""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from homegen import writer
from homegen.confined import Blocked
from homegen.ledger import LEDGER_NAME, read_ledger
from robustness import MINIMAL, render_cli, tree_bytes

KILL_RUNS = 50
SERVICES = 100


def _config(port_base: int, skip: int) -> str:
    """MINIMAL plus SERVICES routed services; every skip-th one left out (creates, deletes)."""
    services = "".join(
        f'\n[services.svc-{i}]\nimage = "ghcr.io/example/svc:1.0.{i}"\nport = {port_base + i}\n'
        f'route = {{ path = "/svc-{i}" }}\nenv = {{ INDEX = "{i}" }}\n'
        for i in range(SERVICES)
        if i % skip
    )
    return MINIMAL.read_text() + services


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """A folder on tmpfs when there is one: thousands of small files on disk vary by seconds."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="homegen-crash-", dir=shm))
        yield folder
        shutil.rmtree(folder, ignore_errors=True)
    else:
        yield tmp_path


def _start(config: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "homegen", "render", "--config", str(config), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _timed_render(config: Path, out: Path, *args: str) -> float:
    start = time.perf_counter()
    cmd = [sys.executable, "-m", "homegen", "render", "--config", str(config), "--out", str(out)]
    subprocess.run([*cmd, *args], check=False, capture_output=True)
    return time.perf_counter() - start


def _temps(folder: Path) -> int:
    with os.scandir(folder) as entries:
        return sum(1 for e in entries if e.name.endswith(writer.TEMP_SUFFIX))


def _wait_for_renames(out: Path, process: subprocess.Popen[bytes]) -> bool:
    """Poll until the render starts renaming staged files into place (the risky moment).

    Every file is staged first and renamed after, apps/ first (changes are sorted): renames
    have begun when apps/ holds fewer temp files than it did.
    """
    most = 0
    while process.poll() is None:
        count = _temps(out / "apps")
        if most and count < most:
            return True
        most = max(most, count)
        time.sleep(0.0005)
    return False


def _assert_old_or_new(out: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    """Check the invariant; the state found: "old", "new", "mixed" (a kill mid-write)."""
    ledger = read_ledger(out)
    kinds = set()
    for path, data in tree_bytes(out).items():
        name = path.rsplit("/", 1)[-1]
        if name == LEDGER_NAME:
            assert ledger.present, "the ledger is not valid JSON"
            continue
        if name.startswith(".") and name.endswith(writer.TEMP_SUFFIX):
            continue  # hidden staging file: removed by the next render
        assert data in (old.get(path), new.get(path)), f"{path} is neither old nor new"
        assert ledger.owns(path, data), f"{path} is on disk but the ledger cannot prove it ours"
        if old.get(path) != new.get(path):
            kinds.add("old" if data == old.get(path) else "new")
    return kinds.pop() if len(kinds) == 1 else "mixed"


@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_old_or_new_files(scratch: Path) -> None:
    configs = [scratch / "a.toml", scratch / "b.toml"]
    configs[0].write_text(_config(8000, skip=10))
    configs[1].write_text(_config(9000, skip=7))  # every port changes; some services come/go
    clean = [scratch / "clean-a", scratch / "clean-b"]
    for config, folder in zip(configs, clean, strict=True):
        assert render_cli(config, folder)[0] == 0
    trees = [tree_bytes(folder) for folder in clean]
    trees = [{p: d for p, d in t.items() if p != LEDGER_NAME} for t in trees]
    assert set(trees[0]) != set(trees[1])

    out = scratch / "rendered"
    shutil.copytree(clean[0], out)
    write_time = _timed_render(configs[1], out)
    shutil.rmtree(out)
    shutil.copytree(clean[0], out)
    think_time = _timed_render(configs[1], out, "--check")  # everything but the writing
    rng = random.Random(20260505)
    states: Counter[str] = Counter()
    for run in range(KILL_RUNS):
        target = rng.randrange(2)
        process = _start(configs[target], out)
        if run % 3 == 0:  # anywhere: start-up, loading, planning, validating, staging
            time.sleep(rng.uniform(0, max(write_time, think_time) * 1.1))
        elif _wait_for_renames(out, process):  # while files are replaced: milliseconds
            time.sleep(rng.uniform(0, 0.005))
        process.send_signal(signal.SIGKILL)
        process.wait()
        states[_assert_old_or_new(out, trees[0], trees[1])] += 1
    # Seen with -s: how many kills left a tree half old, half new ("mixed").
    print(f"render {write_time:.2f}s, check {think_time:.2f}s, states after kills {dict(states)}")
    assert states["mixed"] >= 1, "no kill landed while files were being replaced"

    assert render_cli(configs[1], out)[0] == 0
    assert tree_bytes(out) == tree_bytes(clean[1])
    assert render_cli(configs[1], out, "--check")[0] == 0


def test_disk_full_leaves_the_old_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "services.toml"
    config.write_text(_config(8000, skip=10))
    out = tmp_path / "rendered"
    assert render_cli(config, out)[0] == 0
    before = tree_bytes(out)
    config.write_text(_config(9000, skip=7))
    real_stage = writer._stage
    written = []

    def full_disk(target: str | Path, data: bytes, *rest: Any) -> str:
        if len(written) >= 25:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        written.append(target)
        return real_stage(target, data, *rest)

    monkeypatch.setattr(writer, "_stage", full_disk)

    code, text = render_cli(config, out)

    assert code == 3  # EXIT_INTERNAL: the write failed, no drift or usage problem
    assert "No space left on device" in text
    assert "the old tree is intact" in text
    assert "Traceback" not in text
    after = tree_bytes(out)
    assert {p: d for p, d in after.items() if p != LEDGER_NAME} == {
        p: d for p, d in before.items() if p != LEDGER_NAME
    }
    assert not [p for p in after if p.endswith(writer.TEMP_SUFFIX)]
    monkeypatch.setattr(writer, "_stage", real_stage)
    assert render_cli(config, out)[0] == 0
    assert render_cli(config, out, "--check")[0] == 0


def test_an_up_to_date_render_removes_a_killed_renders_temps(tmp_path: Path) -> None:
    config = tmp_path / "services.toml"
    config.write_text(_config(8000, skip=10))
    out = tmp_path / "rendered"
    assert render_cli(config, out)[0] == 0
    before = tree_bytes(out)
    # a render for other contents killed while staging: the tree is still the current one
    stale = [
        out / f".root.yaml.4242{writer.TEMP_SUFFIX}",
        out / "apps" / f".a.yaml.7{writer.TEMP_SUFFIX}",
    ]
    mine = [out / f"notes{writer.TEMP_SUFFIX}"]  # not hidden: not a name homegen stages
    for path in stale + mine:
        path.write_bytes(b"half\n")

    code, text = render_cli(config, out, "--check")  # checking writes and removes nothing
    assert (code, [p.exists() for p in stale + mine]) == (0, [True, True, True]), text
    code, text = render_cli(config, out)

    assert code == 0, text
    assert "is up to date" in text
    assert [p.exists() for p in stale + mine] == [False, False, True]
    assert tree_bytes(out) == {**before, "notes.homegen-tmp": b"half\n"}


@pytest.mark.parametrize(
    ("refusal", "code", "messages"),
    [
        (PermissionError(errno.EACCES, os.strerror(errno.EACCES)), 3,
         ["{out}: cannot remove a killed render's temp files (Permission denied)"]),
        # a folder swapped for a symlink between the comparison and the removal (a race)
        (Blocked("apps", "symlink", "a symlink (to /etc)"), 1,
         ["{out}: homegen writes, renames and deletes nothing through a symlink",
          "{out}/apps: a symlink (to /etc)"]),
    ],
    ids=["refused", "blocked"],
)  # fmt: skip
def test_temps_that_cannot_be_removed_fail_the_render(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    refusal: Exception,
    code: int,
    messages: list[str],
) -> None:
    config = tmp_path / "services.toml"
    config.write_text(_config(8000, skip=10))
    out = tmp_path / "rendered"
    assert render_cli(config, out)[0] == 0

    def refused(tree: Any) -> None:
        raise refusal

    monkeypatch.setattr(writer, "_remove_stale_temps", refused)
    found, text = render_cli(config, out)
    assert found == code, text
    for message in messages:
        assert message.format(out=out) in text
