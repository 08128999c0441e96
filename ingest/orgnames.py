"""Issuing-body names: re-case all-capitals header lines and compare names loosely.

Consumes resources/issuing_bodies.txt; produces `org_case()` ("BAN BÍ THƯ" -> "Ban Bí thư") and
`same_body()` ("Ban Bí thư Trung ương Đảng" names the same body as "Ban Bí thư").
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ingest.clean import is_all_caps
from ingest.normalize import fold_accents, normalize


@lru_cache(maxsize=1)
def _phrases() -> list[tuple[list[str], str, bool]]:
    raw = resources.files("ingest.resources").joinpath("issuing_bodies.txt").read_text(encoding="utf-8")
    out = []
    for line in raw.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        place_follows = line.endswith("+")
        name = normalize(line.rstrip("+").strip())
        out.append(([w.lower() for w in name.split()], name, place_follows))
    return sorted(out, key=lambda item: -len(item[0]))


def _match(folded: list[str], k: int) -> tuple[int, str, bool] | None:
    for words, name, place in _phrases():
        if folded[k : k + len(words)] == words:
            return len(words), name, place
    return None


def match_organ(words: list[str], k: int) -> tuple[int, str, bool] | None:
    """The longest organ name of resources/issuing_bodies.txt at lower-case `words[k:]`: (its word count,
    the name as written there, whether a place name follows it); None when none starts there."""
    return _match(words, k)


def org_case(text: str) -> str:
    """Re-case an all-capitals organ name; text already in mixed case is returned unchanged."""
    text = " ".join(text.split())
    if not is_all_caps(text):
        return text
    words = normalize(text).lower().split()
    out: list[str] = []
    k = 0
    place = False
    while k < len(words):
        hit = _match(words, k)
        if hit:
            size, name, place = hit
            out.append(name)
            k += size
            continue
        out.append(words[k][:1].upper() + words[k][1:] if place else words[k])
        k += 1
    result = " ".join(out)
    return result[:1].upper() + result[1:]


_KEEP_LOWER_AFTER_DANG = {"vien", "phi", "vu", "doan", "bo", "uy"}


def readable_title(text: str) -> str:
    """Re-case an all-capitals trích yếu for display; mixed-case text is returned unchanged.

    Words go to lower case except organ names and proper names (resources/issuing_bodies.txt),
    document numbers ("09-CT/TW"), Roman numerals after "khóa", and a document type followed by
    its number ("Chỉ thị số 09-CT/TW").
    """
    from ingest.doctypes import doc_types

    text = " ".join(text.split())
    if not is_all_caps(text):
        return text
    source = normalize(text).split()
    words = [w.lower() for w in source]
    folded = [fold_accents(w) for w in words]
    out: list[str] = []
    k = 0
    while k < len(words):
        hit = _match(words, k)
        if hit and not (hit[1] == "Đảng" and k + 1 < len(folded) and folded[k + 1] in _KEEP_LOWER_AFTER_DANG):
            out.append(hit[1])
            k += hit[0]
            continue
        for name, _codes in doc_types():
            size = len(name.split())
            if (
                folded[k : k + size] == fold_accents(name).split()
                and k + size < len(words)
                and (folded[k + size] == "so" or folded[k + size][:1].isdigit())
            ):
                out.append(name)
                k += size
                break
        else:
            word = source[k]
            keep = (
                any(ch.isdigit() for ch in word)
                or "/" in word
                or (re.fullmatch(r"[IVXL]+[.,;]?", word) and k > 0 and folded[k - 1] in ("khoa", "khoá"))
            )
            out.append(word if keep else words[k])
            k += 1
    result = " ".join(out)
    return result[:1].upper() + result[1:]


def _key(name: str) -> str:
    folded = fold_accents(name)
    folded = re.sub(r"\(.*?\)|\bkhoa\s+[ivxl]+\b", " ", folded)
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def same_body(a: str | None, b: str | None) -> bool:
    """True when one name is the other plus a qualifier ("Ban Bí thư" ~ "Ban Bí thư Trung ương Đảng")."""
    if not a or not b:
        return False
    ka, kb = _key(a), _key(b)
    return bool(ka and kb) and (ka == kb or ka.startswith(kb + " ") or kb.startswith(ka + " "))
