"""Unpacking chart archives treats them as hostile (issue 14)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from chartkit import chart_files, make_chart, pack

from homegen.charts import archive
from homegen.charts.archive import ArchiveError, unpack_chart


def tar_with(*members: tuple[tarfile.TarInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path, data in chart_files("demo", "1.0.0").items():
            info = tarfile.TarInfo(f"demo/{path}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info, data in members:
            info.size = len(data) if info.isfile() else 0
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return buffer.getvalue()


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


def test_a_chart_unpacks_to_its_top_folder(tmp_path: Path) -> None:
    assert unpack_chart(make_chart("demo", "1.0.0"), tmp_path) == "demo"
    assert (tmp_path / "demo" / "Chart.yaml").read_bytes() == chart_files("demo", "1.0.0")[
        "Chart.yaml"
    ]


@pytest.mark.parametrize(
    ("info", "message"),
    [
        (member("../evil.yaml"), "unsafe path '../evil.yaml'"),
        (member("demo/../../evil.yaml"), "unsafe path 'demo/../../evil.yaml'"),
        (member("/etc/evil.yaml"), "unsafe path '/etc/evil.yaml'"),
        (member("demo/out", tarfile.SYMTYPE, "../../etc/passwd"), "points outside the chart"),
        (member("demo/abs", tarfile.SYMTYPE, "/etc/passwd"), "points outside the chart"),
        (member("demo/hard", tarfile.LNKTYPE, "demo/Chart.yaml"), "only files, folders"),
        (member("demo/dev", tarfile.CHRTYPE), "only files, folders"),
        (member("demo/fifo", tarfile.FIFOTYPE), "only files, folders"),
        (member("other/x.yaml"), "expected one top folder, found ['demo', 'other']"),
    ],
)
def test_unsafe_members_are_refused_and_nothing_escapes(
    tmp_path: Path, info: tarfile.TarInfo, message: str
) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(ArchiveError, match=message.replace("[", r"\[").replace("]", r"\]")):
        unpack_chart(tar_with((info, b"x" if info.isfile() else b"")), dest)
    assert not (tmp_path / "evil.yaml").exists()
    assert list(dest.iterdir()) == []  # checked before anything is written


def test_a_link_inside_the_chart_is_kept(tmp_path: Path) -> None:
    data = tar_with((member("demo/alias.yaml", tarfile.SYMTYPE, "values.yaml"), b""))
    unpack_chart(data, tmp_path)
    assert (tmp_path / "demo" / "alias.yaml").read_text() == "greeting: hello\n"


def test_size_and_count_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = pack({**chart_files("demo", "1.0.0"), "blob.bin": b"\0" * 4096}, "demo")
    monkeypatch.setattr(archive, "MAX_UNPACKED", 4000)
    with pytest.raises(ArchiveError, match="unpacks to more than"):
        unpack_chart(big, tmp_path / "a")
    monkeypatch.setattr(archive, "MAX_UNPACKED", 10**9)
    monkeypatch.setattr(archive, "MAX_MEMBERS", 2)
    with pytest.raises(ArchiveError, match="more than 2 files"):
        unpack_chart(big, tmp_path / "b")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"plain text", "not a readable chart archive"),
        (make_chart("demo", "1.0.0")[:60], "not a readable chart archive"),
        (pack({"values.yaml": b"a: 1\n"}, "demo"), "no demo/Chart.yaml in the archive"),
    ],
)
def test_unreadable_or_chartless_archives_are_refused(
    tmp_path: Path, data: bytes, message: str
) -> None:
    with pytest.raises(ArchiveError, match=message):
        unpack_chart(data, tmp_path)


def test_a_dot_folder_prefix_is_accepted(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.addfile(member("./", tarfile.DIRTYPE))
        for path, data in chart_files("demo", "1.0.0").items():
            info = tarfile.TarInfo(f"./demo/{path}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    assert unpack_chart(buffer.getvalue(), tmp_path) == "demo"


def test_identity_accepts_a_leading_v_and_names_what_is_there(tmp_path: Path) -> None:
    from homegen.charts.archive import check_identity
    from homegen.charts.model import ChartRef

    (tmp_path / "Chart.yaml").write_text("name: demo\nversion: v1.2.3\n")
    check_identity(tmp_path, ChartRef("https://x", "demo", "1.2.3"))
    with pytest.raises(ArchiveError, match=r"holds demo v1\.2\.3, not other 1\.2\.3"):
        check_identity(tmp_path, ChartRef("https://x", "other", "1.2.3"))
    (tmp_path / "Chart.yaml").write_text("- a list\n")
    with pytest.raises(ArchiveError, match="not a mapping"):
        check_identity(tmp_path, ChartRef("https://x", "demo", "1.2.3"))
