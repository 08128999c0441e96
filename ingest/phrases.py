"""Phrase lists of mandate reading: `[section]` blocks of resource files, and finding a phrase in text.

Consumes resources/actor_heads.txt and resources/mandate_verbs.txt (any `[section]` file); produces the
normalized, lower-cased phrases of each section (`heads()`, `verbs()`, `read_sections()`), a
`PhraseSet` that tells which of its phrases starts at a position of a text, and `phrase_at()`.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

from ingest.normalize import normalize


def read_sections(name: str) -> dict[str, list[str]]:
    """`[section]` blocks of an ingest resource file -> normalized, lower-cased phrases."""
    raw = resources.files("ingest.resources").joinpath(name).read_text(encoding="utf-8")
    sections: dict[str, list[str]] = {}
    current = ""
    for line in raw.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
            continue
        sections.setdefault(current, []).append(normalize(line).lower())
    return sections


@lru_cache(maxsize=1)
def heads() -> dict[str, list[str]]:
    return read_sections("actor_heads.txt")


@lru_cache(maxsize=1)
def verbs() -> dict[str, list[str]]:
    return read_sections("mandate_verbs.txt")


class PhraseSet:
    """Phrases looked up by their first word, longest first: which one starts at a position of a text."""

    def __init__(self, phrases):
        self.phrases = sorted(set(phrases), key=len, reverse=True)
        self.by_first: dict[str, list[str]] = {}
        for phrase in self.phrases:
            self.by_first.setdefault(
                _FIRST_WORD.match(phrase).group(0) if _FIRST_WORD.match(phrase) else phrase, []
            ).append(phrase)

    def __iter__(self):
        return iter(self.phrases)

    def at(self, low: str, pos: int) -> str | None:
        word = _FIRST_WORD.match(low, pos)
        if word is None or (pos > 0 and low[pos - 1].isalnum()):
            return None
        for phrase in self.by_first.get(word.group(0), ()):
            end = pos + len(phrase)
            if low.startswith(phrase, pos) and (
                end == len(low) or not low[end].isalnum() or not phrase[-1].isalnum()
            ):
                return phrase
        return None


_FIRST_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def phrase_at(low: str, pos: int, phrases) -> str | None:
    if isinstance(phrases, PhraseSet):
        return phrases.at(low, pos)
    for phrase in phrases:
        if low.startswith(phrase, pos) and (
            pos + len(phrase) == len(low) or not low[pos + len(phrase)].isalnum()
        ):
            if pos == 0 or not low[pos - 1].isalnum():
                return phrase
    return None


@cache
def phrase_set(section_file: str, section: str) -> PhraseSet:
    """The phrases of one section of actor_heads.txt ("heads") or mandate_verbs.txt ("verbs")."""
    table = heads() if section_file == "heads" else verbs()
    return PhraseSet(table.get(section, []))
