"""Users, tokens, login, logout, the audit log and the failed-login limits, on the real app.

The app is made per test with its own users file and audit log (create_app without its lifespan: the
routes exercised here need no index), so rate-limit counters and audit lines never leak between tests.
"""

from __future__ import annotations

import json
import re
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from index.access import ANONYMOUS, Audience
from search_app.audit import AuditLog, record_view
from search_app.auth import LOGIN_COOKIE, SESSION_EXPIRED
from search_app.cli import app as cli_app
from search_app.settings import Settings
from search_app.users import UserStore

PASSWORD = "mật khẩu đủ dài 2026"
runner = CliRunner()


def make_client(tmp_path, base_url: str = "http://testserver", **settings) -> TestClient:
    from search_app.app import create_app

    values = {"index_dir": tmp_path / "index", "users_file": tmp_path / "users.json", **settings}
    return TestClient(create_app(Settings(**values)), base_url=base_url, follow_redirects=False)


def set_login_cookie(client: TestClient, value: str) -> None:
    """Replace whatever login cookie the client holds with `value` (a copied or forged one)."""
    for cookie in [c for c in client.cookies.jar if c.name == LOGIN_COOKIE]:
        client.cookies.jar.clear(cookie.domain, cookie.path, cookie.name)
    client.cookies.set(LOGIN_COOKIE, value, domain="testserver.local")


def add_user(client: TestClient, name: str, *groups: str, password: str = PASSWORD):
    return client.app.state.user_store.add_user(name, password, list(groups or ("van-phong",)))


def form_token(client: TestClient, path: str = "/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def login(client: TestClient, name: str, password: str = PASSWORD, next_page: str = "/"):
    data = {"username": name, "password": password, "next": next_page, "csrf_token": form_token(client)}
    return client.post("/login", data=data)


def audit(client: TestClient) -> list[dict]:
    return AuditLog(client.app.state.audit.path).entries()


def cli(*args: str, input: str | None = None):
    return runner.invoke(cli_app, list(args), input=input)


# -- the command line ------------------------------------------------------------------------------------


def test_users_cli_add_list_remove_and_tokens(tmp_path):
    users = str(tmp_path / "users.json")
    added = cli("users", "add", "nguyen.an", "--group", "ban-tuyen-giao", "-g", "van-phong",
                "--password-stdin", "--users-file", users, input=PASSWORD + "\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    raw = (tmp_path / "users.json").read_text(encoding="utf-8")
    assert PASSWORD not in raw and "$argon2id$" in raw and json.loads(raw)["version"] == 1
    assert stat.S_IMODE((tmp_path / "users.json").stat().st_mode) == 0o600

    duplicate = cli(
        "users", "add", "nguyen.an", "-g", "x", "--password-stdin", "--users-file", users, input="x\n"
    )
    assert duplicate.exit_code == 2 and "đã có" in duplicate.output
    empty = cli("users", "add", "tran.binh", "-g", "x", "--password-stdin", "--users-file", users, input="\n")
    assert empty.exit_code == 2 and "mật khẩu không được để trống" in empty.output
    no_group = cli("users", "add", "tran.binh", "--password-stdin", "--users-file", users, input="pw\n")
    assert no_group.exit_code == 2 and "ít nhất một nhóm" in no_group.output
    assert cli("users", "remove", "khong.co", "--users-file", users).exit_code == 2

    listed = cli("users", "list", "--users-file", users)
    assert (
        listed.exit_code == 0
        and "nguyen.an" in listed.output
        and "ban-tuyen-giao, van-phong" in listed.output
    )
    assert "tran.binh" not in listed.output

    created = cli("tokens", "create", "--user", "nguyen.an", "--label", "báo cáo", "--users-file", users)
    assert created.exit_code == 0
    token = created.stdout.splitlines()[0]
    assert len(token) >= 43 and token not in (tmp_path / "users.json").read_text(encoding="utf-8")
    assert UserStore(tmp_path / "users.json").token_user(token).name == "nguyen.an"
    tokens = cli("tokens", "list", "--users-file", users)
    assert token[:8] in tokens.output and "báo cáo" in tokens.output and token not in tokens.output
    assert cli("tokens", "create", "--user", "khong.co", "--users-file", users).exit_code == 2
    assert cli("tokens", "revoke", "zz", "--users-file", users).exit_code == 2  # too short to name one
    assert cli("tokens", "revoke", token[:6], "--users-file", users).exit_code == 0
    assert UserStore(tmp_path / "users.json").token_user(token) is None

    second = cli("tokens", "create", "--user", "nguyen.an", "--users-file", users).stdout.splitlines()[0]
    removed = cli("users", "remove", "nguyen.an", "--users-file", users)
    assert removed.exit_code == 0 and "1 mã truy cập" in removed.output
    store = UserStore(tmp_path / "users.json")
    assert store.users() == [] and store.token_user(second) is None


def test_users_add_asks_for_the_password_twice(tmp_path, monkeypatch):
    import getpass

    users = str(tmp_path / "users.json")
    typed = iter(["một mật khẩu", "mật khẩu khác", PASSWORD, PASSWORD])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    mismatch = cli("users", "add", "nguyen.an", "-g", "van-phong", "--users-file", users)
    assert mismatch.exit_code == 2 and "không khớp" in mismatch.output
    assert cli("users", "add", "nguyen.an", "-g", "van-phong", "--users-file", users).exit_code == 0
    assert UserStore(tmp_path / "users.json").authenticate("nguyen.an", PASSWORD).name == "nguyen.an"


def test_users_file_defaults_beside_the_index_and_never_inside(tmp_path):
    settings = Settings(index_dir=tmp_path / "idx")
    assert settings.users_path == tmp_path / "tracuu-users.json"
    assert settings.audit_path == tmp_path / "tracuu-audit.jsonl"
    with pytest.raises(ValueError, match="inside the index"):
        Settings(index_dir=tmp_path / "idx", users_file=tmp_path / "idx" / "users.json")


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
