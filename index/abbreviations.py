"""Abbreviations of Party and public-security writing ("ANTT", "UBND", "CSCĐ"), both ways.

Consumes index/resources/abbreviations.tsv (abbreviation, tab, expansion); produces the expansion of
the abbreviations a query types (`expand_abbreviations`, for both retrievers) and the abbreviations of
the expansions it spells out (`spelled_out`), since a document may write either form.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ingest.normalize import fold_accents, normalize

RESOURCES = Path(__file__).resolve().parent / "resources"
_VIET_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]+(ch|ng|nh|[cmnpt])?"
)
SYLLABLE = re.compile(r"[^\W_]+", re.UNICODE)  # a syllable, as index.analysis splits text


def read_resource_lines(name: str) -> list[str]:
    """The lines of index/resources/<name> that are neither blank nor comments."""
    lines = (RESOURCES / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def _can_be_syllable(form: str) -> bool:
    return _VIET_SYLLABLE.fullmatch(fold_accents(form)) is not None


@lru_cache(maxsize=1)
def abbreviations() -> tuple[dict[str, str], re.Pattern]:
    """Abbreviation -> expansion, and one pattern matching any of them as a whole word.

    Forms that cannot be a Vietnamese syllable ("ANTT", "bcd") match in any case and with or without
    "Đ"; forms that could ("TU" = Tỉnh ủy, "CA" = Công an) only as written in capitals.
    """
    table: dict[str, str] = {}
    exact, loose = [], []
    for line in read_resource_lines("abbreviations.tsv"):
        short, expansion = (normalize(part.strip()) for part in line.split("\t", 1))
        if _can_be_syllable(short):
            table[short] = expansion
            exact.append(short)
        else:
            table[fold_accents(short)] = expansion
            loose.append(fold_accents(short))

    def alternatives(forms: list[str], d_or_dd: bool = False) -> str:
        escaped = [re.escape(f) for f in sorted(forms, key=len, reverse=True)]
        return "|".join(e.replace("d", "[dđ]") if d_or_dd else e for e in escaped)

    # An abbreviation may be glued to a number ("KL44", "QĐ123"): the number then follows its expansion.
    pattern = rf"(?<![\w/-])(?:(?i:{alternatives(loose, True)})|{alternatives(exact)})(?=\d|[^\w/-]|$)"
    return table, re.compile(pattern)


def abbreviation_key(found: str) -> str:
    """The key in `abbreviations()` of an abbreviation as the pattern found it."""
    table, _ = abbreviations()
    return found if found in table else fold_accents(found)


def expand_abbreviations(text: str) -> str:
    """Replace known abbreviations by their expansion ("ANTT ở cơ sở" -> "an ninh trật tự ở cơ sở")."""
    table, pattern = abbreviations()

    def expansion(m: re.Match) -> str:
        glued = m.end() < len(text) and text[m.end()].isdigit()
        return table[abbreviation_key(m.group(0))] + (" " if glued else "")

    return pattern.sub(expansion, text)


@lru_cache(maxsize=1)
def _contractions() -> tuple[dict[str, list[str]], re.Pattern]:
    """Folded expansion ("canh sat co dong") -> its abbreviations as the folded field indexes them
    (["cscd"]), and a pattern finding any expansion as whole words, whatever separates its syllables.
    Only abbreviations that cannot be a syllable: "ca" for "Công an" would match every "cá" and "ca".
    """
    table, _ = abbreviations()
    by_expansion: dict[str, list[str]] = {}
    for short, expansion in table.items():
        if not _can_be_syllable(short):
            key = " ".join(SYLLABLE.findall(fold_accents(expansion)))
            by_expansion.setdefault(key, []).append(short)
    phrases = sorted(by_expansion, key=len, reverse=True)
    alternatives = "|".join(r"\W+".join(map(re.escape, phrase.split(" "))) for phrase in phrases)
    return by_expansion, re.compile(rf"(?<![\w/-])(?:{alternatives})(?![\w/-])")


def spelled_out(text: str) -> list[tuple[str, str, str]]:
    """The abbreviations of the expansions `text` spells out ("lực lượng cảnh sát cơ động xử lý"), each as
    (abbreviation, folded syllable before the expansion, folded syllable after it; "" at an edge), so a
    query that spells out "Cảnh sát cơ động" also finds the paragraphs that write "CSCĐ"."""
    by_expansion, pattern = _contractions()
    folded = fold_accents(text)
    found = []
    for m in pattern.finditer(folded):
        before = SYLLABLE.findall(folded[: m.start()])[-1:]
        after = SYLLABLE.findall(folded[m.end() :])[:1]
        for short in by_expansion[" ".join(SYLLABLE.findall(m.group(0)))]:
            found.append((short, before[0] if before else "", after[0] if after else ""))
    return found
