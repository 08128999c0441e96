"""The one text normalization of the product, used on documents and queries alike.

`normalize()` gives Unicode NFC and one tone-mark placement per syllable ("uỷ" -> "ủy",
"hoà" -> "hòa", "thuỵ" -> "thụy"), using underthesea's per-token normalizer so the spacing and
punctuation of the text are left alone. Displayed text keeps the source's spelling; these forms
are for matching only.
"""

from __future__ import annotations

import re
import unicodedata

from underthesea.pipeline.text_normalize.token_normalize import token_normalize

_WORD = re.compile(r"\w+")


def normalize(text: str) -> str:
    """NFC plus one tone-mark placement; spacing, punctuation and case are kept."""
    text = unicodedata.normalize("NFC", text)
    return _WORD.sub(lambda m: token_normalize(m.group(0)), text)


def fold_accents(text: str) -> str:
    """Lower-case and strip all Vietnamese diacritics ("Tổ quốc" -> "to quoc", "Đảng" -> "dang")."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d")


def has_tone_marks(text: str) -> bool:
    """True when the text carries any Vietnamese diacritic (so it was not typed without them)."""
    return fold_accents(text) != text.lower()
