"""Users, tokens, login, logout and the audit log, on the real app (an app per test: tests/auth_helpers.py).

The command line: tests/test_auth_cli.py; failed-login limits, login required, redirects and a broken users
file: tests/test_auth_refusals.py.
"""

from __future__ import annotations

import re
import stat
import time
from types import SimpleNamespace

from argon2 import PasswordHasher
from auth_helpers import PASSWORD, add_user, audit, cli, form_token, login, make_client, set_login_cookie

from index.access import ANONYMOUS, Audience
from search_app.audit import record_view
from search_app.auth import LOGIN_COOKIE, SESSION_EXPIRED
from search_app.users import UserStore

# -- login, cookies, tokens -----------------------------------------------------------------------------


def test_login_sets_a_protected_cookie_and_me_answers(tmp_path):
    client = make_client(tmp_path)
    add_user(client, "nguyen.an", "ban-tuyen-giao", "van-phong")
    assert client.get("/api/me").status_code == 401
    # anonymous header: a login link that comes back to this page, its query included
    link = re.search(r'href="(/login\?next=[^"]+)"', client.get("/?x=%C3%AA&1").text).group(1)
    assert 'name="next" value="/?x=%C3%AA&amp;1"' in client.get(link).text
    response = login(client, "nguyen.an", next_page="/documents?page=2")
    assert response.status_code == 303 and response.headers["location"] == "/documents?page=2"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(LOGIN_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Max-Age=28800" in cookie  # 8 hours
    me = client.get("/api/me")
    assert me.status_code == 200 and me.json() == {
        "user": "nguyen.an",
        "groups": ["ban-tuyen-giao", "van-phong"],
    }
    page = client.get("/").text
    assert (
        '<span class="user">nguyen.an</span>' in page and 'action="/logout"' in page and "Đăng xuất" in page
    )


def test_cookie_is_secure_under_an_https_public_address(tmp_path):
    # the session cookie is Secure too, so the browser must be on https to keep it
    client = make_client(tmp_path, base_url="https://testserver", public_base_url="https://tracuu.example.vn")
    add_user(client, "nguyen.an")
    response = login(client, "nguyen.an")
    assert response.status_code == 303
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(LOGIN_COOKIE + "="))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_wrong_password_and_unknown_user_get_the_same_401(tmp_path):
    client = make_client(tmp_path)
    add_user(client, "nguyen.an")
    verified = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash, password):
            verified.append(hash)
            return super().verify(hash, password)

    client.app.state.user_store.hasher = CountingHasher()
    wrong = login(client, "nguyen.an", "sai mật khẩu")
    unknown = login(client, "khong.co", "sai mật khẩu")
    # an unknown name costs one Argon2 check too (no timing difference tells which names exist)
    assert len(verified) == 2 and verified[1] == client.app.state.user_store.decoy_hash()
    assert wrong.status_code == unknown.status_code == 401
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert message in wrong.text and message in unknown.text
    assert LOGIN_COOKIE not in client.cookies and client.get("/api/me").status_code == 401
    # the login form needs the CSRF token like every other form
    assert client.post("/login", data={"username": "nguyen.an", "password": PASSWORD}).status_code == 403


def test_bearer_token_acts_as_its_user_and_a_wrong_one_is_401(tmp_path):
    client = make_client(tmp_path)
    add_user(client, "may.bao.cao", "thong-ke")
    token = client.app.state.user_store.create_token("may.bao.cao", "báo cáo tuần")
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json() == {"user": "may.bao.cao", "groups": ["thong-ke"]}
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "", "x" * 43):
        refused = client.get("/api/me", headers={"Authorization": f"Bearer {bad}"})
        assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
        assert refused.json() == {"detail": "Mã truy cập (token) không hợp lệ hoặc đã bị thu hồi."}
    assert client.get("/", headers={"Authorization": "Bearer nope"}).status_code == 401  # pages too


def test_forged_and_expired_cookies_are_anonymous_with_a_notice(tmp_path, monkeypatch):
    client = make_client(tmp_path)
    user = add_user(client, "nguyen.an")
    cookies = client.app.state.login_cookies
    other_key = type(cookies)("another secret", client.app.state.settings)
    now = time.time()
    with monkeypatch.context() as m:  # issued nine hours ago: past the 8-hour max age
        m.setattr(time, "time", lambda: now - 9 * 3600)
        expired = cookies.issue(user)
    for value in ("garbage", cookies.issue(user) + "x", other_key.issue(user), expired, "a" * 3000):
        set_login_cookie(client, value)
        response = client.get("/")
        assert response.status_code == 200, value
        assert SESSION_EXPIRED in response.text and 'href="/login?next=/"' in response.text
        cleared = [c for c in response.headers.get_list("set-cookie") if c.startswith(LOGIN_COOKIE + "=;")]
        assert cleared and "Max-Age=0" in cleared[0]
        set_login_cookie(client, value)
        assert client.get("/api/me").status_code == 401
        client.cookies.clear()
    set_login_cookie(client, cookies.issue(user))
    assert client.get("/api/me").status_code == 200
    # signing in again while the browser still sends the stale cookie
    data = {"username": "nguyen.an", "password": PASSWORD, "csrf_token": form_token(client)}
    set_login_cookie(client, expired)
    relogin = client.post("/login", data=data)
    assert relogin.status_code == 303
    # browsers apply Set-Cookie headers in order: a clearing one after the new cookie would sign out
    sets = [c for c in relogin.headers.get_list("set-cookie") if c.startswith(LOGIN_COOKIE + "=")]
    assert len(sets) == 1 and "Max-Age=28800" in sets[0]
    assert client.get("/api/me").status_code == 200


def test_removed_user_loses_cookie_and_token_at_once(tmp_path):
    client = make_client(tmp_path)
    add_user(client, "nguyen.an")
    token = client.app.state.user_store.create_token("nguyen.an")
    assert login(client, "nguyen.an").status_code == 303
    assert client.get("/api/me").status_code == 200
    # another process (the CLI) edits the file; the server re-reads it when its mtime changes
    assert cli("users", "remove", "nguyen.an", "--users-file", str(tmp_path / "users.json")).exit_code == 0
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # the same name added again does not revive the old cookie (session versions never repeat)
    store = UserStore(tmp_path / "users.json")
    old_cookie = client.app.state.login_cookies.issue(SimpleNamespace(name="nguyen.an", session_version=1))
    store.add_user("nguyen.an", PASSWORD, ["van-phong"])
    set_login_cookie(client, old_cookie)
    assert client.get("/api/me").status_code == 401


def test_logout_and_password_change_end_the_session(tmp_path):
    client = make_client(tmp_path)
    add_user(client, "nguyen.an")
    login(client, "nguyen.an")
    kept = client.cookies[LOGIN_COOKIE]
    out = client.post("/logout", data={"csrf_token": form_token(client, "/")})
    assert out.status_code == 303 and out.headers["location"] == "/"
    set_login_cookie(client, kept)  # a copy of the cookie kept from before the logout
    assert client.get("/api/me").status_code == 401
    login(client, "nguyen.an")
    kept = client.cookies[LOGIN_COOKIE]
    changed = cli("users", "passwd", "nguyen.an", "--password-stdin", "--users-file", str(tmp_path / "users.json"),
                  input="mật khẩu mới 2027\n")  # fmt: skip
    assert changed.exit_code == 0
    set_login_cookie(client, kept)
    assert client.get("/api/me").status_code == 401
    assert login(client, "nguyen.an").status_code == 401
    assert login(client, "nguyen.an", "mật khẩu mới 2027").status_code == 303


def test_weak_hash_is_replaced_at_login(tmp_path):
    client = make_client(tmp_path)
    store = client.app.state.user_store
    weak = UserStore(store.path, hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))
    weak.add_user("nguyen.an", PASSWORD, ["van-phong"])
    assert "m=8192" in store.data()["users"]["nguyen.an"]["password_hash"]
    assert login(client, "nguyen.an").status_code == 303
    assert not store.hasher.check_needs_rehash(store.data()["users"]["nguyen.an"]["password_hash"])


def test_audit_log_records_logins_failures_and_tokens(tmp_path):
    client = make_client(tmp_path)
    add_user(client, "nguyen.an")
    login(client, "nguyen.an", "sai")
    login(client, "nguyen.an")
    client.get("/api/me", headers={"Authorization": "Bearer khong-hop-le"})
    client.post("/logout", data={"csrf_token": form_token(client, "/")})
    entries = audit(client)
    assert [e["event"] for e in entries] == ["login_failed", "login", "token_failed", "logout"]
    for entry in entries:
        assert set(entry) == {"time", "event", "user", "address", "path", "detail"}
        assert entry["time"].endswith("+00:00") and entry["address"] == "testclient"
    assert entries[0]["user"] == entries[1]["user"] == entries[3]["user"] == "nguyen.an"
    assert entries[0]["path"] == "/login" and entries[2]["path"] == "/api/me"
    assert stat.S_IMODE(client.app.state.audit.path.stat().st_mode) == 0o600


def test_record_view_logs_non_public_documents_only(tmp_path):
    client = make_client(tmp_path)
    request = SimpleNamespace(
        app=client.app, client=SimpleNamespace(host="10.0.0.7"), url=SimpleNamespace(path="/documents/kh-1")
    )
    reader = Audience.member("nguyen.an", ["ban-tuyen-giao"])
    assert record_view(request, reader, SimpleNamespace(doc_id="cong-khai", access="public")) is None
    record_view(request, reader, SimpleNamespace(doc_id="kh-1", access="internal"))
    record_view(request, ANONYMOUS, SimpleNamespace(doc_id="kh-2", access=["ban-tuyen-giao"]))
    entries = audit(client)
    assert [(e["event"], e["user"], e["detail"]) for e in entries] == [
        ("view", "nguyen.an", {"doc_id": "kh-1", "access": "internal"}),
        ("view", None, {"doc_id": "kh-2", "access": ["ban-tuyen-giao"]}),
    ]
    assert entries[0]["address"] == "10.0.0.7" and entries[0]["path"] == "/documents/kh-1"
