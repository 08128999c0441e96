"""What sign-in refuses, on the real app: the sixth failed login of an account, guesses per address, failed
tokens, anonymous callers when login is required, a `next` that is not a local path, a broken users file."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

from auth_helpers import add_user, audit, cli, form_token, login, make_client

from search_app.auth import LOGIN_COOKIE

# -- brute force -----------------------------------------------------------------------------------------


def test_sixth_failed_login_of_an_account_is_429_even_with_the_right_password(tmp_path):
    client = make_client(tmp_path)
    add_user(client, "nguyen.an")
    add_user(client, "tran.binh")
    for _ in range(5):
        assert login(client, "nguyen.an", "đoán sai").status_code == 401
    store = client.app.state.user_store
    checked = []
    real = store.authenticate
    store.authenticate = lambda *a: checked.append(a) or real(*a)
    limited = login(client, "nguyen.an")
    assert limited.status_code == 429 and checked == []  # the password was not even checked
    assert int(limited.headers["retry-after"]) > 800 and "Quá nhiều lần" in limited.text
    assert LOGIN_COOKIE not in client.cookies
    assert login(client, "NGUYEN.AN", "đoán sai").status_code == 429  # same account whatever the case
    assert login(client, "tran.binh").status_code == 303  # another account from the same address
    assert [e["event"] for e in audit(client)].count("login_limited") == 2


def test_guesses_sent_at_once_still_meet_the_account_limit(tmp_path):
    client = make_client(tmp_path)
    add_user(client, "nguyen.an")
    data = {"username": "nguyen.an", "password": "đoán", "csrf_token": form_token(client)}
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = sorted(pool.map(lambda _: client.post("/login", data=data).status_code, range(10)))
    assert statuses == [401] * 5 + [429] * 5


def test_failed_logins_are_limited_per_address_across_accounts(tmp_path):
    client = make_client(tmp_path, login_limit_address="4 per 15 minutes")
    add_user(client, "nguyen.an")
    for name in ("a1", "a2", "a3", "a4"):
        assert login(client, name, "đoán").status_code == 401
    limited = login(client, "nguyen.an")
    assert limited.status_code == 429 and "retry-after" in limited.headers


def test_failed_tokens_are_limited_per_address(tmp_path):
    client = make_client(tmp_path, token_limit_address="3 per 15 minutes")
    add_user(client, "may.bao.cao")
    token = client.app.state.user_store.create_token("may.bao.cao")
    for n in range(3):
        assert client.get("/api/me", headers={"Authorization": f"Bearer sai-{n}"}).status_code == 401
    limited = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert "Quá nhiều lần" in limited.json()["detail"]


# -- login required, redirects --------------------------------------------------------------------------


def test_require_login_redirects_pages_and_refuses_the_api(tmp_path):
    client = make_client(tmp_path, require_login=True)
    add_user(client, "nguyen.an")
    page = client.get("/search?q=k%E1%BA%BF+ho%E1%BA%A1ch")
    assert page.status_code == 303
    target = urlsplit(page.headers["location"])
    assert target.path == "/login" and parse_qs(target.query)["next"] == [
        "/search?q=k%E1%BA%BF+ho%E1%BA%A1ch"
    ]
    for path in ("/api/search?q=x", "/api/documents", "/api/me"):
        refused = client.get(path)
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        assert "Cần đăng nhập" in refused.json()["detail"] or "Chưa đăng nhập" in refused.json()["detail"]
    assert client.get("/documents").status_code == 303 and client.get("/docs").status_code == 303
    assert client.get("/login").status_code == 200 and client.get("/static/style.css").status_code == 200
    assert login(client, "nguyen.an", next_page="/").headers["location"] == "/"
    assert client.get("/").status_code == 200 and client.get("/api/me").status_code == 200


def test_next_is_a_local_path_only(tmp_path):
    client = make_client(tmp_path)
    add_user(client, "nguyen.an")
    for evil in (
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/login?next=//evil.example",
    ):
        page = client.get("/login", params={"next": evil}).text
        assert 'name="next" value="/"' in page
        assert login(client, "nguyen.an", next_page=evil).headers["location"] == "/"
        client.cookies.delete(LOGIN_COOKIE)
    assert (
        login(client, "nguyen.an", next_page="/mandates?actor=x").headers["location"] == "/mandates?actor=x"
    )


def test_a_broken_users_file_refuses_logins_without_a_500(tmp_path):
    client = make_client(tmp_path)
    add_user(client, "nguyen.an")
    token = client.app.state.user_store.create_token("nguyen.an")
    wrong_shape = json.dumps({"format": "tracuu-users", "version": 1, "users": [], "tokens": {}})
    for broken in ("{not json", wrong_shape):
        (tmp_path / "users.json").write_text(broken, encoding="utf-8")
        response = login(client, "nguyen.an")
        assert response.status_code == 503 and "người quản trị" in response.text
        assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
        assert client.get("/").status_code == 200
    listed = cli("users", "list", "--users-file", str(tmp_path / "users.json"))
    assert listed.exit_code == 2 and "sai cấu trúc" in listed.output
    # a users file whose folder is a file: nobody can sign in, nothing answers 500
    inside_a_file = make_client(tmp_path, users_file=tmp_path / "users.json" / "users.json")
    assert login(inside_a_file, "nguyen.an").status_code == 503
    assert inside_a_file.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert inside_a_file.get("/").status_code == 200
