"""No module of src/homegen is over 400 lines (STYLE.md habit 5; issue 28): a module that
grows past it is split along a seam, as validate/, cli.py and config/models.py were."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "homegen"
LIMIT = 400


def oversized(root: Path, limit: int = LIMIT) -> dict[str, int]:
    """Each Python module below ``root`` over ``limit`` lines → its line count."""
    counts = {
        path.relative_to(root).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(root.rglob("*.py"))
    }
    return {name: count for name, count in counts.items() if count > limit}


def test_the_limit_is_counted_in_lines(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "at_limit.py").write_text("x = 1\n" * LIMIT)
    (tmp_path / "pkg" / "over.py").write_text("x = 1\n" * (LIMIT + 1))
    (tmp_path / "notes.txt").write_text("x\n" * 1000)  # not a module
    assert oversized(tmp_path) == {"pkg/over.py": LIMIT + 1}


def test_no_module_of_homegen_is_over_400_lines() -> None:
    assert len(list(SRC.rglob("*.py"))) > 100  # the whole package was read
    assert oversized(SRC) == {}
