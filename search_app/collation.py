"""Vietnamese collation: a sort key that orders text as a Vietnamese dictionary does.

Consumes any string; produces `sort_key(text)`, comparing letters first in the Vietnamese alphabet
(a ă â b c d đ e ê ..., so "Đ" comes after "D", not after "Z" as code points put it), then tone marks
(ngang, huyền, hỏi, ngã, sắc, nặng), then case. The alphabet and tone order are read from
resources/vietnamese_collation.txt. Library defaults (str order, casefold, most locales) get this wrong.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

RESOURCE = Path(__file__).parent / "resources" / "vietnamese_collation.txt"


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, int], dict[str, int]]:
    letters: list[str] = []
    tones: list[str] = []
    for line in RESOURCE.read_text(encoding="utf-8").splitlines():
        name, _, rest = line.partition(" ")
        if name == "letters":
            letters = rest.split()
        elif name == "tones":
            tones = [chr(int(code, 16)) for code in rest.split()]
    if not letters or not tones:
        raise RuntimeError(f"{RESOURCE} lacks its 'letters' or 'tones' line")
    return {letter: n for n, letter in enumerate(letters)}, {mark: n + 1 for n, mark in enumerate(tones)}


def _letter_and_tone(char: str, tone_rank: dict[str, int]) -> tuple[str, int]:
    """ "ở" -> ("ơ", hỏi): the letter with its vowel marks (ă â ê ô ơ ư) and the tone mark apart."""
    parts = unicodedata.normalize("NFD", char)
    tone = next((tone_rank[c] for c in parts if c in tone_rank), 0)
    letter = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tone_rank))
    return letter, tone


def sort_key(text: str) -> tuple:
    """Key for sorted(): letters in Vietnamese order, then tones, then case; other characters (digits,
    punctuation) before letters, by code point."""
    letter_rank, tone_rank = _tables()
    primary, tones, cases = [], [], []
    for char in unicodedata.normalize("NFC", text):
        letter, tone = _letter_and_tone(char.lower(), tone_rank)
        rank = letter_rank.get(letter)
        primary.append((1, rank) if rank is not None else (0, ord(letter[0]) if letter else 0))
        tones.append(tone)
        cases.append(0 if char.islower() else 1)
    return tuple(primary), tuple(tones), tuple(cases)
