"""Issue 20 points 2, 3, 7, 11 on rendered HTML and JSON: office-form citations (unknown dates said),
one H1 per page, gzip, Vietnamese collation of the documents table, "Tin bài:" names, phone markup
(filters in <details>, the table's cells labelled), the document bar and section labels."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from index.citation import citation_label
from ingest.models import Document
from search_app.app import create_app
from search_app.collation import sort_key
from search_app.deps import get_searcher
from search_app.settings import Settings

QUERY = "trách nhiệm người đứng đầu"


@pytest.fixture(scope="module")
def client(bundled_index_dir, bundled_searcher, data_dir):
    app = create_app(Settings(index_dir=bundled_index_dir, data_dir=data_dir))
    app.dependency_overrides[get_searcher] = lambda: bundled_searcher
    return TestClient(app)


def document(**fields) -> Document:
    return Document(
        **{"doc_id": "d", "source_path": "x/tin-a.txt", "source_sha256": "0", "text": "", **fields}
    )


def test_citations_use_the_office_form_built_in_one_place(bundled_searcher, client):
    kl44 = next(d for d in bundled_searcher.store.documents() if d.number == "44-KL/TW")
    label = citation_label(kl44, "3")
    assert label.startswith("Kết luận số 44-KL/TW ngày 22/01/2019 của Ban Bí thư về việc tiếp tục đẩy mạnh")
    assert label.endswith(", mục 3")
    body = client.get("/api/search", params={"q": QUERY}).json()
    for result in body["results"]:
        cited = bundled_searcher.store.document(result["doc_id"])
        assert result["citation"]["label"] == citation_label(cited, result["section"])


def test_unknown_issuer_or_date_is_said_not_left_out():
    news = citation_label(document(doc_type="Tin bài", title="Nâng cao hiệu quả"), "")
    assert news == "Tin bài “Nâng cao hiệu quả” (nguồn: tệp tin-a.txt, chưa rõ ngày ban hành)"
    sourced = citation_label(
        document(doc_type="Tin bài", title="T", source_name="Báo Hà Tĩnh", date="2020-05-04"), "2"
    )
    assert sourced == "Tin bài “T” (nguồn: Báo Hà Tĩnh, 04/05/2020), mục 2"
    numbered = citation_label(
        document(doc_type="Kế hoạch", number="177-KH/TU", title="Thực hiện Kết luận 44"), ""
    )
    assert numbered == "Kế hoạch số 177-KH/TU (chưa rõ ngày ban hành) về thực hiện Kết luận 44"


def test_news_items_are_named_without_a_stray_space(client, bundled_searcher):
    page = client.get("/search", params={"q": "phong trào toàn dân bảo vệ an ninh Tổ quốc"}).text
    names = re.findall(r'<h3><a href="[^"]+">([^<]*)</a>', page)
    news = [n for n in names if n.startswith("Tin bài")]
    assert news and all(n.startswith("Tin bài: ") and "Tin bài :" not in n and "  " not in n for n in news)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=" + QUERY,
        "/search",
        "/documents",
        "/collection",
        "/collection?clear=ask",
        "/documents/khong-co",
        "/search?q=" + "a" * 1001,
    ],
)
def test_one_h1_per_page(client, bundled_searcher, path):
    assert len(re.findall(r"<h1[ >]", client.get(path).text)) == 1
    for doc in bundled_searcher.store.documents():
        assert len(re.findall(r"<h1[ >]", client.get(f"/documents/{doc.doc_id}").text)) == 1


def test_pages_and_json_are_gzipped(client):
    for path in ("/search?q=" + QUERY, "/api/search?q=ANTT", "/documents", "/static/style.css"):
        response = client.get(path, headers={"accept-encoding": "gzip"})
        assert response.headers.get("content-encoding") == "gzip", path


def test_vietnamese_collation_puts_d_stroke_after_d():
    words = ["Văn", "Đảng", "Dân", "Zalo", "Ân", "Ăn", "An", "ánh", "anh", "ạnh", "ành"]
    assert sorted(words, key=sort_key) == [
        "An",
        "anh",
        "ành",
        "ánh",
        "ạnh",
        "Ăn",
        "Ân",
        "Dân",
        "Đảng",
        "Văn",
        "Zalo",
    ]
    assert sorted(["đ", "e", "d"], key=sort_key) == ["d", "đ", "e"]


def test_documents_table_is_sorted_with_vietnamese_collation_and_labelled_for_phones(
    client, bundled_searcher
):
    for column, attribute in (("issuer", "issuer"), ("type", "doc_type"), ("title", "title")):
        page = client.get("/documents", params={"sort": column, "order": "asc"}).text
        values = [getattr(d, attribute) for d in bundled_searcher.store.documents() if getattr(d, attribute)]
        shown = [
            getattr(bundled_searcher.store.document(i), attribute)
            for i in dict.fromkeys(re.findall(r'<a href="/documents/([^"#?]+)"', page))
        ]
        shown = [v for v in shown if v]
        assert shown == sorted(values, key=sort_key)
    page = client.get("/documents").text
    for label in ("Số hiệu", "Loại", "Trích yếu", "Cơ quan ban hành", "Ngày"):
        assert f'data-label="{label}"' in page
    assert "table.documents td::before" in client.get("/static/style.css").text


def test_phone_filters_are_a_details_block_above_the_results(client):
    page = client.get("/search", params={"q": QUERY}).text
    details = page.index('<details class="facets-phone"')
    assert details < page.index('<section class="results"') and "<summary>Bộ lọc" in page
    css = client.get("/static/style.css").text
    assert ".facets-phone { display: block" in css and "min-height: 44px" in css


def test_document_page_has_a_sticky_bar_and_section_labels(client, bundled_searcher):
    kl44 = next(d for d in bundled_searcher.store.documents() if d.number == "44-KL/TW")
    page = client.get(f"/documents/{kl44.doc_id}").text
    assert '<p class="doc-bar"' in page and "44-KL/TW" in page[page.index('class="doc-bar"') :][:300]
    sectioned = next(
        p for p in bundled_searcher.store.paragraphs_of(kl44.doc_id) if p.section and p.kind == "body"
    )
    block = re.search(rf'id="p-{re.escape(sectioned.paragraph_id)}">(.*?)</div>', page, re.S).group(1)
    assert f'<p class="section-label">Mục {sectioned.section}</p>' in block
    css = client.get("/static/style.css").text
    assert "scroll-margin-top" in css and "position: sticky" in css
