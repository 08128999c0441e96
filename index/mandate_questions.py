"""The words of a task question: which kind it asks (resources/mandate_questions.txt), read on
accent-folded words, so toneless questions need no tone restoration (used by index.mandate_search).
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.abbreviations import expand_abbreviations, read_resource_lines
from ingest.normalize import fold_accents, normalize


@lru_cache(maxsize=1)
def question_kinds() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in read_resource_lines("mandate_questions.txt"):
        kind, phrase = line.split("\t", 1)
        out.setdefault(kind.strip(), []).append(" ".join(fold_accents(normalize(phrase)).split()))
    return out


@lru_cache(maxsize=1)
def question_pattern() -> re.Pattern:
    phrases = sorted({p for kind in question_kinds().values() for p in kind}, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![a-z0-9])")


@lru_cache(maxsize=1)
def question_words() -> set[str]:
    return {w for phrases in question_kinds().values() for p in phrases for w in p.split()} | {
        "ai",
        "gi",
        "nao",
    }


def folded_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold_accents(expand_abbreviations(normalize(text))))


def contains(words: list[str], phrase: list[str]) -> int:
    """Index of `phrase` inside `words`, or -1."""
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if words[i : i + n] == phrase:
            return i
    return -1
