"""Query and text analysis: abbreviations, document numbers, stopwords, folded tokens, tone restoration."""

from __future__ import annotations

import pytest

from index.abbreviations import spelled_out
from index.analysis import (
    analyze_query,
    doc_numbers,
    drop_number_word,
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
from ingest.sections import section_references


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


def test_document_numbers_are_single_tokens():
    assert doc_numbers("Kết luận số 44-KL/TW ngày 22/01/2019") == ["44-kl/tw"]
    assert doc_numbers("Công văn 48/LĐLĐ, Quyết định 1234/QĐ-UBND") == ["48/ldld", "1234/qd-ubnd"]
    assert doc_numbers("ngày 22/01/2019, giai đoạn 2019-2020") == []
    tokens = exact_tokens("Thực hiện Chỉ thị số 09-CT/TW của Ban Bí thư")
    assert "09-ct/tw" in tokens and "ct" not in tokens and "tw" not in tokens
    assert "09-ct/tw" in folded_tokens("Thực hiện Chỉ thị số 09-CT/TW")


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


def test_document_number_hints_are_recognised():
    assert analyze_query("Kết luận 44 giao ai kiểm tra").typed_numbers == [("ket luan", "44")]
    assert analyze_query("chi thi so 09").typed_numbers == [("chi thi", "09")]
    assert analyze_query("KL 44").typed_numbers == [("ket luan", "44")]
    assert analyze_query("thực hiện 44-KL/TW").numbers == ["44-kl/tw"]


@pytest.mark.parametrize(
    "query, typed",
    [
        ("Quy định 102", ("quy dinh", "102")),
        ("Thông tri số 05", ("thong tri", "05")),
        ("Đề án 03 về chuyển đổi số", ("de an", "03")),
        ("Hướng dẫn 12", ("huong dan", "12")),
        ("Quyết định số 1234", ("quyet dinh", "1234")),
        ("Nghị quyết 18", ("nghi quyet", "18")),
        ("Chương trình 07", ("chuong trinh", "07")),
        ("Chương trình hành động số 07", ("chuong trinh hanh dong", "07")),
        ("Thông báo 15", ("thong bao", "15")),
        ("Báo cáo 20", ("bao cao", "20")),
        ("Tờ trình 3", ("to trinh", "3")),
    ],
)
def test_every_document_type_gives_the_number_hint_with_and_without_tone_marks(query, typed):
    for text in (query, fold_accents(query), fold_accents(query).replace(" so ", " ")):
        analysis = analyze_query(text)
        assert analysis.typed_numbers == [typed], text
    assert analyze_query(query.split(" về ")[0]).reference_only


def test_query_types_are_the_ingest_types_folded():
    """The hint compares a query's type with fold_accents(Document.doc_type): both come from one list."""
    from ingest.doctypes import doc_types, type_from_heading

    for name, _codes in doc_types():
        found = analyze_query(f"{name} 17 giao ai").typed_numbers
        assert found == [(fold_accents(name), "17")], name
        assert type_from_heading(name.upper()) == name


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


def test_so_before_a_number_belongs_to_the_reference():
    assert drop_number_word("Kết luận số 44-KL/TW") == "Kết luận 44-KL/TW"
    assert drop_number_word("chi thi so 09 va so 10") == "chi thi 09 va 10"
    assert drop_number_word("số lượng, so sánh, hồ sơ 12") == "số lượng, so sánh, hồ sơ 12"
    analysis = analyze_query("Quyết định số 1234/QĐ-UBND")
    # the whole number names the document; its leading digits alone would name every Quyết định 1234 (issue
    # 18)
    assert (
        analysis.numbers == ["1234/qd-ubnd"]
        and analysis.typed_numbers == []
        and "so" not in analysis.content_words
    )


def test_section_references_are_folded_paths():
    assert section_references("muc 2.3 ket luan 44") == ["2.3", "muc 2.3"]
    assert section_references("phan ii.") == ["ii", "phan ii"]
    assert section_references("khoan 2 dieu 5 luat dat dai") == ["dieu 5.2"]
    assert section_references("muc tieu den nam 2020, dieu 5a") == []
    assert analyze_query("Mục III.4 Chỉ thị 09").sections == ["iii.4", "muc iii.4"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Kế hoạch 177-KH/TU", True),
        ("ke hoach so 177-kh/tu", True),
        ("44-KL/TW", True),
        ("KL44", True),
        ("Chỉ thị số 09-CT/TW năm 2011", True),
        ("Kế hoạch số 177-KH/TU, ngày 18/6/2019", True),
        ("mục III.4 của chỉ thị 09", True),
        ("khoản 2 Điều 5", True),
        ("Kết luận 44 giao ai kiểm tra", False),
        ("Nghị quyết 25-NQ/TW về công tác dân vận", False),
        ("Điều 5 quy định gì", False),
        ("kế hoạch năm 2020", False),  # a type word and a year name no document
        ("trách nhiệm người đứng đầu", False),
    ],
)
def test_a_query_that_is_only_a_reference(query, expected):
    assert analyze_query(query).reference_only is expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Kết luận 44 ban hành ngày nào", True),
        ("ngày ban hành công văn 48/LĐLĐ", True),
        ("44-KL/TW ký ngày nào", True),
        ("Kết luận 44 ngày nào", True),  # a bare reference and a when-word
        ("chỉ thị 09 ra đời khi nào", True),
        ("Kết luận 44 yêu cầu báo cáo định kỳ khi nào", False),  # a deadline; "kỳ" is not "ký"
        ("công đoàn cơ sở báo cáo kết quả về đâu, khi nào", False),
        ("ngày hội toàn dân bảo vệ an ninh Tổ quốc tổ chức vào ngày nào", False),
        ("trách nhiệm người đứng đầu", False),
    ],
)
def test_a_question_about_when_a_document_was_issued(query, expected):
    assert analyze_query(query).asks_issue_date is expected


def test_a_toneless_issue_date_question_is_read_on_its_restored_marks():
    restored = analyze_query("ket luan 44 ban hanh ngay nao", lambda text: "kết luận 44 ban hành ngày nào")
    assert restored.asks_issue_date
    assert analyze_query("ket luan 44 ngay nao").asks_issue_date  # a bare reference needs no marks


def test_a_toneless_query_drops_the_stopwords_its_restored_marks_reveal():
    restored = analyze_query("tin tuc ve an ninh", lambda text: "tin tức về an ninh")
    assert "ve" not in restored.folded and "ve_an" in restored.folded and "tin" in restored.folded
    protect = analyze_query("bao ve an ninh", lambda text: "bảo vệ an ninh")
    assert "ve" in protect.folded  # "vệ" is a word of its own
    assert "ve" in analyze_query("tin tuc ve an ninh").folded  # nothing restored: nothing to tell apart
