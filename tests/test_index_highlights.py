"""Highlights mark the query's phrases in a result, with tone marks when the query has them."""

from __future__ import annotations

import unicodedata

from index.analysis import analyze_query
from index.highlights import highlight_page, highlight_spans

TEXT = (
    "Người đứng đầu cấp uỷ phải chịu trách nhiệm chỉ đạo xây dựng phong trào; "
    "mỗi nhiệm vụ được giao theo Kết luận số 44-KL/TW."
)


def marked(text: str, query) -> list[str]:
    return [text[start:end] for start, end in highlight_spans(text, query)]


def test_phrases_of_the_query_are_marked_whole():
    assert marked(TEXT, analyze_query("trách nhiệm người đứng đầu")) == ["Người đứng đầu", "trách nhiệm"]


def test_a_syllable_of_a_query_word_alone_is_not_marked():
    # "nhiệm" of "nhiệm vụ" and "dựng" of "xây dựng" are not what "trách nhiệm người đứng đầu" asks for
    assert "nhiệm" not in marked(TEXT, analyze_query("trách nhiệm người đứng đầu"))
    assert "dựng" not in marked(TEXT, analyze_query("người đứng đầu"))


def test_a_toneless_query_marks_phrases_folded_and_lone_words_by_their_restored_marks():
    restored = analyze_query("nguoi dung dau chi dao", restore_tones=lambda _: "người đứng đầu chỉ đạo")
    assert marked(TEXT, restored) == ["Người đứng đầu", "chỉ đạo"]
    lone = analyze_query("dung", restore_tones=lambda _: "đứng")
    assert marked("xây dựng; đứng đầu", lone) == ["đứng"]


def test_document_numbers_are_marked():
    assert "44-KL/TW" in marked(TEXT, analyze_query("Kết luận 44-KL/TW"))


def test_a_page_is_highlighted_as_each_of_its_texts_alone():
    query = analyze_query("trách nhiệm người đứng đầu Kết luận 44-KL/TW")
    texts = [TEXT, "", "người đứng đầu", "trách nhiệm\ncủa người đứng đầu 44-KL/TW", TEXT[::-1]]
    assert highlight_page(texts, query) == [highlight_spans(t, query) for t in texts]
    assert highlight_page(texts, query)[0]  # not all empty
    # a decomposed (NFD) text loses its combining marks when folded: offsets then come from each text alone
    decomposed = [TEXT, unicodedata.normalize("NFD", TEXT)]
    assert highlight_page(decomposed, query) == [highlight_spans(t, query) for t in decomposed]
