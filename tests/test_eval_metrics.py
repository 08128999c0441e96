"""Metric functions of index/eval_metrics.py and labels of index/eval_labels.py on hand-made rankings and
documents."""

from __future__ import annotations

import pytest

from index.eval_labels import LabelledQuery, RelevanceJudge, RelevantSpec
from index.eval_metrics import (
    QueryOutcome,
    aggregate,
    aggregate_by_kind,
    first_relevant_rank,
    hit_at,
    reciprocal_rank,
)
from index.evaluate import judge_response
from index.types import AlsoIn, Answer, Citation, SearchResponse, SearchResult
from ingest.models import Document
from ingest.numbers import loose_number_key


def test_first_relevant_rank():
    assert first_relevant_rank([False, False, True, True]) == 3
    assert first_relevant_rank([True]) == 1
    assert first_relevant_rank([False] * 10) is None
    assert first_relevant_rank([]) is None


@pytest.mark.parametrize(
    ("rank", "k", "expected"), [(1, 1, 1.0), (2, 1, 0.0), (5, 5, 1.0), (6, 5, 0.0), (None, 5, 0.0)]
)
def test_hit_at(rank, k, expected):
    assert hit_at(rank, k) == expected


def test_reciprocal_rank_is_cut_at_depth():
    assert reciprocal_rank(1) == 1.0
    assert reciprocal_rank(4) == 0.25
    assert reciprocal_rank(10) == pytest.approx(0.1)
    assert reciprocal_rank(11) == 0.0
    assert reciprocal_rank(None) == 0.0


def outcome(kind, rank, *, ranked=True, expect=True, answered=True, query="câu hỏi", relevant_answer=None):
    return QueryOutcome(
        id=f"{kind}{rank}",
        kind=kind,
        query=query,
        ranked=ranked,
        rank=rank,
        expect_answer=expect,
        answered=answered,
        answer_relevant=relevant_answer,
    )


def test_aggregate_means_over_labelled_queries_only():
    rows = [
        outcome("topic", 1, relevant_answer=True),
        outcome("topic", 3, relevant_answer=False),
        outcome("topic", None, answered=False),
        outcome("out_of_corpus", None, ranked=False, expect=False, answered=True),
    ]
    m = aggregate("x", rows)
    assert (m.queries, m.ranked) == (4, 3)
    assert m.hit1 == pytest.approx(1 / 3)
    assert m.hit5 == pytest.approx(2 / 3)
    assert m.mrr10 == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert m.answer_accuracy == pytest.approx(
        2 / 4
    )  # the missed answer and the out-of-corpus answer are wrong
    assert m.answer_relevant == pytest.approx(1 / 2)


def test_aggregate_by_kind_rows_and_tone_split():
    rows = [
        outcome("topic", 1, query="trách nhiệm"),
        outcome("topic", 2, query="nhiệm vụ"),
        outcome("no_tone", 1, query="trach nhiem"),
        outcome("no_tone", None, query="nhiem vu"),
        outcome("out_of_corpus", None, ranked=False, expect=False, answered=False, query="giá vàng"),
    ]
    by_name = {r.name: r for r in aggregate_by_kind(rows)}
    assert list(by_name)[:3] == ["topic", "no_tone", "out_of_corpus"]
    assert by_name["topic"].hit1 == 0.5 and by_name["topic"].mrr10 == 0.75
    assert by_name["no_tone"].hit5 == 0.5
    assert by_name["out_of_corpus"].hit1 is None and by_name["out_of_corpus"].answer_accuracy == 1.0
    assert by_name["ALL with tone marks"].ranked == 2 and by_name["ALL with tone marks"].hit5 == 1.0
    assert by_name["ALL without tone marks"].ranked == 2 and by_name["ALL without tone marks"].hit1 == 0.5
    assert by_name["ALL"].queries == 5 and by_name["ALL"].hit1 == pytest.approx(2 / 4)


def doc(doc_id, number, text):
    return Document(doc_id=doc_id, source_path=f"{doc_id}.txt", source_sha256="0", number=number, text=text)


DOCS = [
    doc("kl44", "44-KL/TW", "Đảng ủy Công an Trung ương chủ trì, phối hợp với Ban Nội chính Trung ương."),
    doc(
        "cv48",
        "48/LĐLĐ",
        "LIÊN ĐOÀN LAO ĐỘNG HUYỆN\n\nĐảng uỷ Công an Trung ương chủ trì, phối hợp với Ban Nội chính.",
    ),
    doc("tin", None, "Ban Thường vụ Tỉnh ủy Hà Tĩnh vừa ban hành Chỉ thị. Lực lượng CSCĐ sẵn sàng."),
]


def test_number_key_is_loose_about_spelling():
    assert loose_number_key("44-KL/TW") == loose_number_key("44/KL-TW") == loose_number_key("Số 44-kl/tw")
    assert loose_number_key("48/LĐLĐ") == loose_number_key("48/LDLD")
    assert loose_number_key("44-KL/TW") != loose_number_key("09-CT/TW")


def test_judge_matches_phrase_document_and_tone_mark_placement():
    judge = RelevanceJudge(DOCS)
    any_doc = LabelledQuery(
        "q", "q", "who_does_what", (RelevantSpec(None, None, "Đảng ủy Công an Trung ương chủ trì"),), True
    )
    assert judge.is_relevant(any_doc, "Đảng uỷ  Công an Trung ương chủ trì, ...", ["cv48"])  # "uỷ" == "ủy"
    assert not judge.is_relevant(any_doc, "Ban Nội chính Trung ương", ["cv48"])
    only_kl44 = LabelledQuery("q", "q", "topic", (RelevantSpec("44-KL/TW", None, "chủ trì"),), True)
    assert judge.is_relevant(only_kl44, "X chủ trì", ["kl44"])
    assert not judge.is_relevant(only_kl44, "X chủ trì", ["cv48"])
    assert judge.is_relevant(only_kl44, "X chủ trì", ["cv48", "kl44"])  # via also_in
    by_text = LabelledQuery(
        "q", "q", "abbreviation", (RelevantSpec(None, "tỉnh ủy hà tĩnh", "CSCĐ sẵn sàng"),), True
    )
    assert judge.docs_for(by_text.relevant[0]) == {"tin"}
    assert judge.is_relevant(by_text, "Lực lượng CSCĐ sẵn sàng.", ["tin"])
    whole_doc = LabelledQuery("q", "q", "doc_number", (RelevantSpec("48/LĐLĐ", None, None),), True)
    assert judge.is_relevant(whole_doc, "bất kỳ đoạn nào", ["cv48"])
    assert not judge.is_relevant(whole_doc, "bất kỳ đoạn nào", ["kl44"])


def result(pid, doc_id, text, also=()):
    citation = Citation(
        doc_id=doc_id,
        doc_number=None,
        doc_type=None,
        doc_title=None,
        issuer=None,
        date=None,
        section="",
        paragraph_id=pid,
        url="",
        label="",
    )
    return SearchResult(
        paragraph_id=pid,
        doc_id=doc_id,
        doc_number=None,
        doc_title=None,
        doc_type=None,
        issuer=None,
        date=None,
        section="",
        text=text,
        score=1.0,
        url="",
        citation=citation,
        also_in=[AlsoIn(doc_id=d, doc_number=None, doc_title=None, paragraph_id="x", url="") for d in also],
    )


def test_judge_response_rank_and_answer():
    judge = RelevanceJudge(DOCS)
    query = LabelledQuery(
        "w", "ai chủ trì", "who_does_what", (RelevantSpec("44-KL/TW", None, "chủ trì, phối hợp"),), True
    )
    r1 = result("p1", "tin", "Lực lượng CSCĐ sẵn sàng.")
    r2 = result("p2", "cv48", "Đảng uỷ Công an Trung ương chủ trì, phối hợp", also=["kl44"])
    answer = Answer(
        text="chủ trì",
        paragraph_id="p2",
        doc_id="cv48",
        citation=r2.citation,
        paragraph_text=r2.text,
        start=0,
        end=7,
        score=0.9,
    )
    got = judge_response(query, SearchResponse(query="ai chủ trì", results=[r1, r2], answer=answer), judge)
    assert got.rank == 2 and got.answered and got.answer_relevant and got.answer_ok
    none = judge_response(query, SearchResponse(query="x", results=[r1]), judge)
    assert none.rank is None and not none.answered and not none.answer_ok
    ooc = LabelledQuery("o", "giá vàng", "out_of_corpus", (), False)
    got = judge_response(ooc, SearchResponse(query="giá vàng", results=[r1]), judge)
    assert not got.ranked and got.answer_ok
