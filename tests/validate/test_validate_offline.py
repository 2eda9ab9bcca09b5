"""Offline: an unreachable schema host is tried once per run, not once per kind, and the
built-in catalog answers after it."""

from __future__ import annotations

import socket
from pathlib import Path

from homegen.validate.engine.registry import SchemaRegistry


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_host_is_tried_once(tmp_path: Path) -> None:
    location = f"http://127.0.0.1:{_closed_port()}/{{{{.Group}}}}/{{{{.ResourceKind}}}}.json"
    registry = SchemaRegistry((location,), tmp_path, builtin=False)
    first = registry.find("argoproj.io", "v1alpha1", "Application")
    second = registry.find("gateway.networking.k8s.io", "v1", "HTTPRoute")
    assert first.schema is None and second.schema is None
    assert registry.requests == 1
    assert "unreachable" in second.problems[0]


def test_the_built_in_catalog_answers_when_the_host_is_unreachable(tmp_path: Path) -> None:
    location = f"http://127.0.0.1:{_closed_port()}/{{{{.Group}}}}/{{{{.ResourceKind}}}}.json"
    registry = SchemaRegistry((location,), tmp_path)
    found = registry.find("gateway.networking.k8s.io", "v1", "HTTPRoute")
    assert found.schema is not None
    assert found.source == "built-in gateway-api v1.2.1"
    assert found.tried[-1] == "the built-in catalog"
    assert registry.requests == 1
