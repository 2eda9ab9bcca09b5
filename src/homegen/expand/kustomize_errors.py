"""Kustomize's error messages made readable: what kubectl prints is a klog line around the
error, and kustomize echoes a generator's whole config; a finding shows neither."""

from __future__ import annotations

import re

# kubectl's klog prefix: E1207 11:36:25.270272   19204 run.go:72] "command failed" err=
_KLOG = re.compile(r'^[IWEF]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] (?:"command failed" err=)?')
_CONFIG = re.compile(r"with config: `.*?`", re.S)


def kustomize_message(text: str) -> str:
    """Kustomize's error as one readable message: no klog prefix, no quoting, and never the
    whole generator config it echoes."""
    text = _KLOG.sub("", text.strip())
    if text[:1] + text[-1:] in ("<>", '""'):  # klog quotes a value: err=<...> or err="..."
        text = text[1:-1]
    text = _CONFIG.sub("with its config", text)
    return " ".join(text.split())
