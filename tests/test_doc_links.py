"""The README and docs/ hold together: every relative link resolves (the file, and the heading
when a ``#anchor`` is given, slugged as GitHub slugs it), every page is reachable from the index,
and the README's one-minute services.toml renders."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from homegen.cli import app

REPO = Path(__file__).resolve().parents[1]
MISSING_PAGES: frozenset[str] = frozenset()

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$", re.M)
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.M)
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"", re.I)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def pages() -> list[Path]:
    """The Markdown whose links are checked: README.md and docs/*.md."""
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text, lower case, punctuation dropped, spaces → -."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts by its text
    text = text.lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in ("L", "N", "M"))
    return kept.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Every anchor a page has: its headings' slugs (repeats get -1, -2 …) and HTML anchors."""
    found: set[str] = set(HTML_ANCHOR.findall(markdown))
    seen: dict[str, int] = {}
    for heading in HEADING.findall(FENCE.sub("", markdown)):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(f"{base}-{count}" if count else base)
    return found


def links(markdown: str) -> list[str]:
    """The link targets of a page, outside code blocks and code spans."""
    prose = CODE_SPAN.sub("", FENCE.sub("", markdown))
    return INLINE_LINK.findall(prose) + REFERENCE.findall(prose)


def broken_links(page: Path, repo: Path, missing_ok: frozenset[str] = frozenset()) -> list[str]:
    """The relative links of ``page`` that lead nowhere, each as ``page: target (why)``."""
    text = page.read_text(encoding="utf-8")
    broken: list[str] = []
    for target in links(text):
        if SCHEME.match(target):
            continue  # http(s), mailto: not this repository's to check (and tests stay offline)
        path_part, _, anchor = target.partition("#")
        dest = (page.parent / path_part).resolve() if path_part else page
        where = f"{page.relative_to(repo)}: {target}"
        if not dest.exists():
            if dest.is_relative_to(repo) and dest.relative_to(repo).as_posix() in missing_ok:
                continue
            broken.append(f"{where} (no such file)")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest.read_text("utf-8")):
            broken.append(f"{where} (no heading with this anchor)")
    return broken


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    assert broken_links(page, REPO, MISSING_PAGES) == []


def test_pages_of_other_branches_are_not_here_yet() -> None:
    present = sorted(p for p in MISSING_PAGES if (REPO / p).exists())
    assert present == [], f"{present} exist now: remove them from MISSING_PAGES"


def test_every_docs_page_is_in_the_index() -> None:
    index = REPO / "docs" / "README.md"
    linked = {(index.parent / t).resolve() for t in links(index.read_text(encoding="utf-8"))}
    unlisted = [p.name for p in sorted((REPO / "docs").glob("*.md")) if p.resolve() not in linked]
    assert unlisted == ["README.md"]  # the index itself


def test_the_readme_links_the_index_and_stays_a_front_door() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "docs/README.md" in links(readme)
    assert len(readme.splitlines()) <= 160  # the reference lives in docs/


def test_the_one_minute_services_toml_renders(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(
        r"^## services\.toml in one minute\n.*?^```toml\n(.*?)^```", readme, re.S | re.M
    )
    assert block, "README.md has no ```toml block under '## services.toml in one minute'"
    (tmp_path / "services.toml").write_text(block[1], encoding="utf-8")
    out = tmp_path / "rendered"
    result = CliRunner().invoke(
        app, ["render", "-c", str(tmp_path / "services.toml"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "apps" / "web.yaml").is_file()


def test_slugs_follow_github() -> None:
    assert slug("Rendering, checking, ownership") == "rendering-checking-ownership"
    assert slug("homegen validate — rules") == "homegen-validate--rules"
    assert slug("Engine: helm-python-sdk, in the `charts` extra") == (
        "engine-helm-python-sdk-in-the-charts-extra"
    )
    assert slug("See [the docs](docs/README.md) now") == "see-the-docs-now"
    assert anchors('# A\n## A\n```\n# not a heading\n```\n<a id="x"></a>\n') == {"a", "a-1", "x"}


def test_a_planted_broken_link_is_found(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "there.md").write_text("# Some heading\n", encoding="utf-8")
    page = tmp_path / "README.md"
    page.write_text(
        "[ok](docs/there.md) [ok](docs/there.md#some-heading) [ok](#top) [web](https://x.y/z)\n"
        "# Top\n[gone](docs/gone.md) [typo](docs/there.md#some-headin) [later](docs/later.md)\n"
        "`[in code](docs/nope.md)`\n```md\n[in a block](docs/nope.md)\n```\n"
        "[ref]: docs/missing-ref.md\n",
        encoding="utf-8",
    )
    assert broken_links(page, tmp_path, frozenset({"docs/later.md"})) == [
        "README.md: docs/gone.md (no such file)",
        "README.md: docs/there.md#some-headin (no heading with this anchor)",
        "README.md: docs/missing-ref.md (no such file)",
    ]
