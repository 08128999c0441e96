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
        out.append(([fold_accents(w) for w in name.split()], name, place_follows))
    return sorted(out, key=lambda item: -len(item[0]))


def _match(folded: list[str], k: int) -> tuple[int, str, bool] | None:
    for words, name, place in _phrases():
        if folded[k:k + len(words)] == words:
            return len(words), name, place
    return None


def org_case(text: str) -> str:
    """Re-case an all-capitals organ name; text already in mixed case is returned unchanged."""
    text = " ".join(text.split())
    if not is_all_caps(text):
        return text
    words = normalize(text).lower().split()
    folded = [fold_accents(w) for w in words]
    out: list[str] = []
    k = 0
    place = False
    while k < len(words):
        hit = _match(folded, k)
        if hit:
            size, name, place = hit
            out.append(name)
            k += size
            continue
        out.append(words[k][:1].upper() + words[k][1:] if place else words[k])
        k += 1
    result = " ".join(out)
    return result[:1].upper() + result[1:]


def _key(name: str) -> str:
    folded = fold_accents(normalize(name))
    folded = re.sub(r"\(.*?\)|\bkho[aá]\s+[ivxl]+\b", " ", folded)
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def same_body(a: str | None, b: str | None) -> bool:
    """True when one name is the other plus a qualifier ("Ban Bí thư" ~ "Ban Bí thư Trung ương Đảng")."""
    if not a or not b:
        return False
    ka, kb = _key(a), _key(b)
    return bool(ka and kb) and (ka == kb or ka.startswith(kb + " ") or kb.startswith(ka + " "))
