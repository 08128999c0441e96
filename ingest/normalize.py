"""The one text normalization of the product, used on documents and queries alike.

`normalize()` gives Unicode NFC and one tone-mark placement per syllable ("uỷ" -> "ủy",
"hoà" -> "hòa", "thuỵ" -> "thụy"), using underthesea's per-token normalizer so the spacing and
punctuation of the text are left alone. Displayed text keeps the source's spelling; these forms
are for matching only.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
from underthesea.pipeline.text_normalize.token_normalize import token_normalize

_WORD = re.compile(r"\w+")
# A corpus repeats a few tens of thousands of distinct words, and token_normalize costs a few us a call.
_normalized_word = lru_cache(maxsize=1 << 17)(token_normalize)


def normalize(text: str) -> str:
    """NFC plus one tone-mark placement; spacing, punctuation and case are kept."""
    text = unicodedata.normalize("NFC", text)
    return _WORD.sub(lambda m: _normalized_word(m.group(0)), text)


def _fold_table() -> dict[int, int | None]:
    """One character in, at most one out: precomposed letters map to their base, combining marks vanish."""
    table: dict[int, int | None] = {ord("đ"): ord("d"), ord("Đ"): ord("d")}
    for code in range(0xC0, 0x1F00):  # Latin-1 Supplement .. Latin Extended Additional
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and base.isascii():
            table[code] = ord(base.lower())
    table.update({code: None for code in range(0x300, 0x370)})  # combining diacritics (NFD input)
    return table


_FOLD = _fold_table()
# The same table over the Basic Multilingual Plane as an array (_DROP: no character), for long texts.
_DROP = 0xFFFFFFFF
_FOLD_ARRAY = np.arange(0x10000, dtype=np.uint32)
_FOLD_ARRAY[list(_FOLD)] = [_DROP if folded is None else folded for folded in _FOLD.values()]
# Below this length str.translate is quicker; above it the array lookup wins over translate's per-character
# dict lookup (docs/decisions/0018-search-hot-path.md).
_ARRAY_FROM = 128


def _fold_long(text: str) -> str | None:
    """str.translate(_FOLD) by array lookup; None for text beyond the Basic Multilingual Plane."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if codes.max() > 0xFFFF:
        return None
    folded = _FOLD_ARRAY.take(codes)
    if folded.max() == _DROP:  # combining marks of decomposed input
        folded = folded[folded != _DROP]
    return folded.tobytes().decode("utf-32-le", "surrogatepass")


def fold_accents(text: str) -> str:
    """Lower-case and strip all Vietnamese diacritics ("Tổ quốc" -> "to quoc", "Đảng" -> "dang").

    For precomposed (NFC) text the result has exactly one character per input character, so
    offsets found in the folded text are offsets in the original (the table runs before `lower()`,
    which would otherwise lengthen "İ").
    """
    folded = _fold_long(text) if len(text) >= _ARRAY_FROM and not text.isascii() else None
    return (text.translate(_FOLD) if folded is None else folded).lower()


def has_tone_marks(text: str) -> bool:
    """True when the text carries any Vietnamese diacritic (so it was not typed without them)."""
    return fold_accents(text) != text.lower()
