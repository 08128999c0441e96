"""No input makes the app answer 500, and everything users type comes back escaped."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from search_app.app import create_app
from search_app.deps import get_searcher
from search_app.settings import Settings

NASTY = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "\x00",
    "a\x00b",
    "\ufeff\u200b",
    "🙂🙂🙂",
    "' OR 1=1 --",
    "../../../../etc/passwd",
    "%00%2e%2e%2f",
    "{{ 7*7 }}",
    "{% raw %}",
    "\\",
    "*" * 50,
    "a" * 1000,
    "a" * 1001,
    "đ" * 5000,
    "TRÁCH NHIỆM NGƯỜI ĐỨNG ĐẦU",
    "trach nhiem nguoi dung dau",
    "ANTT MTTQ UBND",
    "\u0301\u0300",  # lone combining tone marks
    "\n\t\r",
    "mục II.1 ; ; ; ,,,",
]


@pytest.fixture(scope="module")
def client(bundled_index_dir, bundled_searcher, data_dir):
    app = create_app(Settings(index_dir=bundled_index_dir, data_dir=data_dir))
    app.dependency_overrides[get_searcher] = lambda: bundled_searcher
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("query", NASTY)
def test_nasty_queries_never_500(client, query):
    page = client.get(
        "/search",
        params={"q": query, "type": query[:50], "issuer": query[:50], "year": query[:10], "page": query[:10]},
    )
    assert page.status_code in (200, 422), page.text[:500]
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    api = client.get("/api/search", params={"q": query})
    assert api.status_code in (200, 422)
    if api.status_code == 422:
        assert api.json()["detail"]


def test_template_syntax_in_query_is_not_evaluated(client):
    page = client.get("/search", params={"q": "{{ 7*7 }}"}).text
    assert "{{ 7*7 }}" in page


@pytest.mark.parametrize("doc_id", NASTY[:12] + ["%2e%2e", "~root", "con"])
def test_nasty_document_ids_are_404(client, doc_id):
    assert client.get("/documents/" + quote(doc_id, safe="%")).status_code == 404
    assert client.get("/api/documents/" + quote(doc_id, safe="%")).status_code == 404


@pytest.mark.parametrize("value", NASTY[:10])
def test_nasty_form_and_query_values_on_collection(client, value):
    client.get("/")
    token = client.app.state.csrf_signer.get_signature(client.cookies["tracuu_session"]).decode()
    for path, data in (
        ("/collection/add", {"paragraph_id": value, "next": value}),
        ("/collection/move", {"paragraph_id": value, "direction": value}),
        ("/collection/remove", {"paragraph_id": value}),
    ):
        assert (
            client.post(path, data={**data, "csrf_token": token}).status_code == 200
        )  # 303 followed to /collection
        assert client.post(path, data={**data, "csrf_token": value}).status_code == 403
    assert client.get("/collection/export", params={"format": value}).status_code == 200
    assert client.get("/documents", params={"sort": value, "order": value}).status_code == 200


def test_missing_and_wrong_methods(client):
    assert client.post("/collection/add").status_code == 403  # no token: refused, nothing added
    assert client.get("/collection/add").status_code == 405
    assert client.post("/api/search").status_code == 405
    assert (
        client.post("/api/export", content=b"x" * 10_000, headers={"content-type": "text/plain"}).status_code
        == 422
    )


def test_pages_forbid_scripts_and_sniffing(client):
    for path in ("/", "/search?q=a", "/documents", "/collection", "/documents/khong-co"):
        response = client.get(path)
        assert "script-src 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "<script" not in response.text
