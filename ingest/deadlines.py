"""Deadlines of mandates: the source's words, an ISO date when one follows, and a recurrence.

Consumes resources/deadlines.txt; produces `find_deadline(text, year)` -> `models.Deadline` or None and
`vague_time(text)`. A date counts only after a deadline word ("trước ngày 30/6/2024", "trong quý
III/2024"): the dates of citations and effective dates ("có hiệu lực từ ngày ...") are no deadlines.
A table's deadline cell is read with `bare=True` (the column says it is a deadline).
"""

from __future__ import annotations

import calendar
import re
from functools import lru_cache

from ingest.actor_lists import cut_verb_at
from ingest.dates import iso_date, long_date, numeric_date
from ingest.models import Deadline
from ingest.normalize import normalize
from ingest.phrases import read_sections

_DIGIT = re.compile(r"\d")
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@lru_cache(maxsize=1)
def _table():
    sections = read_sections("deadlines.txt")
    kinds = {
        phrase.removesuffix(" +verb"): (name.split(":", 1)[1], phrase.endswith(" +verb"))
        for name, phrases in sections.items()
        if name.startswith("recurrence:")
        for phrase in phrases
    }
    recurrences = (
        re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(p) for p in sorted(kinds, key=len, reverse=True)) + r")(?!\w)"
        ),
        kinds,
    )
    before = "|".join(re.escape(p) for p in sorted(sections.get("before", []), key=len, reverse=True))
    lead = rf"(?:(?<!\w)(?:{before})\s+)"
    patterns = {
        "dmy": rf"(?:ngày\s+)?{numeric_date(named=True, spaced=True, year_optional=True)}(?!\d)",
        "long": long_date(named=True, year_optional=True),
        "quarter": r"quý\s+(?P<q>iv|iii|ii|i|[1-4])(?:\s*[/-]\s*|\s+năm\s+)(?P<y>\d{4})",
        "month": r"tháng\s+(?P<m>\d{1,2})(?:\s*[/-]\s*|\s+năm\s+)(?P<y>\d{4})",
        "year": r"năm\s+(?P<y>\d{4})",
    }
    compiled = {
        kind: (re.compile(lead + p), re.compile(rf"(?<!\w)(?:{before})?\s*{p}"))
        for kind, p in patterns.items()
    }
    vague = re.compile(
        r"(?<!\w)(?:"
        + "|".join(re.escape(p) for p in sorted(sections.get("vague", []), key=len, reverse=True))
        + r")(?!\w)"
    )
    return recurrences, compiled, vague


def _iso(kind: str, m: re.Match, year: int | None) -> str | None:
    groups = m.groupdict()
    y = int(groups["y"]) if groups.get("y") else year
    if y is None:
        return None
    try:
        if kind in ("dmy", "long"):
            return iso_date(y, groups["m"], groups["d"])
        if kind == "quarter":
            mo = ROMAN[groups["q"]] * 3
        elif kind == "month":
            mo = int(groups["m"])
        else:
            mo = 12
        return iso_date(y, mo, calendar.monthrange(y, mo)[1])
    except (ValueError, KeyError, calendar.IllegalMonthError):
        return None


def find_deadline(
    text: str, year: int | None = None, bare: bool = False, normalized: bool = False
) -> Deadline | None:
    """The deadline said in `text`; `year` completes "trước ngày 15/12"; None when none is said."""
    recurrences, compiled, _ = _table()
    text = text if normalized else normalize(text)
    low = text.lower()
    found: tuple[int, int, str | None] | None = None
    if _DIGIT.search(low):  # every date, month, quarter and year has digits
        for kind in ("long", "dmy", "quarter", "month", "year"):
            pattern = compiled[kind][1 if bare else 0]
            for m in pattern.finditer(low):
                iso = _iso(kind, m, year)
                if iso or (kind in ("dmy", "long") and not m.groupdict().get("y")):
                    if found is None or m.start() < found[0]:
                        found = (m.start(), m.end(), iso)
                    break
    recurrence = None
    pattern, kinds = recurrences
    for at in pattern.finditer(low):  # the first recurrence phrase said (longest at each place)
        name, needs_verb = kinds[at.group(0)]
        if needs_verb and not _verb_follows(low, at.end()):
            continue
        recurrence = (at.start(), at.end(), name)
        break
    if found is None and recurrence is None:
        return None
    adjacent = found is not None and recurrence is not None and abs(recurrence[0] - found[1]) <= 3
    if adjacent:  # "trước ngày 15/12 hằng năm": a recurring day, no single date
        start, end, date = min(found[0], recurrence[0]), max(found[1], recurrence[1]), None
    elif found:
        start, end, date = found[0], found[1], found[2]
    else:
        start, end, date = recurrence[0], recurrence[1], None
    return Deadline(
        text=text[start:end].strip(" ,.;"), date=date, recurrence=recurrence[2] if recurrence else None
    )


def _verb_follows(low: str, pos: int) -> bool:
    while pos < len(low) and low[pos] == " ":
        pos += 1
    return cut_verb_at(low, low, pos) is not None


def vague_time(text: str, normalized: bool = False) -> str | None:
    """A time word that sets no deadline ("khẩn trương", "kịp thời"), or None."""
    _, _, vague = _table()
    found = vague.search((text if normalized else normalize(text)).lower())
    return found.group(0) if found else None
