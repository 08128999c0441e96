"""Query-string values of the HTML pages, read leniently: a bad value is the default, never an error page."""

from __future__ import annotations


def int_or_none(raw: str, low: int, high: int) -> int | None:
    """`raw` as an int within [low, high], or None (not ASCII digits, too long, out of range)."""
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return None
    value = int(raw)
    return value if low <= value <= high else None
