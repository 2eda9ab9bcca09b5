"""Giving freed memory back to the system, where the C library allows it.

CPython frees a large bytes object (over 512 bytes) to the C heap, where glibc keeps it for
later C allocations; the small objects a parsed tree is made of come from CPython's own
arenas and never reuse it. So a render that releases its rendered files while it parses them
holds both, unless the heap's free pages are handed back as they are freed.
"""

from __future__ import annotations

from collections.abc import Callable

_TRIM: list[Callable[[int], int] | None] = []  # found once: [malloc_trim] or [None]


def trim() -> None:
    """Return the C heap's free pages to the system (glibc's malloc_trim; elsewhere nothing)."""
    if not _TRIM:
        _TRIM.append(_malloc_trim())
    function = _TRIM[0]
    if function is not None:
        function(0)


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        import ctypes

        function: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows)
        return None
    return function
