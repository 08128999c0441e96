"""Query analysis of references: document numbers as tokens, typed number hints of every document type, "số",
section paths, queries that are only a reference, questions about when a document was issued."""

from __future__ import annotations

import pytest

from index.analysis import analyze_query, doc_numbers, drop_number_word, exact_tokens, folded_tokens
from ingest.normalize import fold_accents
from ingest.sections import section_references


def test_document_numbers_are_single_tokens():
    assert doc_numbers("Kết luận số 44-KL/TW ngày 22/01/2019") == ["44-kl/tw"]
    assert doc_numbers("Công văn 48/LĐLĐ, Quyết định 1234/QĐ-UBND") == ["48/ldld", "1234/qd-ubnd"]
    assert doc_numbers("ngày 22/01/2019, giai đoạn 2019-2020") == []
    tokens = exact_tokens("Thực hiện Chỉ thị số 09-CT/TW của Ban Bí thư")
    assert "09-ct/tw" in tokens and "ct" not in tokens and "tw" not in tokens
    assert "09-ct/tw" in folded_tokens("Thực hiện Chỉ thị số 09-CT/TW")


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
