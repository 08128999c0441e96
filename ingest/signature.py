"""Signature blocks: the title ("T/M BAN BÍ THƯ", "TM. BAN THƯỜNG VỤ", "KT. CHỦ TỊCH"), the position,
"(Đã ký)", and the signer's name.

Consumes the structure stage's units at a signature title; marks them kind "signature" and records
the signature title and signer on the document part. A signer name is 2-6 capitalised words, or
2-5 words in capitals that are not a position ("PHÓ CHỦ TỊCH"); capitals are re-cased for display.
"""

from __future__ import annotations

import re

from ingest.clean import is_all_caps, is_sentence_end, looks_like_name

_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_]*$")


def consume_signature(units: list, i: int, part) -> int:
    """Mark the signature title and the few short units after it (position, "(Đã ký)", name)."""
    title = units[i]
    title.kind, title.role = "signature", "signature_title"
    if not part.signature_title:
        part.signature_title = title.lines[0]
    name = next((line for line in title.lines[1:] if looks_like_name(line)), None)
    j = i + 1
    while name is None and j < len(units) and j <= i + 3:
        candidate = units[j]
        if (
            len(candidate.flat.split()) > 8
            or is_sentence_end(candidate.flat.rstrip(")"))
            and not candidate.flat.startswith("(")
        ):
            break
        candidate.kind, candidate.role = "signature", "signature"
        if looks_like_name(candidate.flat):
            name = candidate.flat
            candidate.role = "signer"
        j += 1
    if name is None and j > i + 1:
        last = units[j - 1]
        if _is_caps_name(last.flat):
            name = " ".join(w[:1] + w[1:].lower() for w in last.flat.split())
            last.role = "signer"
    if name and not part.signer:
        part.signer = name
    return j


_POSITION_WORDS = (
    "chủ tịch",
    "bí thư",
    "giám đốc",
    "trưởng",
    "phó",
    "ủy viên",
    "uỷ viên",
    "thường trực",
    "chánh",
    "ban ",
    "thư ký",
    "tổng",
    "đại diện",
    "kế toán",
    "thủ trưởng",
    "đã ký",
    "ủy ban",
    "văn phòng",
)


def _is_caps_name(text: str) -> bool:
    """An all-capitals signer name ("NGUYỄN VĂN AN"), not a position ("PHÓ CHỦ TỊCH")."""
    words = text.split()
    lowered = text.lower() + " "
    return (
        2 <= len(words) <= 5
        and is_all_caps(text)
        and all(_NAME_WORD.match(w) for w in words)
        and not any(p in lowered for p in _POSITION_WORDS)
    )
