"""Request values of the HTML pages, read leniently: a bad value is the default (or the fallback), never an error page."""

from __future__ import annotations


def int_or_none(raw: str, low: int, high: int) -> int | None:
    """`raw` as an int within [low, high], or None (not ASCII digits, too long, out of range)."""
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def local_target(raw: str, fallback: str) -> str:
    """Only same-site paths: "/x" but not "//host" or "/\\host", and no control characters."""
    if (
        not raw.startswith("/")
        or raw.startswith(("//", "/\\"))
        or any(ord(c) < 32 or c == "\x7f" for c in raw)
    ):
        return fallback
    return raw[:2000]
