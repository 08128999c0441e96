"""Issue 20 point 8 on the real app: headers everywhere, body and id limits, undecodable input, links never
built from Host, HEAD, server timeouts, an OpenAPI that tells the truth, bounded work, bare server errors."""

from __future__ import annotations

import io
import json

import pytest
from docx import Document as DocxDocument
from web_safety_helpers import (
    client_fixture,  # noqa: F401 (the `client` fixture)
    make_client,
    page_token,
    some_ids_fixture,  # noqa: F401 (the `some_ids` fixture)
)

from search_app.settings import Settings


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/static/style.css"),
        ("GET", "/documents/khong-co"),
        ("GET", "/api/documents/khong-co"),
        ("GET", "/api/search"),
        ("GET", "/search?q=" + "a" * 1001),
        ("POST", "/collection/add"),
        ("PUT", "/"),
        ("GET", "/docs/assets/swagger-ui.css"),
    ],
)
def test_security_headers_on_every_response(client, method, path):
    response = client.request(method, path)
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_request_bodies_are_limited_413(bundled_index_dir, bundled_searcher, data_dir, client):
    big = json.dumps({"paragraph_ids": ["x" * 100] * 12_000}).encode()  # ~1.3 MB
    assert len(big) > 1_000_000
    response = client.post("/api/export", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.headers["x-frame-options"] == "DENY"
    form = client.post("/collection/add", data={"paragraph_id": "x" * 1_100_000})
    assert form.status_code == 413
    small = make_client(bundled_index_dir, bundled_searcher, data_dir, max_body_bytes=1000)
    assert small.post("/api/export", json={"paragraph_ids": ["x" * 1500]}).status_code == 413


def test_export_ids_are_limited(client, some_ids, bundled_index_dir, bundled_searcher, data_dir):
    response = client.post("/api/export", json={"paragraph_ids": [some_ids[0]] * 501})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][:2] == [
        "body",
        "paragraph_ids",
    ]
    assert client.post("/api/export", json={"paragraph_ids": [some_ids[0]] * 500}).status_code == 200
    tight = make_client(bundled_index_dir, bundled_searcher, data_dir, max_export_ids=2)
    assert tight.post("/api/export", json={"paragraph_ids": some_ids[:3]}).status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        b'{"paragraph_ids": ["\\ud800"]}',  # a lone surrogate: valid JSON escape, not text
        b'{"paragraph_ids": ["ok\\udfff"], "format": "md"}',
        b'{"paragraph_ids": ["\xff\xfe"]}',  # not UTF-8
        b"\xef\xbb\xbf\xff",
    ],
)
def test_undecodable_input_is_422_with_a_reason(client, body):
    response = client.post("/api/export", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, list) and all(item["msg"] and item["loc"] for item in detail)


def test_422_bodies_do_not_echo_the_input(client):
    huge = "đ" * 300_000
    for response in (
        client.post("/api/export", json={"paragraph_ids": [huge]}),
        client.post("/api/export", json={"paragraph_ids": [1] * 400, "format": huge}),
        client.get("/api/search", params={"q": "x" * 5000}),
        client.post(
            "/api/export", content=b"{" + b"x" * 900_000, headers={"content-type": "application/json"}
        ),
    ):
        assert response.status_code == 422
        assert len(response.content) < 10_000 and "đđđđđđđđđđ" not in response.text


def test_links_never_come_from_the_host_header(
    client, some_ids, bundled_index_dir, bundled_searcher, data_dir
):
    evil = {"host": "evil.example"}
    for fmt in ("md", "docx"):
        body = client.post(
            "/api/export", json={"paragraph_ids": some_ids[:1], "format": fmt}, headers=evil
        ).content
        text = (
            body.decode()
            if fmt == "md"
            else "\n".join(p.text for p in DocxDocument(io.BytesIO(body)).paragraphs)
        )
        assert "evil.example" not in text and "/documents/" in text
    client.post(
        "/collection/add", data={"paragraph_id": some_ids[0], "csrf_token": page_token(client, some_ids[0])}
    )
    for path in ("/collection/print", "/collection", "/search?q=ANTT", "/collection/export?format=md"):
        assert "evil.example" not in client.get(path, headers=evil).text, path
    assert (
        client.get("/documents/", headers=evil, follow_redirects=False).status_code == 404
    )  # no absolute redirect
    public = make_client(
        bundled_index_dir, bundled_searcher, data_dir, public_base_url="https://tracuu.example.vn/"
    )
    document = DocxDocument(
        io.BytesIO(public.post("/api/export", json={"paragraph_ids": some_ids[:1]}, headers=evil).content)
    )
    links = {rel.target_ref for rel in document.part.rels.values() if rel.is_external}
    assert links == {"https://tracuu.example.vn" + bundled_searcher.store.citation(some_ids[0]).url}


def test_public_base_url_must_be_an_http_address():
    with pytest.raises(ValueError):
        Settings(public_base_url="javascript:alert(1)")
    assert Settings(public_base_url="").public_base_url is None


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=ANTT",
        "/documents",
        "/collection",
        "/api/documents",
        "/api/search?q=ANTT",
        "/docs",
        "/openapi.json",
        "/static/style.css",
    ],
)
def test_head_is_answered_for_get_routes(client, path):
    head = client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == client.get(path).headers["content-type"]


def test_uvicorn_drops_slow_and_idle_clients():
    options = Settings().uvicorn_options()
    assert (
        options["timeout_keep_alive"] <= 10
        and options["limit_concurrency"]
        and options["h11_max_incomplete_event_size"]
    )
    import uvicorn

    uvicorn.Config(app=lambda *_: None, **options)  # every option is one uvicorn knows


def test_openapi_declares_every_status_the_api_answers(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"200", "404", "422"} <= set(paths["/api/documents/{doc_id}"]["get"]["responses"])
    assert {"200", "413", "422"} <= set(paths["/api/export"]["post"]["responses"])
    assert {"200", "422"} <= set(paths["/api/search"]["get"]["responses"])
    # the authentication layer answers a bad token (401, 429 past its limit) before any /api/ route runs
    operations = [
        (path, op) for path, ops in paths.items() if path.startswith("/api/") for op in ops.values()
    ]
    assert len(operations) >= 8
    for path, operation in operations:
        assert {"401", "429"} <= set(operation["responses"]), path
    assert "Retry-After" in paths["/api/search"]["get"]["responses"]["429"]["headers"]
    assert paths["/api/me"]["get"]["responses"]["401"]["description"] == "Chưa đăng nhập hoặc mã truy cập sai"
    refused = client.get("/api/search", params={"q": "an ninh"}, headers={"Authorization": "Bearer sai"})
    assert refused.status_code == 401 and isinstance(refused.json()["detail"], str)
    assert refused.headers["www-authenticate"] == "Bearer"
    # the 422 of a hand-made check has the documented list shape, like FastAPI's own
    assert isinstance(client.get("/api/search", params={"q": " "}).json()["detail"], list)
    assert isinstance(client.get("/api/documents/khong-co").json()["detail"], str)


def test_a_1000_character_query_does_bounded_work(bundled_searcher):
    max_query_words = bundled_searcher.config.max_query_words

    long = ("phong trào toàn dân bảo vệ an ninh Tổ quốc " * 40)[:1000]
    response = bundled_searcher.search(long, k=5, max_query_chars=1000)
    assert response.query == long.strip() and response.results  # answered from its first words
    first_words = " ".join(long.split()[:max_query_words])
    assert [r.paragraph_id for r in response.results] == [
        r.paragraph_id for r in bundled_searcher.search(first_words, k=5).results
    ]


def test_server_errors_carry_the_headers_and_no_traceback(bundled_index_dir, bundled_searcher, data_dir):
    client = make_client(bundled_index_dir, bundled_searcher, data_dir)

    @client.app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret detail")

    client.app.middleware_stack = None  # rebuilt with the new route on the next request
    response = client.get("/boom-for-test")
    assert response.status_code == 500 and "secret detail" not in response.text
    assert (
        response.headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in response.headers["content-security-policy"]
    )
