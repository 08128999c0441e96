"""Searcher on the bundled corpus: document numbers and sections named in a query, numbers quoted inside a
paragraph, and when a named document was issued (its own date line, or a sentence citing it)."""

from __future__ import annotations

import pytest

from index.hints import _dated_citation

pytestmark = pytest.mark.slow


def test_document_number_in_query_favours_that_document(bundled_searcher):
    def from_kl44(result) -> bool:
        return result.doc_number == "44-KL/TW" or "44-KL/TW" in {a.doc_number for a in result.also_in}

    for query in ("Kết luận 44 giao nhiệm vụ gì", "ket luan 44 giao nhiem vu gi", "44-KL/TW"):
        top = bundled_searcher.search(query, k=3).results
        assert from_kl44(top[0]) and sum(map(from_kl44, top)) >= 2, query
    # the same words without the number do not favour it
    top = bundled_searcher.search("Chỉ thị 09 giao nhiệm vụ gì", k=3).results
    assert top[0].doc_number == "09-CT/TW"


@pytest.mark.parametrize(
    "query,number",
    [
        ("Kết luận số 44-KL/TW", "44-KL/TW"),
        ("kết luận số 44", "44-KL/TW"),
        ("KL44", "44-KL/TW"),
        ("chỉ thị số 09-CT/TW", "09-CT/TW"),
        ("chi thi so 09", "09-CT/TW"),
        ("CT09", "09-CT/TW"),
    ],
)
def test_a_reference_written_with_so_or_glued_finds_that_document(bundled_searcher, query, number):
    # "số" (No.) before the number and an abbreviation glued to it are how references are often typed
    assert bundled_searcher.search(query, k=1).results[0].doc_number == number


def test_a_section_named_in_the_query_comes_first(bundled_searcher):
    # citations read "mục III.4": a cadre may search by that pointer, with or without the document
    assert bundled_searcher.search("mục III.4 chỉ thị 09", k=1).results[0].section == "III.4"
    assert bundled_searcher.search("phần II chỉ thị 09", k=1).results[0].section == "II"
    assert bundled_searcher.search("muc 2.3", k=1).results[0].section == "2.3"
    top = bundled_searcher.search("mục 2.3 kết luận 44", k=3).results
    assert any(r.section == "2.3" and r.doc_number == "44-KL/TW" for r in top)


@pytest.mark.parametrize(
    "query, quoted, within",
    [
        ("Nghị quyết 25-NQ/TW về công tác dân vận", "Nghị quyết số 25-NQ/TW, ngày 03/6/2013", 1),
        ("nghi quyet 25-nq/tw ve cong tac dan van", "Nghị quyết số 25-NQ/TW, ngày 03/6/2013", 1),
        # A bare reference puts what it names first, ahead of paragraphs that only share "kế hoạch".
        ("Kế hoạch 177-KH/TU", "Kế hoạch số 177-KH/TU", 1),
        ("ke hoach 177-kh/tu", "Kế hoạch số 177-KH/TU", 1),
        ("Kế hoạch số 177-KH/TU ngày 18/6/2019", "Kế hoạch số 177-KH/TU", 1),
    ],
)
def test_a_document_number_quoted_inside_a_paragraph_is_found(bundled_searcher, query, quoted, within):
    # Neither number is a document of the corpus; paragraphs of a news article quote them.
    top = bundled_searcher.search(query, k=5).results
    assert any(quoted in r.text for r in top[:within]), [r.text[:60] for r in top]


@pytest.mark.parametrize(
    "query, number, line",
    [
        ("Kết luận 44 ban hành ngày nào", "44-KL/TW", "Hà Nội, ngày 22 tháng 01 năm 2019"),
        ("ket luan 44 ban hanh ngay nao", "44-KL/TW", "Hà Nội, ngày 22 tháng 01 năm 2019"),
        ("ngày ban hành công văn 48/LĐLĐ", "48/LĐLĐ", "Huyện Dương Minh Châu, ngày 06 tháng 3 năm 2019"),
    ],
)
def test_when_a_named_document_was_issued_is_answered_by_its_own_date_line(
    bundled_searcher, query, number, line
):
    response = bundled_searcher.search(query, k=5)
    top = response.results[0]
    assert (top.text, top.doc_number) == (line, number)
    assert response.answer is not None and response.answer.text == line
    assert response.answer.citation.doc_number == number
    # A copy of Kết luận 44 attached to the letter carries the same line: only the document's own counts.
    assert bundled_searcher.hints.is_issue_date_line(bundled_searcher.store.index_of(top.paragraph_id))


@pytest.mark.parametrize(
    "query",
    ["Chỉ thị 09 ban hành ngày nào", "chi thi 09 ban hanh ngay nao", "Chỉ thị 09-CT/TW ban hành khi nào"],
)
def test_a_document_without_its_own_date_line_is_dated_by_a_sentence_citing_it(bundled_searcher, query):
    # The bundled Chỉ thị 09 was published without its header; the letter and the news article cite it
    # as "Chỉ thị số 09-CT/TW, ngày 01/12/2011 của Ban Bí thư".
    response = bundled_searcher.search(query, k=5)
    answer = response.answer
    assert answer is not None and "Chỉ thị số 09-CT/TW, ngày 01/12/2011" in answer.text
    assert answer.citation.doc_number != "09-CT/TW"  # the words of the document that cites it
    assert answer.paragraph_text[answer.start : answer.end] == answer.text
    assert response.results[0].paragraph_id == answer.paragraph_id


@pytest.mark.parametrize(
    "folded, cites",
    [
        ("thuc hien chi thi so 09-ct/tw, ngay 01/12/2011 cua ban bi thu", True),
        ("chi thi 09-ct/tw ngay 1 thang 12 nam 2011", True),
        ("chi thi 09-ct/tw ban hanh ngay 01.12.2011", True),
        ("chi thi so 109-ct/tw, ngay 01/12/2011", False),  # another number
        ("chi thi 09-ct/tw cua ban bi thu, ngay 01/12/2011", False),  # the date is not the citation's
        ("so ket chi thi 09-ct/tw ngay hom qua", False),
    ],
)
def test_a_dated_citation_is_the_number_followed_by_its_date(folded, cites):
    assert bool(_dated_citation("09-ct/tw").search(folded)) is cites


def test_an_issue_date_line_answers_only_its_own_question(bundled_searcher):
    deadline = bundled_searcher.search("Kết luận 44 yêu cầu báo cáo định kỳ khi nào", k=5)
    assert "tháng 01 năm 2019" not in deadline.results[0].text
    # Filtered out, the line is not brought back; lexical mode gives no answer at all.
    filtered = bundled_searcher.search("Kết luận 44 ban hành ngày nào", k=5, doc_type="Công văn")
    assert all(r.doc_type == "Công văn" for r in filtered.results)
    assert bundled_searcher.search("Kết luận 44 ban hành ngày nào", k=5, mode="lexical").answer is None
