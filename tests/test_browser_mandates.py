"""A real browser (Debian's chromium via playwright) on the mandate pages: from the "Nhiệm vụ" page to one
body's actor page ("Việc của đơn vị"), its tabs, and the .xlsx export of its tasks read back with openpyxl.
Screenshots go to artifacts/ (gitignored). The server and browser fixtures are those of test_browser.py."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.test_browser import ARTIFACTS, browser, server_url  # noqa: F401,F811  (its fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.browser]
ACTOR = "Đảng ủy Công an Trung ương"


def test_actor_page_and_xlsx_export(server_url, browser, bundled_searcher, tmp_path):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1100, "height": 900}, accept_downloads=True)
    page.goto(server_url + "/")
    page.get_by_role("link", name="Nhiệm vụ").click()
    page.wait_for_selector("article.mandate")
    assert page.locator("article.mandate").count() > 5

    page.locator("article.mandate").get_by_role("link", name=ACTOR).first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == f"Việc của đơn vị: {ACTOR}"
    cards = page.locator("article.mandate")
    assert cards.count() >= 2
    texts = " ".join(cards.all_inner_texts())
    assert "Chỉ thị 09-CT/TW" in texts and "Kết luận 44-KL/TW" in texts and "Ban Bí thư" in texts
    page.screenshot(path=str(ARTIFACTS / "browser-actor.png"), full_page=False)

    page.locator("nav.tabs").get_by_role("link", name="Phối hợp").click()
    page.wait_for_load_state()
    assert "tab=phoi-hop" in page.url
    page.go_back()

    with page.expect_download() as download_info:
        page.get_by_role("link", name=".xlsx").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    rows = [
        [c.value for c in row] for row in load_workbook(io.BytesIO(saved.read_bytes())).active.iter_rows()
    ]
    assert rows[1][:3] == ["TT", "Nhiệm vụ", "Chủ trì"]
    assert len(rows) - 2 == cards.count()
    assert all(ACTOR in row[2] for row in rows[2:])
    assert any("09-CT/TW" in row[6] for row in rows[2:]) and any("44-KL/TW" in row[6] for row in rows[2:])
    page.close()
