"""JSON API on the real bundled index: search, documents, export, and 422s for bad input."""

from __future__ import annotations

import io

import pytest
from docx import Document as DocxDocument
from fastapi.testclient import TestClient

from search_app.app import create_app
from search_app.deps import get_searcher
from search_app.settings import Settings

QUERY = "trách nhiệm người đứng đầu"
RESULT_KEYS = {
    "paragraph_id",
    "doc_id",
    "doc_number",
    "doc_title",
    "doc_type",
    "issuer",
    "date",
    "section",
    "text",
    "highlights",
    "score",
    "url",
    "also_in",
}


@pytest.fixture(scope="module")
def client(bundled_index_dir, bundled_searcher, data_dir):
    app = create_app(Settings(index_dir=bundled_index_dir, data_dir=data_dir))
    app.dependency_overrides[get_searcher] = lambda: bundled_searcher
    return TestClient(app)


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in DocxDocument(io.BytesIO(content)).paragraphs)


def test_api_search_returns_the_searchers_response(client, bundled_searcher):
    response = client.get("/api/search", params={"q": QUERY, "k": 5})
    assert response.status_code == 200
    body = response.json()
    expected = bundled_searcher.search(QUERY, k=5).model_dump(mode="json")
    assert body["query"] == QUERY
    assert [r["paragraph_id"] for r in body["results"]] == [r["paragraph_id"] for r in expected["results"]]
    assert body["answer"] == expected["answer"]
    assert 0 < len(body["results"]) <= 5
    for result in body["results"]:
        assert RESULT_KEYS <= result.keys()
        assert result["url"] == f"/documents/{result['doc_id']}#p-{result['paragraph_id']}"
        paragraph = bundled_searcher.store.paragraph(result["paragraph_id"])
        assert result["text"] == paragraph.text  # the whole paragraph, verbatim
        for start, end in result["highlights"]:
            assert 0 <= start < end <= len(result["text"])


def test_api_search_filters(client, bundled_searcher):
    facets = client.get("/api/search", params={"q": QUERY}).json()["facets"]
    doc_type = next(iter(facets["type"]))
    body = client.get("/api/search", params={"q": QUERY, "type": doc_type}).json()
    assert body["results"] and {r["doc_type"] for r in body["results"]} == {doc_type}
    year = next(iter(facets["year"]))
    body = client.get("/api/search", params={"q": QUERY, "year": year}).json()
    assert all(r["date"].startswith(str(year)) for r in body["results"])


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 1001},
        {"q": QUERY, "k": 0},
        {"q": QUERY, "k": "abc"},
        {"q": QUERY, "k": 10_000},
        {"q": QUERY, "year": "hai nghìn"},
        {"q": QUERY, "offset": -1},
    ],
)
def test_api_search_bad_input_is_422_with_reason(client, params):
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_api_search_too_long_message_is_clear(client):
    detail = client.get("/api/search", params={"q": "a" * 1001}).json()["detail"]
    assert detail[0]["loc"] == ["query", "q"]
    assert "quá dài" in detail[0]["msg"] and "1000" in detail[0]["msg"]


def test_api_documents(client, bundled_searcher):
    body = client.get("/api/documents").json()
    assert len(body) == len(bundled_searcher.store.documents())
    for item in body:
        assert set(item) == {
            "doc_id",
            "number",
            "type",
            "title",
            "issuer",
            "date",
            "signer",
            "paragraph_count",
        }
        assert item["paragraph_count"] == len(bundled_searcher.store.paragraphs_of(item["doc_id"])) > 0
    assert "44-KL/TW" in {item["number"] for item in body}


def test_api_document_detail(client, bundled_searcher):
    kl44 = next(d for d in bundled_searcher.store.documents() if d.number == "44-KL/TW")
    body = client.get(f"/api/documents/{kl44.doc_id}").json()
    assert body["number"] == "44-KL/TW" and body["issuer"] == kl44.issuer
    paragraphs = bundled_searcher.store.paragraphs_of(kl44.doc_id)
    assert [p["paragraph_id"] for p in body["paragraphs"]] == [p.paragraph_id for p in paragraphs]
    assert body["paragraph_count"] == len(paragraphs)
    assert len(body["references"]) == len(kl44.references)
    referrers = bundled_searcher.store.referenced_by(kl44.doc_id)
    assert referrers
    assert {r["doc_id"] for r in body["referenced_by"]} == {d.doc_id for d, _ in referrers}
    for item in body["referenced_by"]:
        assert item["url"] == f"/documents/{item['doc_id']}#p-{item['paragraph_id']}"
    assert client.get("/api/documents/khong-co").status_code == 404


def test_api_export_docx_has_passages_and_citations(client, bundled_searcher):
    results = bundled_searcher.search(QUERY, k=3).results
    ids = [r.paragraph_id for r in results[:2]]
    response = client.post("/api/export", json={"paragraph_ids": ids, "format": "docx"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert ".docx" in response.headers["content-disposition"]
    text = docx_text(response.content)
    for result in results[:2]:
        assert result.text in text
        assert result.citation.label in text
    # order kept: first passage before the second
    assert text.index(results[0].text) < text.index(results[1].text)
    assert results[0].url in text  # no public address configured: relative links, never the Host header
    document = DocxDocument(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    for heading, result in zip(headings, results[:2], strict=True):
        c = result.citation
        assert heading == (f"{c.doc_type} {c.doc_number}: {c.doc_title}" if c.doc_number else c.doc_title)
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and document.styles["Normal"].font.name == "Times New Roman"


def test_api_export_markdown(client, bundled_searcher):
    result = bundled_searcher.search(QUERY, k=1).results[0]
    response = client.post("/api/export", json={"paragraph_ids": [result.paragraph_id], "format": "md"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/markdown")
    text = response.text
    assert result.citation.label in text and f"<{result.url}>" in text and "testserver" not in text
    quoted = " ".join(line[2:] for line in text.splitlines() if line.startswith("> "))
    assert " ".join(result.text.split()) in quoted


@pytest.mark.parametrize(
    "body",
    [
        {"paragraph_ids": [], "format": "docx"},
        {"paragraph_ids": "abc", "format": "md"},
        {"paragraph_ids": [1, 2], "format": "md"},
        {"paragraph_ids": ["x"], "format": "pdf"},
        {"format": "docx"},
        {"paragraph_ids": ["x"], "format": "docx", "path": "/etc/passwd"},
        [],
        "not an object",
    ],
)
def test_api_export_bad_bodies_are_422(client, body):
    response = client.post("/api/export", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_api_export_unknown_id_names_it(client, bundled_searcher):
    good = bundled_searcher.search(QUERY, k=1).results[0].paragraph_id
    response = client.post(
        "/api/export", json={"paragraph_ids": [good, "../../etc/passwd"], "format": "docx"}
    )
    assert response.status_code == 404
    assert response.json()["unknown_ids"] == ["../../etc/passwd"]


def test_api_export_malformed_json_is_422(client):
    response = client.post("/api/export", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_openapi_lists_the_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/search", "/api/documents", "/api/documents/{doc_id}", "/api/export"} <= set(paths)
    assert client.get("/docs").status_code == 200


def test_api_docs_load_their_assets_from_this_server(client):
    page = client.get("/docs").text
    assert "cdn.jsdelivr" not in page and "/docs/assets/swagger-ui-bundle.js" in page
    script = client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
