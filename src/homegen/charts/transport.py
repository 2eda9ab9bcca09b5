"""HTTP GETs for the chart fetcher: stdlib urllib, size limits, errors as one exception type.

Everything the network can do wrong (refused, timed out, TLS, too large) becomes a
``FetchError`` with a short reason, which the lookup records in its "tried" list. HTTP error
statuses are answers, not errors: the OCI client needs a 401 and its headers.
"""

from __future__ import annotations

import http.client
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Protocol

from homegen.charts.model import FetchError

MIB = 1024 * 1024
USER_AGENT = "homegen (chart fetcher)"
__all__ = ["MIB", "FetchError", "Response", "expect_ok", "http_get"]


@dataclass(frozen=True)
class Response:
    """A finished GET: status, headers and body (bounded by the caller's limit)."""

    url: str  # after redirects
    status: int
    headers: Message
    body: bytes

    def header(self, name: str) -> str:
        """A header's value, or ``""``."""
        return str(self.headers.get(name) or "")


class _Readable(Protocol):
    def read(self, size: int) -> bytes: ...


_OPENER = urllib.request.build_opener()  # built once: proxies from the environment, redirects


def http_get(
    url: str,
    *,
    limit: int,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    secret_headers: Mapping[str, str] | None = None,
) -> Response:
    """GET ``url``; any status is returned, transport failures raise ``FetchError``.

    ``secret_headers`` (a bearer token) go to this host only: urllib does not repeat
    unredirected headers after a redirect, so a token never reaches a blob store's signed
    URL on another host (which would refuse the request anyway).
    """
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    except ValueError as exc:  # "Invalid IPv6 URL": a tree's repoURL holding "[" or "]"
        raise FetchError(f"{url}: not a URL ({exc})") from exc
    for name, value in (secret_headers or {}).items():
        request.add_unredirected_header(name, value)
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            return Response(answer.url, answer.status, answer.headers, _read(answer, url, limit))
    except urllib.error.HTTPError as exc:
        with exc:
            body = _read(exc, url, min(limit, MIB)) if exc.fp is not None else b""
            return Response(url, exc.code, exc.headers, body)
    except urllib.error.URLError as exc:
        raise FetchError(f"{url}: unreachable ({_reason(exc.reason)})") from exc
    except TimeoutError as exc:
        raise FetchError(f"{url}: timed out after {timeout:g} s") from exc
    # reset mid-body, a bad URL (http.client refuses control characters in one)
    except (OSError, ssl.SSLError, ValueError, http.client.HTTPException) as exc:
        raise FetchError(f"{url}: failed ({_reason(exc)})") from exc


def _read(stream: _Readable, url: str, limit: int) -> bytes:
    """The body, at most ``limit`` bytes; more is an error, not a truncation."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            size_text = f"{limit // MIB} MiB" if limit >= MIB else f"{limit} bytes"
            raise FetchError(f"{url}: larger than the {size_text} limit")
        chunks.append(chunk)


def _reason(reason: object) -> str:
    """A transport error's cause in a few words."""
    text = str(reason) or type(reason).__name__
    return text.removeprefix("<urlopen error ").removesuffix(">")


def expect_ok(response: Response, what: str) -> bytes:
    """The body of a 200 answer; any other status is a ``FetchError`` naming ``what``."""
    if response.status == 200:
        return response.body
    if response.status == 404:
        raise FetchError(f"{what}: not found (HTTP 404)")
    raise FetchError(f"{what}: HTTP {response.status}")
