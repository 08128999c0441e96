"""Vietnamese document types: canonical names, the codes inside numbers, and matching helpers.

Consumes resources/doc_types.txt (the one list of type names); produces lookups used by structure
(type heading "KẾT LUẬN CỦA BAN BÍ THƯ" -> "Kết luận"), metadata (number "44-KL/TW" -> "Kết luận"),
references (the alternation of type names a mention starts with, `canonical_type`) and query analysis
(`folded_type_alternation`: "ket luan 44", "quy dinh so 102", "de an 03" name a document).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ingest.normalize import fold_accents

NEWS_TYPE = "Tin bài"
LETTER_TYPE = "Công văn"  # a document whose title opens "V/v ..." is a letter


@lru_cache(maxsize=1)
def doc_types() -> list[tuple[str, list[str]]]:
    raw = resources.files("ingest.resources").joinpath("doc_types.txt").read_text(encoding="utf-8")
    out = []
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, codes = line.partition("|")
        out.append((name.strip(), [c.strip() for c in codes.split(",") if c.strip()]))
    return sorted(out, key=lambda item: -len(item[0]))


def type_from_heading(text: str) -> str | None:
    """'KẾT LUẬN CỦA BAN BÍ THƯ' -> 'Kết luận' (the heading must start with the type name)."""
    folded = fold_accents(text).strip()
    for name, _codes in doc_types():
        key = fold_accents(name)
        if folded == key or folded.startswith(key + " ") or folded.startswith(key + "\n"):
            return name
    return None


def type_from_number(number: str | None) -> str | None:
    """'44-KL/TW' -> 'Kết luận'; None when the number carries no known code."""
    if not number:
        return None
    match = re.match(r"^\d+[a-z]?-([^/\s]+)/", number)
    if not match:
        return None
    code = fold_accents(match.group(1))
    for name, codes in doc_types():
        if any(fold_accents(c) == code for c in codes):
            return name
    return None


def type_alternation() -> str:
    """Regex alternation of type names, longest first, for case-insensitive matching."""
    return "|".join(re.escape(name) for name, _codes in doc_types())


def folded_type_alternation() -> str:
    """Regex alternation of the accent-folded, lower-case type names, longest first ("chuong trinh hanh
    dong" before "chuong trinh"), for matching on fold_accents() text."""
    return "|".join(re.escape(name) for name in folded_type_names())


@lru_cache(maxsize=1)
def folded_type_names() -> tuple[str, ...]:
    """Accent-folded type names, longest first."""
    return tuple(dict.fromkeys(fold_accents(name) for name, _codes in doc_types()))


def canonical_type(raw: str) -> str:
    """A type name as written ("KẾT LUẬN", "chỉ thị") -> its canonical form; unknown names unchanged."""
    folded = fold_accents(raw)
    return next((name for name, _codes in doc_types() if fold_accents(name) == folded), raw)
