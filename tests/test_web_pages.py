"""HTML pages rendered by the real app on the bundled index: search, documents, one document, errors."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from search_app.app import create_app
from search_app.collation import sort_key
from search_app.deps import get_searcher
from search_app.settings import Settings

QUERY = "trách nhiệm người đứng đầu"


@pytest.fixture(scope="module")
def client(bundled_index_dir, bundled_searcher, data_dir):
    app = create_app(Settings(index_dir=bundled_index_dir, data_dir=data_dir))
    app.dependency_overrides[get_searcher] = lambda: bundled_searcher
    return TestClient(app)  # no `with`: the lifespan would load a second searcher


def text_of(fragment: str) -> str:
    """Visible text of an HTML fragment (tags dropped, entities decoded, whitespace collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def merged(spans) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        elif start < end:
            out.append([start, end])
    return [tuple(s) for s in out]


def result_blocks(page: str) -> list[str]:
    return re.findall(r'<article class="result"[^>]*>(.*?)</article>', page, flags=re.S)


def test_home_has_search_box_examples_and_mobile_meta(client):
    page = client.get("/").text
    assert '<meta name="viewport"' in page
    assert 'action="/search"' in page and 'name="q"' in page
    assert "/search?q=tr%C3%A1ch%20nhi%E1%BB%87m" in page or "/search?q=tr%C3%A1ch+nhi%E1%BB%87m" in page
    assert "@media print" in client.get("/static/style.css").text


def test_search_page_shows_cited_highlighted_results(client, bundled_searcher):
    expected = bundled_searcher.search(QUERY, k=10)
    assert expected.results, "the bundled corpus answers this query"
    response = client.get("/search", params={"q": QUERY})
    assert response.status_code == 200
    blocks = result_blocks(response.text)
    shown = [
        r
        for r in expected.results
        if not (expected.answer and r.paragraph_id == expected.answer.paragraph_id)
    ]
    assert len(blocks) == len(shown)
    for block, result in zip(blocks, shown):
        visible = text_of(block)
        assert result.citation.label in visible
        assert (result.doc_number or "") in visible
        assert f'href="{result.url}"' in block and "Xem trong văn bản" in block
        assert f'value="{result.paragraph_id}"' in block  # the add-to-collection form
        marked = [text_of(m) for m in re.findall(r"<mark>(.*?)</mark>", block, flags=re.S)]
        assert marked == [" ".join(result.text[s:e].split()) for s, e in merged(result.highlights)]
        for other in result.also_in:
            assert f'href="{other.url}"' in block and "Cũng có trong" in block
    # no highlight marks at all would mean the page ignores SearchResult.highlights
    assert any("<mark>" in b for b in blocks)


def test_search_page_answer_box_quotes_and_cites(client, bundled_searcher):
    expected = bundled_searcher.search(QUERY, k=10)
    page = client.get("/search", params={"q": QUERY}).text
    box = re.search(r'<section class="answer".*?</section>', page, flags=re.S).group(0)
    if expected.answer is None:
        assert "Không tìm thấy nội dung phù hợp" in box
    else:
        answer = expected.answer
        sentence = re.search(
            r'<blockquote class="answer-sentence"><mark class="answer-text">(.*?)</mark></blockquote>',
            box,
            flags=re.S,
        ).group(1)
        assert " ".join(html.unescape(sentence).split()) == " ".join(answer.text.split())
        assert len(answer.text) < len(answer.paragraph_text)  # the sentence(s), not the whole paragraph
        whole = re.search(
            r'<details class="whole">\s*<summary>Xem cả đoạn</summary>(.*?)</details>', box, flags=re.S
        ).group(1)
        assert " ".join(answer.paragraph_text.split()) in text_of(whole)
        assert answer.citation.label in text_of(box)
        assert (
            answer.citation.label.startswith(f"{answer.citation.doc_type} số ")
            or "chưa rõ" in answer.citation.label
        )
        link = html.unescape(re.search(r'<a class="view" href="([^"]+)">Xem trong văn bản</a>', box).group(1))
        parts = urlsplit(link)
        assert parts.path == f"/documents/{answer.doc_id}" and parts.fragment == f"p-{answer.paragraph_id}"
        assert parse_qs(parts.query) == {"p": [answer.paragraph_id], "hl": [f"{answer.start}-{answer.end}"]}
        # result #1 is not the answer's paragraph again
        first = result_blocks(page)[0]
        assert (
            answer.paragraph_id not in first and f'value="{answer.paragraph_id}"' in box
        )  # added from the box
        # the link lands on the paragraph with the answer sentence marked inside it, and only there
        target = client.get(link).text
        para = re.search(rf'id="p-{re.escape(answer.paragraph_id)}">(.*?)</div>', target, flags=re.S).group(1)
        marked = re.findall(r'<mark class="answer-text">(.*?)</mark>', target, flags=re.S)
        assert len(marked) == 1 and '<mark class="answer-text">' in para
        assert " ".join(html.unescape(marked[0]).split()) == " ".join(answer.text.split())
        for bad in ("hl=5-1", "hl=0-99999999", "hl=x", "p=khong-co&hl=0-5"):
            assert client.get(f"/documents/{answer.doc_id}?p={answer.paragraph_id}&{bad}").status_code == 200


def test_search_page_date_is_vietnamese_format(client, bundled_searcher):
    result = next(r for r in bundled_searcher.search(QUERY, k=10).results if r.date)
    yyyy, mm, dd = result.date.split("-")
    assert f"{dd}/{mm}/{yyyy}" in client.get("/search", params={"q": QUERY}).text


def test_facets_have_counts_and_filter_links(client, bundled_searcher):
    expected = bundled_searcher.search(QUERY, k=10)
    page = client.get("/search", params={"q": QUERY}).text
    aside = re.search(r'<aside class="facets".*?</aside>', page, flags=re.S).group(0)
    doc_type, count = max(expected.facets["type"].items(), key=lambda kv: kv[1])
    assert f"{doc_type}</a> ({count})" in html.unescape(aside)
    link = next(
        html.unescape(href)
        for href in re.findall(r'href="([^"]+)"', aside)
        if parse_qs(urlsplit(html.unescape(href)).query).get("type") == [doc_type]
    )
    filtered = client.get(link)
    assert filtered.status_code == 200
    want = bundled_searcher.search(QUERY, k=10, doc_type=doc_type)
    assert f"{want.total} đoạn văn phù hợp" in filtered.text
    for block in result_blocks(filtered.text):
        assert doc_type in text_of(block)
    assert "bỏ lọc" in filtered.text


def test_year_filter_and_pagination(client, bundled_searcher):
    expected = bundled_searcher.search(QUERY, k=10)
    year = max(expected.facets["year"], key=lambda y: expected.facets["year"][y])
    page = client.get("/search", params={"q": QUERY, "year": year}).text
    for block in result_blocks(page):
        assert f"/{year}" in text_of(block)
    if expected.total > 10:
        second = client.get("/search", params={"q": QUERY, "page": 2}).text
        want = bundled_searcher.search(QUERY, k=10, offset=10)
        assert [f'value="{r.paragraph_id}"' in second for r in want.results] == [True] * len(want.results)
        assert "Trang trước" in second


def test_empty_query_shows_hint_not_error(client):
    for q in ("", "   "):
        response = client.get("/search", params={"q": q})
        assert response.status_code == 200
        assert 'class="hint"' in response.text and "Hãy nhập câu hỏi" in response.text
    assert client.get("/search").status_code == 200


def test_too_long_query_shows_message(client):
    response = client.get("/search", params={"q": "an ninh " * 200})
    assert response.status_code == 422
    assert "Câu hỏi quá dài" in response.text and 'class="error"' in response.text


def test_script_query_is_escaped(client):
    page = client.get("/search", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_documents_table_lists_every_document_and_sorts(client, bundled_searcher):
    documents = bundled_searcher.store.documents()
    page = client.get("/documents").text
    rows = re.findall(r"<tr>\s*<td[^>]*>(.*?)</tr>", page, flags=re.S)
    assert len(rows) == len(documents)
    for document in documents:
        assert f'href="/documents/{document.doc_id}"' in page
    by_title = client.get("/documents", params={"sort": "title", "order": "asc"}).text
    titles = [d.title for d in documents if d.title]
    positions = [by_title.index(html.escape(t, quote=False)) for t in sorted(titles, key=sort_key)]
    assert positions == sorted(positions)
    dated = sorted((d for d in documents if d.date), key=lambda d: d.date, reverse=True)
    by_date = client.get("/documents", params={"sort": "date"}).text
    ids = [by_date.index(f'href="/documents/{d.doc_id}"') for d in dated]
    assert ids == sorted(ids)
    assert client.get("/documents", params={"sort": "'; drop", "order": "sideways"}).status_code == 200


def test_document_page_has_metadata_anchors_and_sections(client, bundled_searcher):
    result = bundled_searcher.search(QUERY, k=1).results[0]
    document = bundled_searcher.store.document(result.doc_id)
    page = client.get(f"/documents/{document.doc_id}").text
    paragraphs = bundled_searcher.store.paragraphs_of(document.doc_id)
    for paragraph in paragraphs:
        assert f'id="p-{paragraph.paragraph_id}"' in page
    anchor = re.search(rf'id="p-{re.escape(result.paragraph_id)}">(.*?)</div>', page, flags=re.S).group(1)
    assert " ".join(result.text.split()) in text_of(anchor)
    if document.number:
        assert document.number in text_of(page)
    if document.issuer:
        assert html.escape(document.issuer, quote=False) in page
    headings = [p for p in paragraphs if p.kind == "heading"]
    if headings:
        assert f"<h3>{html.escape(headings[0].text, quote=False)}</h3>" in page.replace("&#34;", '"')
    assert ".para:target" in client.get("/static/style.css").text


def test_document_page_lists_related_documents_both_ways(client, bundled_searcher):
    documents = bundled_searcher.store.documents()
    linked = [(d, r) for d in documents for r in d.references if r.target_doc_id]
    assert linked, "the bundled corpus has documents that implement or cite each other"
    for source, ref in linked:
        source_page = client.get(f"/documents/{source.doc_id}").text
        assert "Văn bản liên quan" in source_page
        assert f'href="/documents/{ref.target_doc_id}"' in source_page
        target_page = client.get(f"/documents/{ref.target_doc_id}").text
        mentions = re.findall(rf'href="/documents/{re.escape(source.doc_id)}#p-([^"]+)"', target_page)
        assert mentions and all(
            bundled_searcher.store.paragraph(pid).doc_id == source.doc_id for pid in mentions
        )


def test_conclusion_44_shows_documents_that_implement_it(client, bundled_searcher):
    kl44 = next(d for d in bundled_searcher.store.documents() if d.number == "44-KL/TW")
    ct09 = next(d for d in bundled_searcher.store.documents() if d.number == "09-CT/TW")
    page = client.get(f"/documents/{kl44.doc_id}").text
    assert f'href="/documents/{ct09.doc_id}"' in page  # KL 44 continues Chỉ thị 09
    referrers = {d.doc_id for d, _ in bundled_searcher.store.referenced_by(kl44.doc_id)}
    assert referrers, "Công văn 48 attaches and implements Kết luận 44"
    for doc_id in referrers:
        assert f'href="/documents/{doc_id}#p-' in page


def test_unknown_document_is_a_404_page(client):
    for doc_id in ("khong-co", "..%2F..%2Fetc%2Fpasswd", "%00", "a" * 500):
        response = client.get(f"/documents/{doc_id}")
        assert response.status_code == 404
        assert "Không tìm thấy" in response.text and "<html" in response.text
    assert client.get("/no/such/page").status_code == 404


def test_page_past_the_end_and_filter_without_hits(client, bundled_searcher):
    expected = bundled_searcher.search(QUERY, k=10)
    last = -(-expected.total // 10)
    page = client.get("/search", params={"q": QUERY, "page": last + 5})
    assert page.status_code == 200 and "không có kết quả" in page.text and not result_blocks(page.text)
    page = client.get("/search", params={"q": QUERY, "issuer": "Không có cơ quan này"}).text
    assert "Không có đoạn văn nào khớp" in page and "bỏ mọi bộ lọc" in page
