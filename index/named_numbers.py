"""The document numbers a query names: "Kết luận 45", "463/UBND-VX", "KL44", "Quyết định 224 năm 2021".

Consumes a query and the one list of document types (ingest/doctypes.py); produces `NamedNumber`s (a
whole number with its suffix, "463/UBND-VX" is not "463/UBND-KTN"; a type and leading number; a short
form, "KL44", "CT 09"; each with the year or date the query gives) and the query without them, which
`is_reference_only` reads. Used by the number lookup (index.number_lookup), relation questions
(index.relation_search) and task questions (index.mandate_search).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.analysis import DOC_NUMBER, stopwords, syllables
from ingest.doctypes import doc_types, type_from_number
from ingest.normalize import fold_accents, normalize
from ingest.numbers import lead_number, number_key

_YEAR = re.compile(r"\b(?:nam|ngay\s+\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]|\d{1,2}/\d{1,2}/)\s*((?:19|20)\d\d)\b")
_EXTRA_WORDS = frozenset(("so", "nam", "ngay", "thang", "van", "ban", "hieu"))  # "số", "năm", "văn bản số"


@dataclass(frozen=True)
class NamedNumber:
    label: str  # as a notice names it: "Kết luận 45", "Công văn 463/UBND-VX", "Quyết định 224 năm 2021"
    doc_type: str | None  # canonical type ("Kết luận"); None for a bare whole number
    leading: str  # leading digits without zeros ("9" of "09")
    full: str | None  # number_key of the whole number when the query writes it ("463/UBND-VX")
    year: int | None
    span: tuple[int, int]  # in the folded query


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, dict[str, str], dict[str, str]]:
    names = {fold_accents(name).lower(): name for name, _codes in doc_types()}
    codes = {fold_accents(c).lower(): name for name, cs in doc_types() for c in cs if len(c) >= 2}
    alternation = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    typed = re.compile(rf"\b({alternation})\s+(?:so\s+)?(\d{{1,5}})(?:/((?:19|20)\d\d))?(?![\w/-])")
    short = re.compile(
        rf"\b({'|'.join(sorted(map(re.escape, codes), key=len, reverse=True))})\s?(\d{{1,5}})(?![\w/-])"
    )
    return typed, short, names, codes


def named_numbers(query: str) -> tuple[list[NamedNumber], str]:
    """The numbers `query` names, and its folded text with them blanked (for reference_only)."""
    folded = fold_accents(normalize(query)).lower()
    typed, short, names, codes = _patterns()
    year_match = _YEAR.search(folded)
    query_year = int(year_match.group(1)) if year_match else None
    found: list[NamedNumber] = []
    taken: list[tuple[int, int]] = []
    for match in DOC_NUMBER.finditer(folded):
        number = match.group(0).rstrip(".-/")
        before = folded[: match.start()].rstrip()
        doc_type = next((names[n] for n in names if before.endswith(n) or before.endswith(n + " so")), None)
        doc_type = doc_type or type_from_number(number.upper())
        start = match.start()
        for n in names:  # the type word belongs to the reference ("Công văn 463/UBND-VX")
            for end_form in (n + " so", n):
                if before.endswith(end_form):
                    start = min(start, len(before) - len(end_form))
        label = f"{doc_type} {number.upper()}" if doc_type else number.upper()
        found.append(
            NamedNumber(
                label,
                doc_type,
                lead_number(re.match(r"\d+", number).group(0)),
                number_key(number),
                query_year,
                (start, match.end()),
            )
        )
        taken.append((start, match.end()))
    for pattern, table in ((typed, names), (short, codes)):
        for match in pattern.finditer(folded):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            doc_type = table[match.group(1)]
            own_year = int(match.group(3)) if pattern is typed and match.group(3) else None
            year = own_year or query_year
            label = (
                f"{doc_type} {match.group(2)}"
                + (f"/{own_year}" if own_year else "")
                + (f" năm {year}" if year and not own_year else "")
            )
            found.append(NamedNumber(label, doc_type, lead_number(match.group(2)), None, year, match.span()))
            taken.append(match.span())
    rest = list(folded)
    for a, b in taken + ([year_match.span()] if year_match else []):
        rest[a:b] = " " * (b - a)
    return sorted(found, key=lambda n: n.span), "".join(rest)


def is_reference_only(rest: str) -> bool:
    """True when what is left of a query without its references is only stopwords and "số", "năm"."""
    stop = {fold_accents(w) for w in stopwords()} | _EXTRA_WORDS
    return all(s.replace("_", " ") in stop or s in stop for s in syllables(rest))
