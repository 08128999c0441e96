"""A real browser (Debian's chromium via playwright) against the real server on loopback.

Types a query, checks cited results, follows "Xem trong văn bản" to the highlighted paragraph,
adds two paragraphs to the collection, downloads the .docx and reads it back with python-docx.
Screenshots of the results and document pages go to artifacts/ (gitignored).
"""

from __future__ import annotations

import io
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from docx import Document as DocxDocument

from search_app.app import create_app
from search_app.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
QUERY = "trách nhiệm người đứng đầu"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(bundled_index_dir, data_dir):
    port = free_port()
    settings = Settings(index_dir=bundled_index_dir, data_dir=data_dir, host="127.0.0.1", port=port)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)
    assert httpx.get(url + "/api/documents").status_code == 200
    yield url
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (make browser)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def test_search_read_collect_and_export(server_url, browser, bundled_searcher, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    expected = bundled_searcher.search(QUERY, k=10).results
    page = browser.new_page(viewport={"width": 1100, "height": 900}, accept_downloads=True)

    page.goto(server_url + "/")
    page.fill("input[name=q]", QUERY)
    page.click("form.searchbox button[type=submit]")
    page.wait_for_selector("article.result")
    results = page.locator("article.result")
    assert results.count() == len(expected)
    first_text = results.nth(0).inner_text()
    assert expected[0].citation.label in first_text
    assert results.nth(0).locator("mark").count() > 0
    page.screenshot(path=str(ARTIFACTS / "browser-results.png"), full_page=False)

    # add the second result from the results page
    results.nth(1).get_by_role("button", name="Thêm vào bộ sưu tập").click()
    page.wait_for_load_state()
    assert "Đã có trong bộ sưu tập" in page.locator("article.result").nth(1).inner_text()

    # follow the first result into its document: the paragraph is targeted and highlighted
    page.locator("article.result").nth(0).get_by_role("link", name="Xem trong văn bản").click()
    page.wait_for_load_state()
    target_id = f"p-{expected[0].paragraph_id}"
    assert page.url.endswith(f"/documents/{expected[0].doc_id}#{target_id}")
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == target_id
    target = page.locator(f"[id='{target_id}']")
    assert " ".join(expected[0].text.split()) in " ".join(target.inner_text().split())
    background = target.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent", "rgb(255, 255, 255)")
    page.screenshot(path=str(ARTIFACTS / "browser-document.png"), full_page=False)

    # add the targeted paragraph from the document page
    target.get_by_role("button", name="Thêm vào bộ sưu tập").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"#{target_id}")

    page.goto(server_url + "/collection")
    items = page.locator("ol.collection > li")
    assert items.count() == 2
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải về Word (.docx)").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.suffix == ".docx"
    text = "\n".join(p.text for p in DocxDocument(io.BytesIO(saved.read_bytes())).paragraphs)
    for result in expected[:2]:
        assert result.text in text
        assert result.citation.label in text
    page.screenshot(path=str(ARTIFACTS / "browser-collection.png"), full_page=True)
    page.close()
