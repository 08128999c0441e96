"""Mandates on the real bundled index: /api/mandates, /api/actors, task questions in /api/search, the
"Nhiệm vụ" and actor pages, the document panel, and the exports read back (openpyxl, python-docx, csv)."""

from __future__ import annotations

import csv
import io

import pytest
from docx import Document as DocxDocument
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from search_app.app import create_app
from search_app.deps import get_searcher
from search_app.settings import Settings

DUCATW = "dang-uy-cong-an-trung-uong"
ITEM_KEYS = {
    "mandate_id",
    "doc_id",
    "doc_number",
    "paragraph_id",
    "section",
    "url",
    "text",
    "action",
    "assignees",
    "partners",
    "assigned_by",
    "reports_to",
    "deadline",
    "product",
    "flags",
}


@pytest.fixture(scope="module")
def client(bundled_index_dir, bundled_searcher, data_dir):
    app = create_app(Settings(index_dir=bundled_index_dir, data_dir=data_dir))
    app.dependency_overrides[get_searcher] = lambda: bundled_searcher
    return TestClient(app)


def test_api_mandates_shape_and_filters(client, bundled_searcher):
    body = client.get("/api/mandates", params={"limit": 500}).json()
    assert set(body) == {"total", "mandates"} and body["total"] == len(body["mandates"]) > 20
    item = body["mandates"][0]
    assert set(item) == ITEM_KEYS
    assert all(
        set(a) == {"name", "key"}
        for m in body["mandates"]
        for a in m["assignees"] + m["partners"] + m["reports_to"]
    )
    assert all(
        m["deadline"] is None or set(m["deadline"]) == {"text", "date", "recurrence"}
        for m in body["mandates"]
    )
    for m in body["mandates"]:  # `text` is verbatim in its paragraph, `action` inside `text`
        paragraph = bundled_searcher.store.paragraph(m["paragraph_id"])
        assert m["text"] in paragraph.text and m["action"] in m["text"]
        assert m["url"] == f"/documents/{m['doc_id']}#p-{m['paragraph_id']}"
    ducatw = client.get("/api/mandates", params={"actor": DUCATW}).json()
    assert {m["doc_number"] for m in ducatw["mandates"]} == {"09-CT/TW", "44-KL/TW"}
    assert all(any(a["key"] == DUCATW for a in m["assignees"]) for m in ducatw["mandates"])
    by_name = client.get("/api/mandates", params={"actor": "Đảng uỷ Công an Trung ương"}).json()
    assert by_name["total"] == ducatw["total"]
    yearly = client.get("/api/mandates", params={"recurrence": "yearly"}).json()
    assert yearly["total"] and all(m["deadline"]["recurrence"] == "yearly" for m in yearly["mandates"])
    none = client.get("/api/mandates", params={"has_deadline": "false"}).json()
    assert none["total"] and all(
        m["deadline"] is None and "không nêu thời hạn" in m["flags"] for m in none["mandates"]
    )
    page = client.get("/api/mandates", params={"limit": 2, "offset": 1}).json()
    assert page["total"] == body["total"] and [m["mandate_id"] for m in page["mandates"]] == [
        m["mandate_id"] for m in body["mandates"][1:3]
    ]
    words = client.get("/api/mandates", params={"q": "ban noi chinh"}).json()
    assert words["total"] >= 1 and all("Ban Nội chính" in m["text"] for m in words["mandates"])
    docs = {m["doc_id"] for m in body["mandates"]}
    one = sorted(docs)[0]
    assert all(
        m["doc_id"] == one for m in client.get("/api/mandates", params={"doc_id": one}).json()["mandates"]
    )
    assert client.get("/api/mandates", params={"recurrence": "weekly"}).status_code == 422
    assert client.get("/api/mandates", params={"limit": 0}).status_code == 422


def test_api_actors(client):
    actors = client.get("/api/actors").json()
    assert actors and all(set(a) == {"key", "name", "aliases", "mandate_count", "doc_ids"} for a in actors)
    ducatw = next(a for a in actors if a["key"] == DUCATW)
    assert ducatw["name"] == "Đảng ủy Công an Trung ương" and ducatw["mandate_count"] >= 2
    assert len(ducatw["doc_ids"]) >= 2  # Chỉ thị 09 and Kết luận 44 (and its copy attached to Công văn 48)
    keys = {a["key"] for a in actors}
    assert "dang-uy-cong-an-tinh" in keys and DUCATW in keys  # two levels, two actors


@pytest.mark.parametrize(
    "query", ["Đảng ủy Công an Trung ương có nhiệm vụ gì", "dang uy cong an trung uong co nhiem vu gi"]
)
def test_search_lists_an_actors_tasks_from_both_documents(client, query):
    body = client.get("/api/search", params={"q": query}).json()
    assert body["mandates"]
    assert {m["doc_number"] for m in body["mandates"]} >= {"09-CT/TW", "44-KL/TW"}
    assert all(DUCATW in {a["key"] for a in m["assignees"] + m["partners"]} for m in body["mandates"])


def test_search_gives_the_quarterly_reporting_duty(client):
    body = client.get("/api/search", params={"q": "cong doan co so bao cao khi nao"}).json()
    first = body["mandates"][0]
    assert first["deadline"]["recurrence"] == "quarterly" and "hàng quý" in first["deadline"]["text"]
    assert first["assignees"][0]["key"] == "cong-doan-co-so"
    assert first["reports_to"][0]["name"] == "Liên đoàn Lao động huyện Dương Minh Châu"


def test_search_other_task_questions(client):
    reported = client.get("/api/search", params={"q": "ai phải báo cáo kết quả với Ban Bí thư"}).json()[
        "mandates"
    ]
    assert reported and all(any(r["key"] == "ban-bi-thu" for r in m["reports_to"]) for m in reported)
    front = client.get("/api/search", params={"q": "theo Chỉ thị 09 Mặt trận phải làm gì"}).json()["mandates"]
    assert front and all(m["doc_number"] == "09-CT/TW" for m in front)
    assert all(any(a["key"].startswith("mat-tran") for a in m["assignees"] + m["partners"]) for m in front)
    assert client.get("/api/search", params={"q": "trách nhiệm người đứng đầu"}).json()["mandates"] == []
    assert client.get("/api/search", params={"q": "giá vàng hôm nay"}).json()["mandates"] == []


def test_mandates_page_cards_filters_and_links(client):
    page = client.get("/mandates")
    assert page.status_code == 200
    html = page.text
    for label in ("Rõ việc", "Rõ người", "Rõ thời gian", "Rõ trách nhiệm", "Rõ sản phẩm", "Rõ thẩm quyền"):
        assert label in html
    assert f'href="/actors/{DUCATW}"' in html and "#p-" in html
    assert '<a href="/mandates">Nhiệm vụ</a>' in html
    filtered = client.get("/mandates", params={"actor": DUCATW}).text
    assert (
        filtered.count('class="mandate"')
        == client.get("/api/mandates", params={"actor": DUCATW}).json()["total"]
    )
    assert "/mandates/export?format=xlsx&amp;actor=" + DUCATW in filtered
    assert (
        client.get("/mandates", params={"page": "abc", "recurrence": "x", "has_deadline": "?"}).status_code
        == 200
    )


def test_actor_page_tabs(client):
    lead = client.get(f"/actors/{DUCATW}")
    assert lead.status_code == 200 and "Việc của đơn vị: Đảng ủy Công an Trung ương" in lead.text
    assert f'href="/actors/{DUCATW}?tab=phoi-hop"' in lead.text and 'aria-current="page">Chủ trì' in lead.text
    assert lead.text.count('class="mandate"') >= 2
    partner = client.get("/actors/ban-noi-chinh-trung-uong", params={"tab": "phoi-hop"})
    assert partner.status_code == 200 and partner.text.count('class="mandate"') >= 1
    assert client.get("/actors/khong-co-co-quan-nay").status_code == 404


def test_document_page_panel_and_search_cards(client, bundled_searcher):
    doc = next(d for d in bundled_searcher.store.documents() if d.number == "09-CT/TW")
    html = client.get(f"/documents/{doc.doc_id}").text
    assert 'aria-label="Nhiệm vụ"' in html and "Đảng ủy Công an Trung ương" in html
    results = client.get("/search", params={"q": "Đảng ủy Công an Trung ương có nhiệm vụ gì"}).text
    assert results.index('aria-label="Nhiệm vụ"') < results.index('aria-label="Kết quả"')
    plain = client.get("/search", params={"q": "trách nhiệm người đứng đầu"}).text
    assert 'aria-label="Nhiệm vụ"' not in plain


def test_exports_read_back_with_citations(client):
    params = {"actor": DUCATW}
    expected = client.get("/api/mandates", params=params).json()["mandates"]
    xlsx = client.get("/mandates/export", params={**params, "format": "xlsx"})
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.headers["content-type"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1] == ["TT", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời hạn", "Sản phẩm", "Căn cứ"]
    assert len(rows) == 2 + len(expected)
    assert [r[1] for r in rows[2:]] == [m["action"] for m in expected]
    assert all("Đảng ủy Công an Trung ương" in r[2] for r in rows[2:])
    assert {r[6].split(",")[0] for r in rows[2:]} >= {"Chỉ thị 09-CT/TW", "Kết luận 44-KL/TW"}

    docx = client.get("/mandates/export", params={**params, "format": "docx"})
    document = DocxDocument(io.BytesIO(docx.content))
    section = document.sections[0]
    assert section.page_width > section.page_height  # A4 landscape
    assert document.styles["Normal"].font.name == "Times New Roman"
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][:3] == ["TT", "Nhiệm vụ", "Chủ trì"]
    assert len(table.rows) == 1 + len(expected) and "09-CT/TW" in "\n".join(
        c.text for r in table.rows for c in r.cells
    )

    raw = client.get("/mandates/export", params={**params, "format": "csv"}).content
    assert raw.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert read[0][0] == "TT" and len(read) == 1 + len(expected) and "Ban Bí thư" not in read[0]
    assert client.get("/mandates/export", params={"format": "pdf"}).status_code == 422


def test_attached_copy_is_listed_once_but_shown_on_its_letter(client, bundled_searcher):
    ducatw = client.get("/api/mandates", params={"actor": DUCATW}).json()["mandates"]
    own = {d.doc_id for d in bundled_searcher.store.documents() if d.number in ("09-CT/TW", "44-KL/TW")}
    assert len(ducatw) == 2 and {m["doc_id"] for m in ducatw} == own
    letter = next(d for d in bundled_searcher.store.documents() if d.number == "48/LĐLĐ")
    attached = client.get("/api/mandates", params={"doc_id": letter.doc_id}).json()["mandates"]
    assert any(m["doc_number"] == "44-KL/TW" for m in attached) and any(
        m["doc_number"] == "48/LĐLĐ" for m in attached
    )
    html = client.get(f"/documents/{letter.doc_id}").text
    assert "44-KL/TW (kèm Công văn 48/LĐLĐ)" in html
