"""``--output text``: for a terminal (colour when it is one, NO_COLOR honoured)."""

from __future__ import annotations

from collections.abc import Callable

from homegen.diff.escape import escape, escape_line
from homegen.diff.model import DiffResult
from homegen.diff.present import counts, image, object_lines, object_title, shown

Paint = Callable[[str, str], str]  # (text, colour) → text
_COLOURS = {"+": "green", "-": "red", "~": "yellow", ">": "cyan"}
REVIEW_COLOURS = {"routine": "green", "caution": "yellow", "danger": "red"}


def render_text(
    result: DiffResult, paint: Paint, *, show_noise: bool = False, unified: bool = False
) -> str:
    """The report as lines of text."""
    lines = [f"homegen diff {escape_line(result.base)} → {escape_line(result.head)}"]
    reasons = "; ".join(escape_line(r) for r in result.review_reasons)
    label = paint(result.review, REVIEW_COLOURS[result.review])
    lines.append(f"review: {label}" + (f" ({reasons})" if reasons else ""))
    lines.append(counts(result))
    for error in result.errors:
        lines.append(paint("error: ", "red") + escape(error))
    for app, objects in shown(result, show_noise):
        sign = {"added": "+", "removed": "-", "renamed": ">"}.get(app.status, "~")
        title = f"{sign} app {escape_line(app.name)} ({app.status}"
        title += f" from {escape_line(app.renamed_from)})" if app.renamed_from else ")"
        lines += ["", paint(title, _COLOURS[sign])]
        if app.failure:
            lines.append("    " + paint("error: ", "red") + escape_line(app.failure))
        for item in objects:
            item_title = object_title(item)
            lines.append("  " + paint(item_title, _COLOURS[item_title[0]]))
            lines += ["      " + line for line in object_lines(item, show_noise)]
            if unified:
                lines += ["      " + _diff_line(d, paint) for d in item.unified.splitlines()]
    lines += _tail(result, paint)
    return "\n".join(lines) + "\n"


def _diff_line(line: str, paint: Paint) -> str:
    text = escape_line(line)
    if line.startswith("+") and not line.startswith("+++"):
        return paint(text, "green")
    if line.startswith("-") and not line.startswith("---"):
        return paint(text, "red")
    return text


def _tail(result: DiffResult, paint: Paint) -> list[str]:
    lines: list[str] = []
    if result.images:
        lines += ["", "images:"]
        lines += [
            f"  {escape_line(i.app)} {escape_line(i.container)}: {image(i.old)} → {image(i.new)}"
            for i in result.images
        ]
    if result.risks:
        lines += ["", paint("risks:", "red")]
        lines += [
            f"  {escape_line(r.app)} {escape_line(r.key.label())}: {r.reason}" for r in result.risks
        ]
    if result.findings_new:
        lines += ["", "new findings on HEAD:"] + [
            "  " + escape_line(f) for f in result.findings_new
        ]
    if result.notes:
        lines += ["", "notes:"] + ["  " + escape_line(n) for n in result.notes]
    return lines
