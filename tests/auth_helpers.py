"""Helpers of the auth tests: an app per test with its own users file and audit log (create_app without its
lifespan: the routes exercised need no index), so rate-limit counters and audit lines never leak between tests."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from search_app.audit import AuditLog
from search_app.auth import LOGIN_COOKIE
from search_app.cli import app as cli_app
from search_app.settings import Settings

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
