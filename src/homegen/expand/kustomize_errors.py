"""Kustomize's error messages made readable: what kubectl prints is a klog line around the
error, kustomize echoes a generator's whole config, and a failed helm command comes back with
its whole command line and environment; a finding shows none of them."""

from __future__ import annotations

import re

# kubectl's klog prefix: E1207 11:36:25.270272   19204 run.go:72] "command failed" err=
_KLOG = re.compile(r'^[IWEF]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] (?:"command failed" err=)?', re.M)
_CONFIG = re.compile(r"with config: `.*?`", re.S)
# kustomize's wrapping of a failed helm command (helm's stderr comes before it)
_HELM_RUN = re.compile(
    r":? ?unable to run: '.*?' with env=\[.*?\] \(is '.*?' installed\?\)(?:: exit status \d+)?",
    re.S,
)
_SHIM = "homegen-helm failed: "
MAX_CHARS = 600  # a longer message is cut: the rest is kustomize echoing its input
# a generator's key/value loader failing: kustomize echoes the literal or env-file line,
# which is a secretGenerator's value; only the sources' kind (and their files) is kept
_KV = re.compile(
    r"loading KV pairs: (literal sources|env source files|file sources)(?:: (\[[^\]]*\]))?.*",
    re.S,
)


def kustomize_message(text: str) -> str:
    """Kustomize's error as one readable message: no klog prefix, no quoting, never the
    whole generator config it echoes nor a helm command line, at most MAX_CHARS long."""
    text = "\n".join(_unquoted(_KLOG.sub("", line)) for line in text.strip().splitlines())
    if text[:1] + text[-1:] == "<>":  # klog's multi-line value: err=<\n...\n >
        text = text[1:-1]
    text = _CONFIG.sub("with its config", text)
    text = _KV.sub(_kv_without_values, text)
    text = _without_objects(text)
    if _HELM_RUN.search(text):
        text = _HELM_RUN.sub("", text).replace(_SHIM, "helm template: ")
    text = " ".join(text.split())
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS - 1].rstrip() + "…"
    return text


# a Go dump of an object kustomize could not serialize (a generated Secret with its data)
_DUMP = "map[string]interface {}{"
_KIND_NAME = re.compile(r'"kind":"(\w{1,63})".*?"name":"([-.\w]{1,253})"', re.S)


def _without_objects(text: str) -> str:
    """``text`` with every object kustomize dumped whole (values of a Secret's data among
    them) replaced by its kind and name."""
    while (start := text.find(_DUMP)) >= 0:
        end = _closing(text, start + len(_DUMP))
        found = _KIND_NAME.search(text, start, end)
        shown = f"{found[1]} {found[2]}" if found else "an object"
        text = f"{text[:start]}{shown} (its content is not shown){text[end:]}"
    return text


def _closing(text: str, at: int) -> int:
    """The index after the ``}`` that closes the dump opened before ``at`` (braces inside
    quoted strings not counted), or the end of ``text``."""
    depth, quoted, escaped = 1, False, False
    for index in range(at, len(text)):
        char = text[index]
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif not quoted and char in "{}":
            depth += 1 if char == "{" else -1
            if depth == 0:
                return index + 1
    return len(text)


def _unquoted(line: str) -> str:
    """A klog value quoted on one line (err="..."), unquoted."""
    line = line.strip()
    if len(line) > 1 and line[0] == line[-1] == '"':
        return line[1:-1].replace('\\"', '"').replace("\\n", "\n")
    return line


def _kv_without_values(match: re.Match[str]) -> str:
    """A generator's loading error with every literal and line it echoed left out."""
    kind, files, rest = match[1], match[2], match[0]
    where = f" {files}" if files and kind != "literal sources" else ""
    if "key=value" in rest:
        why = "an entry is not key=value"
    elif "utf8" in rest:
        why = "a line is not UTF-8"
    else:
        why = "cannot be loaded"
    return f"loading KV pairs: {kind}{where}: {why} (the generator's values are not shown)"
