"""Relation questions, the not-in-corpus notice and the reference card (issue 18), JSON and HTML."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient

from index.relation_search import relation_question
from search_app.app import create_app
from search_app.deps import get_searcher
from search_app.settings import Settings

RELATION_KEYS = {"relation", "from_doc_id", "to_doc_id", "to_number", "sentence", "paragraph_id", "url"}


@pytest.fixture(scope="module")
def client(bundled_index_dir, bundled_searcher, data_dir):
    app = create_app(Settings(index_dir=bundled_index_dir, data_dir=data_dir))
    app.dependency_overrides[get_searcher] = lambda: bundled_searcher
    return TestClient(app)


def _doc(searcher, number):
    return next(d for d in searcher.store.documents() if d.number == number)


@pytest.mark.parametrize(
    "query",
    [
        "văn bản nào thực hiện Kết luận 44",
        "van ban nao trien khai ket luan 44",
        "Kết luận 44 được thực hiện bởi văn bản nào",
    ],
)
def test_which_documents_implement_conclusion_44(client, bundled_searcher, query):
    body = client.get("/api/search", params={"q": query}).json()
    kl44, cv48 = _doc(bundled_searcher, "44-KL/TW"), _doc(bundled_searcher, "48/LĐLĐ")
    assert body["relations"] and all(set(h) == RELATION_KEYS for h in body["relations"])
    assert {(h["from_doc_id"], h["to_doc_id"]) for h in body["relations"]} == {(cv48.doc_id, kl44.doc_id)}
    assert all(h["relation"] == "implements" for h in body["relations"])
    news = {d.doc_id for d in bundled_searcher.store.documents() if d.doc_type == "Tin bài"}
    assert not news & {h["from_doc_id"] for h in body["relations"]}  # news reports on, never implements
    for h in body["relations"]:
        paragraph = bundled_searcher.store.paragraph(h["paragraph_id"])
        assert paragraph.doc_id == h["from_doc_id"] and h["sentence"] in paragraph.text
        assert h["url"] == f"/documents/{cv48.doc_id}#p-{h['paragraph_id']}"


def test_what_conclusion_44_continues(client, bundled_searcher):
    body = client.get("/api/search", params={"q": "Kết luận 44 tiếp tục văn bản nào"}).json()
    ct09 = _doc(bundled_searcher, "09-CT/TW")
    assert body["relations"] and {h["relation"] for h in body["relations"]} == {"continues"}
    assert {h["to_doc_id"] for h in body["relations"]} == {ct09.doc_id}


def test_relation_page_lists_cited_documents(client, bundled_searcher):
    page = html.unescape(client.get("/search", params={"q": "văn bản nào thực hiện Kết luận 44"}).text)
    cv48 = _doc(bundled_searcher, "48/LĐLĐ")
    assert "Văn bản liên quan theo câu hỏi" in page and "Công văn 48/LĐLĐ" in page
    assert f'href="/documents/{cv48.doc_id}#p-' in page and "<blockquote>V/v tổ chức quán triệt" in page
    assert "Không tìm thấy nội dung phù hợp" not in page
    empty = client.get("/search", params={"q": "các văn bản căn cứ Chỉ thị 09"}).text
    assert "Chưa ghi nhận văn bản nào có quan hệ này" in empty


def test_other_queries_have_no_relations(client):
    for query in ("trách nhiệm người đứng đầu", "ai chủ trì kiểm tra thực hiện Kết luận 44", "Kết luận 44"):
        assert client.get("/api/search", params={"q": query}).json()["relations"] == []
    assert relation_question("văn bản nào thay thế Quyết định 11/2021")[0] == ("replaces",)
    assert relation_question("cac van ban can cu chi thi 09")[:2] == (("basis",), False)


def test_number_not_in_corpus_gets_a_notice_in_the_answers_place(client):
    body = client.get("/api/search", params={"q": "Kết luận 45"}).json()
    assert body["answer"] is None
    assert body["lookup"]["notice"] == "Kho chưa có Kết luận 45; có: Kết luận 44-KL/TW (2019)."
    page = client.get("/search", params={"q": "ket luan 45"}).text
    assert "Kho chưa có Kết luận 45" in page and "Không tìm thấy nội dung phù hợp" not in page


def test_absent_number_lists_the_documents_citing_it(client, bundled_searcher):
    body = client.get("/api/search", params={"q": "Kế hoạch 177-KH/TU"}).json()
    assert body["lookup"]["notice"].startswith("Kho chưa có Kế hoạch 177-KH/TU")
    citing = body["lookup"]["citing"]
    assert citing and all("177-KH/TU" in c["sentence"] for c in citing)


@pytest.mark.parametrize("query", ["chỉ thị 09", "CT 09", "chi thi so 09"])
def test_reference_only_query_shows_the_card(client, bundled_searcher, query):
    body = client.get("/api/search", params={"q": query}).json()
    ct09, kl44 = _doc(bundled_searcher, "09-CT/TW"), _doc(bundled_searcher, "44-KL/TW")
    assert body["answer"] is None
    (card,) = body["lookup"]["cards"]
    assert (card["number"], card["type"], card["issuer"], card["date"]) == (
        "09-CT/TW",
        "Chỉ thị",
        "Ban Bí thư",
        "2011-12-01",
    )
    assert card["url"] == f"/documents/{ct09.doc_id}"
    assert [(r["doc_id"], r["relation"]) for r in card["implemented_by"]] == [(kl44.doc_id, "continues")]
    assert body["results"][0]["doc_id"] == ct09.doc_id
    page = client.get("/search", params={"q": query}).text
    assert 'class="doc-card"' in page and "Được thực hiện bởi" in page
    assert "Chỉ thị này được phổ biến đến chi bộ./.</mark>" not in page  # no sentence picked as an answer


def test_short_form_kl44_card_lists_both_directions(client, bundled_searcher):
    card = client.get("/api/search", params={"q": "KL44"}).json()["lookup"]["cards"][0]
    assert card["number"] == "44-KL/TW"
    assert [r["number"] for r in card["implements"]] == ["09-CT/TW"]
    assert [r["number"] for r in card["implemented_by"]] == ["48/LĐLĐ"]
