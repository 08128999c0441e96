"""The cookie-backed collection: add from results and documents, reorder, remove, export, print."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from docx import Document as DocxDocument
from fastapi.testclient import TestClient

from search_app import collection
from search_app.app import create_app
from search_app.deps import get_searcher
from search_app.settings import Settings

QUERY = "trách nhiệm người đứng đầu"


@pytest.fixture(scope="module")
def app(bundled_index_dir, bundled_searcher, data_dir):
    app = create_app(Settings(index_dir=bundled_index_dir, data_dir=data_dir))
    app.dependency_overrides[get_searcher] = lambda: bundled_searcher
    return app


@pytest.fixture()
def client(app):
    return TestClient(app)  # a fresh cookie jar per test


@pytest.fixture(scope="module")
def three(bundled_searcher):
    results = bundled_searcher.search(QUERY, k=10).results
    ids = list(dict.fromkeys(r.paragraph_id for r in results))[:3]
    assert len(ids) == 3
    return ids


def listed_ids(page: str) -> list[str]:
    items = re.search(r'<ol class="collection">(.*?)</ol>', page, flags=re.S)
    if not items:
        return []
    return list(dict.fromkeys(re.findall(r'name="paragraph_id" value="([^"]+)"', items.group(1))))


def form_token(client) -> str:
    """The CSRF token the app's own forms carry for this client's session (read from a rendered form)."""
    page = client.get("/collection?clear=ask").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if found:
        return found.group(1)
    client.get("/")  # no form on an empty collection: the token is the session's signature
    return client.app.state.csrf_signer.get_signature(client.cookies["tracuu_session"]).decode()


def post(client, path, data=None, **kwargs):
    return client.post(path, data={**(data or {}), "csrf_token": form_token(client)}, **kwargs)


def add(client, pid, next_url="/collection"):
    return post(client, "/collection/add", {"paragraph_id": pid, "next": next_url}, follow_redirects=False)


def test_add_from_results_redirects_back_and_marks_added(client, three):
    back = "/search?q=" + quote(QUERY)
    response = add(client, three[0], back)
    location = response.headers["location"]
    parts = urlsplit(location)
    assert response.status_code == 303 and (parts.scheme, parts.netloc, parts.path) == ("", "", "/search")
    assert parse_qs(parts.query) == {"q": [QUERY], "added": [three[0]]} and parts.fragment == f"r-{three[0]}"
    page = client.get(location.split("#")[0]).text
    block = re.search(rf' id="r-{re.escape(three[0])}">(.*?)</(?:article|section)>', page, re.S).group(1)
    assert "Đã thêm vào bộ sưu tập (1 đoạn)" in block  # the confirmation, at the result that was added
    assert re.search(r'href="/collection">Bộ sưu tập <span class="count">\(1\)</span>', page)
    assert "Đã có trong bộ sưu tập" in client.get("/search", params={"q": QUERY}).text


def test_add_from_document_page_returns_to_the_paragraph(client, bundled_searcher, three):
    doc_id = bundled_searcher.store.paragraph(three[0]).doc_id
    response = add(client, three[0], f"/documents/{doc_id}")
    parts = urlsplit(response.headers["location"])
    assert (parts.path, parse_qs(parts.query), parts.fragment) == (
        f"/documents/{doc_id}",
        {"added": [three[0]]},
        f"p-{three[0]}",
    )


def test_collection_add_reorder_remove(client, bundled_searcher, three):
    for pid in three:
        add(client, pid)
    add(client, three[0])  # duplicates are ignored
    page = client.get("/collection").text
    assert listed_ids(page) == three
    for pid in three:
        assert bundled_searcher.store.citation(pid).label in page
    post(client, "/collection/move", {"paragraph_id": three[2], "direction": "up"})
    assert listed_ids(client.get("/collection").text) == [three[0], three[2], three[1]]
    post(client, "/collection/move", {"paragraph_id": three[0], "direction": "up"})  # already first
    post(client, "/collection/move", {"paragraph_id": three[0], "direction": "down"})
    assert listed_ids(client.get("/collection").text) == [three[2], three[0], three[1]]
    post(client, "/collection/remove", {"paragraph_id": three[0]})
    assert listed_ids(client.get("/collection").text) == [three[2], three[1]]
    asked = post(client, "/collection/clear", follow_redirects=False)  # first step: only the question
    assert asked.status_code == 303 and asked.headers["location"].startswith("/collection?clear=ask")
    question = client.get("/collection?clear=ask").text
    assert "Xoá hết 2 đoạn" in question and 'name="confirm" value="yes"' in question
    assert listed_ids(client.get("/collection").text) == [three[2], three[1]]
    post(client, "/collection/clear", {"confirm": "yes"})
    assert "Chưa có đoạn nào" in client.get("/collection").text


def test_collection_export_docx_markdown_and_print(client, bundled_searcher, three):
    for pid in three[:2]:
        add(client, pid)
    response = client.get("/collection/export", params={"format": "docx"})
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    text = "\n".join(p.text for p in DocxDocument(io.BytesIO(response.content)).paragraphs)
    for pid in three[:2]:
        assert bundled_searcher.store.paragraph(pid).text in text
        assert bundled_searcher.store.citation(pid).label in text
    markdown = client.get("/collection/export", params={"format": "md"}).text
    assert all(bundled_searcher.store.citation(pid).label in markdown for pid in three[:2])
    printed = client.get("/collection/print").text
    assert all(bundled_searcher.store.citation(pid).label in printed for pid in three[:2])
    assert "Thêm vào bộ sưu tập" not in printed and "<form" not in printed


def test_unknown_and_tampered_ids_are_dropped(client, three):
    add(client, "khong-co-doan-nay")
    assert listed_ids(client.get("/collection").text) == []
    client.cookies.set(collection.COOKIE_NAME, collection.encode([three[1], "gia-mao", three[1], three[0]]))
    assert listed_ids(client.get("/collection").text) == [three[1], three[0]]
    for garbage in ("!!!", "e30", collection.encode({"a": 1}), "A" * 5000):  # e30 = "{}"
        client.cookies.set(collection.COOKIE_NAME, garbage)
        response = client.get("/collection")
        assert response.status_code == 200 and listed_ids(response.text) == []


def test_redirect_never_leaves_the_site(client, three):
    for target in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "/ok\r\nSet-Cookie: x=1",
    ):
        response = add(client, three[0], target)
        assert response.status_code == 303
        parts = urlsplit(response.headers["location"])
        assert (parts.scheme, parts.netloc, parts.path) == ("", "", "/collection")


def test_collection_is_capped(client, bundled_searcher):
    ids = [
        p.paragraph_id
        for d in bundled_searcher.store.documents()
        for p in bundled_searcher.store.paragraphs_of(d.doc_id)
    ]
    held: list[str] = []
    for pid in ids:  # as many as the cookie holds: by count or by the browsers' 4 KB
        grown, fits = collection.add(held, pid)
        if not fits:
            break
        held = grown
    assert (
        0 < len(held) <= collection.MAX_ITEMS and len(collection.encode(held)) <= collection.MAX_COOKIE_CHARS
    )
    client.cookies.set(collection.COOKIE_NAME, collection.encode(held))
    response = add(client, ids[len(held)])
    assert response.headers["location"] == "/collection?full=1"
    page = client.get("/collection?full=1").text
    assert "đã đủ" in page and listed_ids(page) == held
