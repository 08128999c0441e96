"""Dates as Vietnamese documents write them, and as the product stores and shows them: one home.

Consumes text, toned or accent-folded; produces ISO dates ("2019-01-22", how every model stores a date),
the one display form ("22/01/2019", `dmy`), and the regex pieces every reader of dates shares: numeric
("22/01/2019", "22 - 01 - 2019"), long ("ngày 22 tháng 01 năm 2019") and the place-and-date line of an
official document ("Hà Nội, ngày 22 tháng 01 năm 2019"). Used by ingest (metadata, structure, clean,
references, deadlines), index (query analysis, citations) and search_app (display).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

MIN_YEAR, MAX_YEAR = 1900, 2100  # outside these a "date" is a misread number
_SEPARATOR = r"[/.\-]"
_WORDS = {False: ("ngày", "tháng", "năm"), True: ("ngay", "thang", "nam")}  # toned, folded
_DAY_OR_MONTH = r"\d{1,2}"


def _group(name: str, pattern: str, named: bool) -> str:
    return f"(?P<{name}>{pattern})" if named else pattern


def numeric_date(
    *, named: bool = False, spaced: bool = False, year_optional: bool = False, year: str = r"\d{4}"
) -> str:
    """Regex text of "22/01/2019" ("22.01.2019", "22-01-2019"; `spaced`: "22 / 01 / 2019"); `named` gives
    the groups d, m, y; `year_optional` also takes "15/12" (a deadline the caller completes)."""
    sep = rf"\s*{_SEPARATOR}\s*" if spaced else _SEPARATOR
    tail = sep + _group("y", year, named)
    day, month = _group("d", _DAY_OR_MONTH, named), _group("m", _DAY_OR_MONTH, named)
    return f"{day}{sep}{month}" + (f"(?:{tail})?" if year_optional else tail)


def long_date(
    *, named: bool = False, folded: bool = False, day_word: str = "required", year_optional: bool = False
) -> str:
    """Regex text of "ngày 22 tháng 01 năm 2019" (`folded`: "ngay ... thang ... nam", for fold_accents()
    text; toned, match with re.I). `day_word`: "required", "optional" or "none" (the caller has read
    "ngày" already); `year_optional` also takes "ngày 15 tháng 12"."""
    day_word_, month_word, year_word = _WORDS[folded]
    lead = {"required": rf"{day_word_}\s+", "optional": rf"(?:{day_word_}\s+)?", "none": ""}[day_word]
    tail = rf"\s+{year_word}\s+" + _group("y", r"\d{4}", named)
    day, month = _group("d", _DAY_OR_MONTH, named), _group("m", _DAY_OR_MONTH, named)
    return rf"{lead}{day}\s+{month_word}\s+{month}" + (f"(?:{tail})?" if year_optional else tail)


# "Hà Nội, ngày 22 tháng 01 năm 2019" opening a line: the place and issue date of an official document.
PLACE_DATE = re.compile(rf"^(?P<place>[^,\d]{{2,60}}),\s*{long_date(named=True)}", re.I)
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_READABLE = (
    _ISO,
    re.compile(numeric_date(named=True)),
    re.compile(long_date(named=True, day_word="optional"), re.I),
)


def iso_date(year: int | str, month: int | str, day: int | str) -> str | None:
    """(2019, 1, 22) -> "2019-01-22"; None for a day that does not exist or a year outside 1900-2100."""
    y, m, d = int(year), int(month), int(day)
    if not (MIN_YEAR <= y <= MAX_YEAR and 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def iso_from_match(match: re.Match) -> str | None:
    """The ISO date of a match of a `named` numeric_date or long_date (None without its year)."""
    if not match.group("y"):
        return None
    return iso_date(match.group("y"), match.group("m"), match.group("d"))


def parse_date(text: str | None) -> str | None:
    """'22/01/2019', '2019-01-22', 'ngày 22 tháng 01 năm 2019' -> '2019-01-22'; None when unreadable."""
    if not text:
        return None
    for pattern in _READABLE:
        match = pattern.search(text.strip())
        if match:
            found = iso_from_match(match)
            if found:
                return found
    return None


def dmy(iso: str | None) -> str | None:
    """ISO "2019-01-22" -> "22/01/2019", how Vietnamese documents write dates; other text unchanged."""
    if not iso:
        return None
    try:
        return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso
