"""Issue 20 point 8 on the real app, CSRF and cookies: same-origin posts with the page's token, cross-site posts
refused, tokens per session, hostile collection cookies, Secure cookies when configured.

Headers, limits, Host, HEAD, timeouts and the OpenAPI document: tests/test_web_hardening.py.
"""

from __future__ import annotations

import base64
import json

import pytest
from web_safety_helpers import (
    client_fixture,  # noqa: F401 (the `client` fixture)
    make_client,
    page_token,
    some_ids_fixture,  # noqa: F401 (the `some_ids` fixture)
)

from search_app import collection


def held(client) -> list[str]:
    return collection.decode(client.cookies.get(collection.COOKIE_NAME))


def test_same_origin_post_with_the_pages_token_changes_the_collection(client, some_ids):
    token = page_token(client, some_ids[0])
    response = client.post(
        "/collection/add",
        data={"paragraph_id": some_ids[0], "csrf_token": token},
        headers={"origin": "http://testserver"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and held(client) == [some_ids[0]]


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "http://testserver:8001"},  # another port is another origin
        {"origin": "null"},  # sandboxed frames, data: pages
        {"referer": "https://evil.example/page.html"},
    ],
)
def test_cross_site_posts_are_403_and_change_nothing(client, some_ids, headers):
    token = page_token(client, some_ids[0])  # even with a valid token (the attacker cannot read one)
    client.post("/collection/add", data={"paragraph_id": some_ids[1], "csrf_token": token})
    before = held(client)
    assert before == [some_ids[1]]
    for path, data in (
        ("/collection/add", {"paragraph_id": some_ids[0]}),
        ("/collection/remove", {"paragraph_id": some_ids[1]}),
        ("/collection/move", {"paragraph_id": some_ids[1], "direction": "up"}),
        ("/collection/clear", {"confirm": "yes"}),
    ):
        response = client.post(
            path, data={**data, "csrf_token": token}, headers=headers, follow_redirects=False
        )
        assert response.status_code == 403, path
        assert "Yêu cầu bị từ chối" in response.text and "set-cookie" not in {
            k.lower() for k in response.headers if collection.COOKIE_NAME in response.headers.get(k, "")
        }
    assert held(client) == before


def test_token_is_per_session(client, bundled_index_dir, bundled_searcher, data_dir, some_ids):
    other = make_client(bundled_index_dir, bundled_searcher, data_dir)
    other.app.state.csrf_signer = client.app.state.csrf_signer  # same secret, another browser
    stolen = page_token(other, some_ids[0])
    client.get("/")
    response = client.post(
        "/collection/add", data={"paragraph_id": some_ids[0], "csrf_token": stolen}, follow_redirects=False
    )
    assert response.status_code == 403 and held(client) == []
    for bad in ("", "x", "é" * 50, stolen + "x"):
        assert (
            client.post("/collection/add", data={"paragraph_id": some_ids[0], "csrf_token": bad}).status_code
            == 403
        )


def nested(depth: int) -> str:
    return base64.urlsafe_b64encode(("[" * depth + "]" * depth).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cookie",
    [
        nested(2000),  # ~2,667 characters: made json.loads raise RecursionError (500) before
        nested(3),
        base64.urlsafe_b64encode(json.dumps([{"a": ["b"]}]).encode()).decode(),
        base64.urlsafe_b64encode(b'\xff\xfe["x"]').decode(),
        "A" * 100_00,
        "%%%",
    ],
)
def test_hostile_collection_cookies_are_an_empty_collection(client, bundled_searcher, cookie):
    assert collection.decode(cookie) == []
    client.cookies.set(collection.COOKIE_NAME, cookie)
    doc_id = bundled_searcher.store.documents()[0].doc_id
    for path in (
        "/",
        "/search?q=ANTT",
        f"/documents/{doc_id}",
        "/collection",
        "/collection/print",
        "/collection/export?format=docx",
        "/collection/export?format=md",
        "/documents",
    ):
        assert client.get(path).status_code == 200, path


def test_flat_lists_with_brackets_inside_strings_still_decode():
    raw = collection.encode(["a[b]{c}", 'quote"d\\'])
    assert collection.decode(raw) == ["a[b]{c}", 'quote"d\\']


def test_secure_cookies_when_configured(bundled_index_dir, bundled_searcher, data_dir, some_ids):
    for settings in ({"secure_cookies": True}, {"public_base_url": "https://tracuu.example.vn"}):
        client = make_client(
            bundled_index_dir, bundled_searcher, data_dir, base_url="https://testserver", **settings
        )
        first = client.get("/")
        assert "secure" in first.headers["set-cookie"].lower()
        token = client.app.state.csrf_signer.get_signature(client.cookies["tracuu_session"]).decode()
        added = client.post(
            "/collection/add", data={"paragraph_id": some_ids[0], "csrf_token": token}, follow_redirects=False
        )
        assert added.status_code == 303 and "secure" in added.headers["set-cookie"].lower()
    plain = make_client(bundled_index_dir, bundled_searcher, data_dir).get("/")
    assert "secure" not in plain.headers["set-cookie"].lower()
