"""normalize(): NFC and one tone-mark placement, spacing/punctuation/case untouched; fold_accents()."""

from __future__ import annotations

import unicodedata

import pytest

from ingest.normalize import fold_accents, has_tone_marks, normalize


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("uỷ", "ủy"),
        ("hoà", "hòa"),
        ("thuỵ", "thụy"),
        ("khoá", "khóa"),
        ("Uỷ ban", "Ủy ban"),
        ("Thuỷ", "Thủy"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
        ("qúy", "quý"),
        ("quý", "quý"),
        ("diễn biến hoà bình", "diễn biến hòa bình"),
    ],
)
def test_tone_mark_placement(source: str, expected: str) -> None:
    assert normalize(source) == expected


def test_nfd_input_becomes_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Tổ quốc hoà bình")
    assert decomposed != "Tổ quốc hoà bình"
    assert normalize(decomposed) == "Tổ quốc hòa bình"
    assert unicodedata.is_normalized("NFC", normalize(decomposed))


@pytest.mark.parametrize(
    "text",
    [
        "Hoà, bình; (thuỵ)  hai  khoảng",  # double spaces and punctuation kept
        "Phòng, chống tội phạm...",
        "ANTT, MTTQ, UBND",
        "Kết luận số 44-KL/TW, ngày 22/01/2019",
        "  thụt đầu dòng\n\ndòng mới",
    ],
)
def test_spacing_punctuation_and_case_are_kept(text: str) -> None:
    out = normalize(text)
    assert len(out) == len(unicodedata.normalize("NFC", text))
    assert [c for c in out if not c.isalnum()] == [c for c in text if not c.isalnum()]
    assert [c.isupper() for c in out] == [c.isupper() for c in unicodedata.normalize("NFC", text)]


def test_normalize_is_idempotent() -> None:
    text = "Các cấp uỷ, tổ chức đảng quán triệt Chỉ thị về thuỵ hoà"
    assert normalize(normalize(text)) == normalize(text)


def test_both_spellings_match_after_normalize() -> None:
    assert normalize("cấp uỷ") == normalize("cấp ủy")
    assert normalize("hoà giải") == normalize("hòa giải")


def test_fold_accents_and_tone_detection() -> None:
    assert fold_accents("Đảng Tổ quốc") == "dang to quoc"
    assert has_tone_marks("tổ quốc")
    assert not has_tone_marks("to quoc")


def test_fold_accents_keeps_offsets_of_precomposed_text():
    text = "Đảng ủy Công an Trung ương chủ trì, phối hợp với Ban Nội chính"
    folded = fold_accents(text)
    assert len(folded) == len(text)
    start = folded.index("chu tri")
    assert text[start : start + len("chu tri")] == "chủ trì"


def test_fold_accents_of_decomposed_input_equals_that_of_composed():
    composed = "Thượng tướng Bùi Văn Nam, Thứ trưởng Bộ Công an"
    assert fold_accents(unicodedata.normalize("NFD", composed)) == fold_accents(composed)


@pytest.mark.parametrize("seed", range(6))
def test_fold_accents_of_long_text_equals_the_translate_table(seed: int) -> None:
    """Long texts fold by array lookup (ingest.normalize._fold_long): the result must be what the
    character table gives, for Vietnamese, decomposed marks, other scripts, lone surrogates and characters
    beyond the Basic Multilingual Plane (those fall back to the table)."""
    import random

    from ingest.normalize import _ARRAY_FROM, _FOLD

    rng = random.Random(seed)
    pools = [
        "Tổ quốc Đảng ủy hòa bình ĐẢNG İ ß ",
        "".join(map(chr, range(0x20, 0x2000))),
        "\u0301\u0309\u0323",
        "\ud800\udfff",
        "😀𝐀",
        "abc ",
        "αβγΩ",
    ]
    for length in (_ARRAY_FROM - 1, _ARRAY_FROM, 400, 3000):
        # the last two: ASCII only, and Greek with combining marks (no character below U+0300 to keep)
        for weights in (
            [5, 1, 1, 0, 0, 1, 0],
            [5, 3, 1, 1, 0, 1, 0],
            [5, 1, 1, 0, 1, 1, 0],
            [0, 0, 0, 0, 0, 1, 0],
            [0, 0, 1, 0, 0, 0, 3],
        ):
            text = "".join(rng.choice(rng.choices(pools, weights)[0]) for _ in range(length))
            assert fold_accents(text) == text.translate(_FOLD).lower()
