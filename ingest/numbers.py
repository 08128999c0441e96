"""Document numbers ("44-KL/TW", "463/UBND-VX", "09"), compared the same way everywhere.

Consumes numbers as documents, citations, queries and labels write them; produces their comparable
forms: `number_key` (exact: "44-KL/TW" == "44–kl/tw "), `loose_number_key` (for labels written by hand:
"44/KL-TW", "số 44-kl/tw" -> "44kltw") and `lead_number` ("09" and "9" name the same leading number).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.normalize import fold_accents, normalize


@lru_cache(maxsize=65536)
def number_key(number: str | None) -> str:
    """Comparable form of a document number: '44-KL/TW' == '44–kl/tw' == '44-KL/TW '."""
    if not number:
        return ""
    return re.sub(r"\s+", "", fold_accents(number).replace("–", "-")).upper()


def loose_number_key(number: str) -> str:
    """'44-KL/TW', '44/KL-TW', 'số 44-kl/tw' -> '44kltw' (document numbers compared loosely)."""
    return re.sub(r"[^0-9a-z]", "", fold_accents(normalize(number)).removeprefix("so "))


def lead_number(digits: str) -> str:
    """ "09" and "9" name the same document number."""
    return digits.lstrip("0") or "0"
