"""A trainer's collection of passages, kept in a cookie so it works without JavaScript or accounts.

Consumes the request cookie and a Searcher (to validate ids); produces the ordered list of
paragraph ids and the `Set-Cookie` value for the updated list. The cookie holds only paragraph
ids (base64url of a JSON list). Every read re-validates them against the loaded index: ids
the index does not know (stale index, tampered cookie) are dropped, duplicates collapsed. The cookie
is untrusted input: an oversized or nested value is an empty collection, never an error.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Literal

from fastapi import Request, Response

COOKIE_NAME = "tracuu_collection"
MAX_ITEMS = 60
MAX_ID_CHARS = 200
COOKIE_MAX_AGE = 90 * 24 * 3600
# Browsers keep at most 4096 bytes of name, value and attributes: a longer value would be dropped
# silently, so the collection is full before that, and a longer value read back is forged.
MAX_COOKIE_CHARS = 3900


def _flat_list(text: str) -> bool:
    """Whether `text` nests no deeper than one JSON list (checked before parsing: json.loads of a deeply
    nested value raises RecursionError after a long walk)."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            escaped, in_string = (not escaped and char == "\\"), in_string and (escaped or char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > 1:
                return False
        elif char in "]}":
            depth -= 1
    return True


def decode(raw: str | None) -> list[str]:
    """Cookie value -> list of id strings; anything malformed gives an empty list, never an error."""
    if not raw or len(raw) > MAX_COOKIE_CHARS:
        return []
    try:
        text = base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)).decode("utf-8")
        if not _flat_list(text):
            return []
        data = json.loads(text)
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        return []
    if not isinstance(data, list):
        return []
    return [item for item in data if isinstance(item, str) and 0 < len(item) <= MAX_ID_CHARS]


def encode(ids: list[str]) -> str:
    raw = json.dumps(ids, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def valid_ids(ids: list[str], reader) -> list[str]:
    """Keep ids the caller may read (index.reader.Reader: forbidden ones are unknown), in order,
    first occurrence only, at most MAX_ITEMS."""
    seen: set[str] = set()
    kept: list[str] = []
    for pid in ids:
        if pid in seen or reader.paragraph(pid) is None:
            continue
        seen.add(pid)
        kept.append(pid)
    return kept[:MAX_ITEMS]


def read(request: Request, reader) -> list[str]:
    ids = valid_ids(decode(request.cookies.get(COOKIE_NAME)), reader)
    request.state.collection_ids = ids  # the navigation's count (collection_count) reuses it
    return ids


def collection_count(request: Request) -> int:
    """How many passages the navigation shows: the validated list when the route read it, else the
    cookie's own count (the app only ever writes validated ids into it)."""
    ids = getattr(request.state, "collection_ids", None)
    return len(ids) if ids is not None else min(len(decode(request.cookies.get(COOKIE_NAME))), MAX_ITEMS)


def save(response: Response, ids: list[str], secure: bool = False) -> None:
    response.set_cookie(
        COOKIE_NAME,
        encode(ids),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        path="/",
        secure=secure,
    )


def add(ids: list[str], paragraph_id: str) -> tuple[list[str], bool]:
    """Append (no duplicates). Returns the new list and False when the collection is full."""
    if paragraph_id in ids:
        return ids, True
    grown = [*ids, paragraph_id]
    if len(grown) > MAX_ITEMS or len(encode(grown)) > MAX_COOKIE_CHARS:
        return ids, False
    return grown, True


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
