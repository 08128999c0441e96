"""A trainer's collection of passages, kept in a cookie so it works without JavaScript or accounts.

Consumes the request cookie and a Searcher (to validate ids); produces the ordered list of
paragraph ids and the `Set-Cookie` value for the updated list. The cookie holds only paragraph
ids (base64url of a JSON list). Every read re-validates them against the loaded index: ids
the index does not know (stale index, tampered cookie) are dropped, duplicates collapsed.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Literal

from fastapi import Request, Response

COOKIE_NAME = "tracuu_collection"
MAX_ITEMS = 60  # keeps the cookie well under the 4 KB browsers guarantee
MAX_ID_CHARS = 200
COOKIE_MAX_AGE = 90 * 24 * 3600


def decode(raw: str | None) -> list[str]:
    """Cookie value -> list of id strings; anything malformed gives an empty list, never an error."""
    if not raw:
        return []
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
    except (ValueError, binascii.Error, UnicodeError):
        return []
    if not isinstance(data, list):
        return []
    return [item for item in data if isinstance(item, str) and 0 < len(item) <= MAX_ID_CHARS]


def encode(ids: list[str]) -> str:
    raw = json.dumps(ids, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def valid_ids(ids: list[str], searcher) -> list[str]:
    """Keep ids the index knows, in order, first occurrence only, at most MAX_ITEMS."""
    seen: set[str] = set()
    kept: list[str] = []
    for pid in ids:
        if pid in seen or searcher.paragraph(pid) is None:
            continue
        seen.add(pid)
        kept.append(pid)
    return kept[:MAX_ITEMS]


def read(request: Request, searcher) -> list[str]:
    return valid_ids(decode(request.cookies.get(COOKIE_NAME)), searcher)


def save(response: Response, ids: list[str]) -> None:
    response.set_cookie(COOKIE_NAME, encode(ids), max_age=COOKIE_MAX_AGE, httponly=True, samesite="lax", path="/")


def add(ids: list[str], paragraph_id: str) -> tuple[list[str], bool]:
    """Append (no duplicates). Returns the new list and False when the collection is full."""
    if paragraph_id in ids:
        return ids, True
    if len(ids) >= MAX_ITEMS:
        return ids, False
    return [*ids, paragraph_id], True


def remove(ids: list[str], paragraph_id: str) -> list[str]:
    return [pid for pid in ids if pid != paragraph_id]


def move(ids: list[str], paragraph_id: str, direction: Literal["up", "down"]) -> list[str]:
    if paragraph_id not in ids:
        return ids
    i = ids.index(paragraph_id)
    j = i - 1 if direction == "up" else i + 1
    if not 0 <= j < len(ids):
        return ids
    moved = list(ids)
    moved[i], moved[j] = moved[j], moved[i]
    return moved
