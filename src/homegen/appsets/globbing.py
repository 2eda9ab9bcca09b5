"""The three ways ArgoCD matches a git generator's path patterns, each as ArgoCD does it.

- Files, default globbing: the repo-server runs ``git ls-files -- PATTERN``, so a pattern is a
  git pathspec: a literal path or leading folder matches, and wildcards match across ``/``
  (``apps/*.json`` matches ``apps/a/b.json``).
- Files, new globbing (``applicationsetcontroller.enable.new.git.file.globbing``): doublestar,
  ``*`` stays inside one segment, a ``**`` segment spans any number of folders, ``{a,b}``.
- Directories: Go's ``path.Match`` against every folder of the checkout (hidden folders and
  what is under them skipped unless ``reposerver.include.hidden.directories``): ``*`` stays in
  a segment and ``**`` is no more than two ``*``.
"""

from __future__ import annotations

import re
from functools import cache


class BadPattern(ValueError):
    """A pattern Go's matcher refuses (an unclosed ``[``)."""


def _class(pattern: str, i: int, *, bang: bool) -> tuple[str, int]:
    """The regex of the ``[...]`` starting at ``i``, and the index after it."""
    end = i + 1
    if end < len(pattern) and pattern[end] in ("^", "!" if bang else "^"):
        end += 1
    if end < len(pattern) and pattern[end] == "]":
        end += 1
    end = pattern.find("]", end)
    if end == -1:
        raise BadPattern(f"unclosed [ in {pattern!r}")
    body = pattern[i + 1 : end]
    negate = body[:1] == "^" or (bang and body[:1] == "!")
    body = body[1:] if negate else body
    escaped = "".join("\\" + c if c in "\\[]^" else c for c in body)
    return "[" + ("^" if negate else "") + escaped + "]", end + 1


def _translate(pattern: str, star: str, *, bang: bool) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out.append(star + "*")
        elif char == "?":
            out.append(star)
        elif char == "[":
            regex, i = _class(pattern, i, bang=bang)
            out.append(regex)
            continue
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


@cache
def _segment_regex(pattern: str, bang: bool) -> re.Pattern[str]:
    return re.compile(_translate(pattern, "[^/]", bang=bang) + r"\Z", re.DOTALL)


def path_match(pattern: str, path: str) -> bool:
    """Go's ``path.Match``: the whole path, ``*`` and ``?`` never match ``/``."""
    return _segment_regex(pattern, False).match(path) is not None


@cache
def _pathspec_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(_translate(pattern, ".", bang=True) + r"\Z", re.DOTALL)


def pathspec_match(pattern: str, file: str) -> bool:
    """Whether ``git ls-files -- pattern`` (run at the repository root) lists ``file``."""
    spec = pattern.removeprefix("./")
    if spec in ("", "."):
        return True
    literal = spec.rstrip("/")
    if file == literal or file.startswith(literal + "/"):
        return True
    return _pathspec_regex(spec).match(file) is not None


def _braces(pattern: str) -> list[str]:
    """``{a,b}`` alternatives expanded (doublestar), innermost first."""
    match = re.search(r"\{([^{}]*)\}", pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [x for alt in match.group(1).split(",") for x in _braces(head + alt + tail)]


@cache
def _doublestar_regex(pattern: str) -> re.Pattern[str]:
    alternatives = []
    for one in _braces(pattern):
        parts: list[str] = []
        segments = one.strip("/").split("/")
        for index, segment in enumerate(segments):
            last = index == len(segments) - 1
            if segment == "**":
                parts.append(".*" if last else "(?:[^/]+/)*")
            else:
                parts.append(_translate(segment, "[^/]", bang=True) + ("" if last else "/"))
        alternatives.append("".join(parts))
    return re.compile("(?:" + "|".join(alternatives) + r")\Z", re.DOTALL)


def doublestar_match(pattern: str, path: str) -> bool:
    """doublestar's ``Match`` (ArgoCD's new git file globbing)."""
    return _doublestar_regex(pattern).match(path) is not None


def is_hidden(folder: str) -> bool:
    """Whether a folder is hidden or sits in one (the repo-server's walk skips both)."""
    return any(part.startswith(".") for part in folder.split("/"))
