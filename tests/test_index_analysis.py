"""Query and text analysis: abbreviations, stopwords, folded tokens, tone restoration, accent-insensitive
highlights, word coverage. Numbers, sections and issue dates: tests/test_index_analysis_references.py."""

from __future__ import annotations

import pytest

from index.abbreviations import spelled_out
from index.analysis import (
    analyze_query,
    exact_tokens,
    expand_abbreviations,
    folded_tokens,
    query_text,
    stopwords,
)
from index.answer import Coverage, coverage, padded_words
from index.highlights import highlight_spans
from index.tones import ToneRestorer
from ingest.normalize import fold_accents


def test_abbreviations_expand_as_whole_words_in_any_case():
    assert expand_abbreviations("ANTT ở cơ sở") == "an ninh trật tự ở cơ sở"
    assert expand_abbreviations("antt o co so") == "an ninh trật tự o co so"
    assert (
        expand_abbreviations("vai trò của MTTQ và UBND xã")
        == "vai trò của Mặt trận Tổ quốc và Ủy ban nhân dân xã"
    )
    # With or without the "Đ", upper or lower case
    for form in ("BCĐ", "bcđ", "BCD", "bcd"):
        assert expand_abbreviations(f"kiện toàn {form}") == "kiện toàn Ban Chỉ đạo"
    assert expand_abbreviations("HĐND tỉnh") == "Hội đồng nhân dân tỉnh"
    assert expand_abbreviations("CSGT và CSCĐ") == "Cảnh sát giao thông và Cảnh sát cơ động"
    # Forms that are also Vietnamese syllables expand only in capitals: "tu" and "ca" stay
    assert expand_abbreviations("Ban Thường vụ TU") == "Ban Thường vụ Tỉnh ủy"
    assert expand_abbreviations("tu sửa, ca hát") == "tu sửa, ca hát"
    # Not inside a longer word or a document number
    assert expand_abbreviations("09-CT/TW và ANTTX") == "09-CT/TW và ANTTX"
    # ... but glued to a number, the number follows the expansion
    assert expand_abbreviations("KL44 và QĐ1234") == "Kết luận 44 và Quyết định 1234"
    # mass organisations and administrative terms, but never inside a document number
    assert (
        expand_abbreviations("Hội LHPN và HCCB xây dựng NTM")
        == "Hội Liên hiệp Phụ nữ và Hội Cựu chiến binh xây dựng nông thôn mới"
    )
    assert expand_abbreviations("Nghị định 91/2017/NĐ-CP của CP") == "Nghị định 91/2017/NĐ-CP của Chính phủ"


def test_an_expansion_typed_in_full_names_its_abbreviation():
    assert spelled_out("lực lượng Cảnh sát cơ động xử lý") == [("cscd", "luong", "xu")]
    assert spelled_out("luc luong canh sat co dong") == [("cscd", "luong", "")]
    assert spelled_out("phát triển kinh tế-xã hội") == [("kt-xh", "trien", ""), ("ktxh", "trien", "")]
    # the longest expansion wins; whole words only
    assert spelled_out("Ủy ban Mặt trận Tổ quốc tỉnh") == [("ubmttq", "", "tinh")]
    assert spelled_out("ủy ban nhân dânh") == []
    # forms that are also syllables are never produced: "ca" would match "cá", "tu" "tụ"
    assert spelled_out("lực lượng công an") == []
    assert spelled_out("Ban Chấp hành Trung ương") == [("bch", "", "trung"), ("tw", "hanh", "")]


def test_a_query_spelling_out_an_abbreviation_also_asks_for_it():
    spelled = analyze_query("lực lượng cảnh sát cơ động xử lý tình huống")
    typed = analyze_query("lực lượng CSCĐ xử lý tình huống")
    for token in ("cscd", "luong_cscd", "cscd_xu"):
        assert token in spelled.folded and token in typed.folded
    assert spelled.abbreviated == typed.abbreviated == {"canh sat": "cscd", "co dong": "cscd"}
    # typed both ways, the abbreviation is asked once
    both = analyze_query("cảnh sát cơ động (CSCĐ)")
    assert both.folded.count("cscd") == 1


def test_abbreviation_query_keeps_the_short_form_as_a_token():
    analysis = analyze_query("ANTT ở cơ sở")
    assert analysis.text == "an ninh trật tự ở cơ sở"
    assert "antt" in analysis.folded and "an_ninh" in analysis.exact and "cơ_sở" in analysis.exact
    # the pairs the short form makes with the words typed beside it match a text that writes it so
    assert "antt_o" in analysis.folded and "antt_o" in folded_tokens("giữ vững ANTT ở cơ sở")
    assert "ubnd_tinh" in analyze_query("ban can su dang ubnd tinh chi dao gi").folded


def test_our_stopwords_not_english_defaults():
    stop = stopwords()
    assert {"và", "của", "các"} <= stop
    # bm25s's English list would drop "an"; "ở" and "không" carry meaning here
    assert "an" not in stop and "ở" not in stop and "không" not in stop
    assert "an" in exact_tokens("bảo vệ an ninh") or "an_ninh" in exact_tokens("bảo vệ an ninh")


def test_folded_field_matches_query_without_tone_marks():
    document = set(folded_tokens("Trách nhiệm của người đứng đầu cấp uỷ"))
    query = analyze_query("trach nhiem nguoi dung dau")
    assert not query.toned
    assert {"trach_nhiem", "nguoi_dung", "dung_dau"} <= document & set(query.folded)
    # stopwords are recognised before folding: "có" is dropped, "cơ" ("cơ sở") is kept
    assert "co" in folded_tokens("cơ sở") and "co" not in folded_tokens("có trách nhiệm")


def test_tone_restoration_learns_from_the_corpus():
    texts = [
        "Người đứng đầu cấp ủy chịu trách nhiệm.",
        "Bắt đầu triển khai.",
        "Người đứng đầu phải gương mẫu.",
    ]
    restorer = ToneRestorer.learn(texts, use_dictionary=False)
    assert restorer.restore("trach nhiem nguoi dung dau") == "trách nhiệm người đứng đầu"
    assert restorer.restore("bat dau") == "bắt đầu"
    # marks the user typed are kept; unknown words and case stay as typed
    assert restorer.restore("Trách nhiem XYZ") == "Trách nhiệm XYZ"
    assert query_text("trach nhiem ANTT", restorer.restore) == "trách nhiệm an ninh trật tự"


def test_tone_restoration_is_the_most_probable_sentence():
    """Oracle: the Viterbi choice equals the best of all candidate sentences scored by the same model."""
    import itertools

    texts = [
        "Bảo vệ an ninh trật tự ở cơ sở.",
        "Báo cáo về tình hình an ninh.",
        "Cơ quan có trách nhiệm báo cáo.",
        "Tin tức về cơ sở.",
        "Có phong trào bảo vệ an ninh.",
    ]
    restorer = ToneRestorer.learn(texts, use_dictionary=False)
    for query in ("bao cao ve an ninh", "co quan co trach nhiem", "tin tuc ve co so", "co phong trao bao ve"):
        words = query.split()
        options = [list(restorer.forms.get(w, {w: 1})) for w in words]
        best = max(itertools.product(*options), key=lambda forms: restorer.log_probability(list(forms)))
        assert restorer.restore(query) == " ".join(best)
    assert restorer.restore("co quan co trach nhiem") == "cơ quan có trách nhiệm"


def test_tone_restoration_dictionary_fills_gaps():
    restorer = ToneRestorer.learn(["Cấp ủy có trách nhiệm."])
    assert restorer.restore("nhiem vu gi") == "nhiệm vụ gì"


def test_tone_restoration_knows_everyday_words_from_general_text():
    # A corpus about "bảo vệ" alone would restore every "ve" as "vệ"; general text knows "về việc".
    corpus = ["Lực lượng bảo vệ dân phố tham gia bảo vệ an ninh trật tự ở cơ sở."]
    corpus_only = ToneRestorer.learn(corpus, use_dictionary=False)
    assert corpus_only.restore("bao cao ve viec") != "báo cáo về việc"
    restorer = ToneRestorer.learn(corpus)
    assert restorer.restore("bao cao ve viec tuyen truyen") == "báo cáo về việc tuyên truyền"
    assert restorer.restore("bao ve an ninh") == "bảo vệ an ninh"  # the corpus's own phrase still wins


def test_fold_keeps_offsets_and_highlights_are_accent_insensitive():
    text = "Người đứng đầu cấp uỷ và chính quyền phải chịu TRÁCH NHIỆM."
    folded = fold_accents(text)
    assert len(folded) == len(text) and folded.startswith("nguoi dung dau cap uy")
    spans = highlight_spans(text, analyze_query("trach nhiem nguoi dung dau"))
    marked = [text[a:b] for a, b in spans]
    assert "Người đứng đầu" in marked and "TRÁCH NHIỆM" in marked


def test_coverage_counts_words_not_syllables():
    paragraph = fold_accents("Hôm nay Ban Chỉ đạo họp giao ban.")
    assert coverage(paragraph, analyze_query("giá vàng hôm nay")) < 0.5
    assert coverage(paragraph, analyze_query("Ban Chỉ đạo họp giao ban")) == 1.0


def test_abbreviation_in_paragraph_counts_for_its_expansion():
    query = analyze_query("lực lượng CSCĐ")
    assert query.abbreviated == {"canh sat": "cscd", "co dong": "cscd"}
    assert coverage(fold_accents("Lực lượng CSCĐ sẵn sàng phương tiện."), query) == 1.0
    assert coverage(fold_accents("Lực lượng dân quân sẵn sàng."), query) < 0.5


def test_coverage_of_many_paragraphs_equals_one_at_a_time():
    texts = [
        "Lực lượng CSCĐ sẵn sàng phương tiện theo Kết luận 44-KL/TW.",
        "Người đứng đầu cấp ủy chịu trách nhiệm.",
        "",
        "Ban Chỉ đạo họp giao ban hôm nay.",
    ]
    for query in ("lực lượng CSCĐ", "trách nhiệm người đứng đầu", "Kết luận 44-KL/TW", "giá vàng hôm nay"):
        analysis = analyze_query(query)
        weights = [1.0 + n for n in range(len(analysis.content_words))]
        known = [n % 3 != 2 for n in range(len(analysis.content_words))]
        cover = Coverage(analysis, weights, known)
        readings = [(fold_accents(t), padded_words(fold_accents(t))) for t in texts]
        expected = [coverage(folded, analysis, weights, known) for folded, _ in readings]
        assert cover.of_many(readings).tolist() == pytest.approx(expected)
    assert Coverage(analyze_query("ban chỉ đạo")).of_many([]).shape == (0,)


def test_a_toneless_query_drops_the_stopwords_its_restored_marks_reveal():
    restored = analyze_query("tin tuc ve an ninh", lambda text: "tin tức về an ninh")
    assert "ve" not in restored.folded and "ve_an" in restored.folded and "tin" in restored.folded
    protect = analyze_query("bao ve an ninh", lambda text: "bảo vệ an ninh")
    assert "ve" in protect.folded  # "vệ" is a word of its own
    assert "ve" in analyze_query("tin tuc ve an ninh").folded  # nothing restored: nothing to tell apart
