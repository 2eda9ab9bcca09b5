"""``--output markdown``: a pull-request comment, split into parts GitHub accepts.

Part 1 opens with a summary that always fits; then one ``<details>`` per app. Whole apps are
packed into parts; an app too large for a part is split by objects, and an object too large
by lines. Each part starts with a hidden marker a workflow finds to update it.
"""

from __future__ import annotations

import html
import re

from homegen.diff.escape import escape, escape_line
from homegen.diff.model import AppDiff, DiffResult, ObjectDiff
from homegen.diff.present import counts, object_lines, object_title, shown

LIMIT = 65_536  # GitHub refuses a comment body longer than this many characters
MARKER = "<!-- homegen-diff part {part} -->"
_RESERVE = 400  # the marker and the continuation lines of a part
_LISTED = 50  # images and risks in the summary; the rest are counted (all are in the JSON)
_EMOJI = {"routine": "🟢", "caution": "🟡", "danger": "🔴"}


def code(text: str) -> str:
    """Inline text from a tree, inert: HTML-escaped inside <code>."""
    return f"<code>{html.escape(escape_line(text))}</code>"


def fenced(text: str, lang: str = "") -> str:
    """A code block whose fence no line of ``text`` can close."""
    text = escape(text)
    runs = [len(m) for m in re.findall(r"`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}{lang}\n{text.rstrip(chr(10))}\n{fence}\n"


def summary(result: DiffResult) -> str:
    """The summary: review, counts, images, risks, errors."""
    lines = [
        f"## homegen diff: {code(result.base)} → {code(result.head)}",
        "",
        f"**Review: {_EMOJI[result.review]} {result.review}**"
        + (
            f" ({'; '.join(code(r) for r in result.review_reasons)})"
            if result.review_reasons
            else ""
        ),
        "",
        html.escape(counts(result)),
    ]
    for error in result.errors:
        lines += ["", f"**Error:** {code(error)}"]
    if result.risks:
        lines += ["", "**Risks**", ""]
        lines += [
            f"- {code(r.app)} {code(r.key.label())}: {html.escape(r.reason)}"
            for r in result.risks[:_LISTED]
        ]
        lines += _more(len(result.risks))
    if result.images:
        lines += ["", "**Images**", ""]
        lines += [
            f"- {code(i.app)} {code(i.container)}: "
            f"{code(i.old or '(none)')} → {code(i.new or '(none)')}"
            for i in result.images[:_LISTED]
        ]
        lines += _more(len(result.images))
    if result.findings_new:
        lines += ["", f"**New findings on HEAD**: {len(result.findings_new)}", ""]
        lines += [f"- {code(f)}" for f in result.findings_new[:_LISTED]]
        lines += _more(len(result.findings_new))
    if result.notes:
        lines += ["", "<details><summary>Notes</summary>", ""]
        lines += [f"- {code(n)}" for n in result.notes[:_LISTED]] + _more(len(result.notes))
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _more(total: int) -> list[str]:
    return [f"- … and {total - _LISTED} more (all in `--output json`)"] if total > _LISTED else []


def _object(item: ObjectDiff, show_noise: bool) -> list[str]:
    """An object's block, as pieces that each fit a part."""
    pieces = [_title(item)]
    lines = object_lines(item, show_noise)
    if lines:
        pieces += _chunks("\n".join(lines) + "\n", "", "changes")
    if item.key.kind == "CustomResourceDefinition" and item.status in ("added", "removed"):
        lines_of = len(item.unified.splitlines())
        pieces.append(f"(the CRD's YAML is not shown: {lines_of} lines)\n")
    elif diff := item.unified:
        pieces += _chunks(diff, "diff", "diff")
    return pieces


def _title(item: ObjectDiff) -> str:
    """``**~** <code>Kind/ns/name</code>``: names from the tree only inside <code>."""
    return object_title(item, show=code, sign="**{}**") + "\n"


def _chunks(text: str, lang: str, what: str) -> list[str]:
    """``text`` in code blocks that each fit a part."""
    budget = LIMIT - _RESERVE - 200
    out, current = [], ""
    # escaped before it is measured: an escape makes a line longer
    for line in escape(text).splitlines(keepends=True):
        if len(line) > budget:
            line = line[: budget - 80] + f"… ({len(line)} characters in all)\n"
        if len(current) + len(line) > budget:
            out.append(current)
            current = ""
        current += line
    if current:
        out.append(current)
    many = len(out) > 1
    return [
        (f"({what}, piece {i}/{len(out)})\n" if many else "") + fenced(chunk, lang)
        for i, chunk in enumerate(out, 1)
    ]


def _app_pieces(app: AppDiff, objects: list[ObjectDiff], show_noise: bool) -> list[str]:
    pieces = []
    if app.failure:
        pieces.append(f"**Error:** {code(app.failure)}\n")
    for item in objects:
        pieces += [p + "\n" for p in _object(item, show_noise)]
    return pieces or ["(no objects)\n"]


def _open(app: AppDiff, objects: list[ObjectDiff], part: int) -> str:
    what = f"{app.status}" + (f" from {code(app.renamed_from)}" if app.renamed_from else "")
    more = f", continued ({part})" if part > 1 else ""
    title = f"{code(app.name)}: {what}, {len(objects)} objects{more}"
    return f"<details><summary>{title}</summary>\n\n"


CLOSE = "</details>\n\n"


def render_parts(result: DiffResult, *, show_noise: bool = False) -> list[str]:
    """The comment, as parts of at most LIMIT characters each."""
    budget = LIMIT - _RESERVE
    parts: list[str] = [summary(result) + "\n"]
    for app, objects in shown(result, show_noise):
        pieces = _app_pieces(app, objects, show_noise)
        whole = _open(app, objects, 1) + "".join(pieces) + CLOSE
        if len(whole) <= budget:
            if len(parts[-1]) + len(whole) > budget:
                parts.append("")
            parts[-1] += whole
            continue
        section, count = _open(app, objects, 1), 1
        for piece in pieces:
            if len(section) + len(piece) + len(CLOSE) > budget:
                _place(parts, section + CLOSE, budget)
                count += 1
                section = _open(app, objects, count)
            section += piece
        _place(parts, section + CLOSE, budget)
    total = len(parts)
    return [
        MARKER.format(part=f"{i}/{total}") + "\n"
        + (f"_(part {i} of {total})_\n\n" if total > 1 else "")
        + text
        for i, text in enumerate(parts, 1)
    ]  # fmt: skip


def _place(parts: list[str], section: str, budget: int) -> None:
    if len(parts[-1]) + len(section) > budget:
        parts.append("")
    parts[-1] += section


def render_markdown(result: DiffResult, *, show_noise: bool = False) -> str:
    """The whole comment in one piece (for stdout)."""
    return "\n".join(render_parts(result, show_noise=show_noise))
