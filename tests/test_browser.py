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
    assert "Đã thêm vào bộ sưu tập" in page.locator("article.result").nth(1).inner_text()

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


@pytest.fixture()
def attacker_url():
    """A page on another origin (another loopback port): the cross-site attacker of issue 20."""
    import http.server

    pages: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            body = pages.get(self.path.split("?")[0], b"not found")
            self.send_response(200 if self.path.split("?")[0] in pages else 404)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pages
    server.shutdown()


def test_cross_origin_posts_to_the_collection_get_403(server_url, browser, bundled_searcher, attacker_url):
    base, pages = attacker_url
    pid = bundled_searcher.search(QUERY, k=2).results[1].paragraph_id  # not the one the victim collects
    forms = {
        "/add": ("collection/add", {"paragraph_id": pid, "next": "/collection"}),
        "/clear": ("collection/clear", {"confirm": "yes"}),
        "/add-guessed-token": ("collection/add", {"paragraph_id": pid, "csrf_token": "AAAAAAAAAAAAAAAAAAAAAAAAAAA"}),
    }
    for path, (action, fields) in forms.items():
        inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
        pages[path] = (f'<!DOCTYPE html><html><body><form id="f" method="post" action="{server_url}/{action}">'
                       f'{inputs}<button type="submit">Nhận quà</button></form></body></html>').encode()
    context = browser.new_context()
    page = context.new_page()
    page.goto(server_url + "/search?q=" + QUERY)  # the victim has a session and one passage collected
    page.locator("article.result").nth(0).get_by_role("button", name="Thêm vào bộ sưu tập").click()
    page.wait_for_load_state()
    assert "Bộ sưu tập (1)" in page.locator("header.site nav").inner_text()
    for path in forms:
        page.goto(base + path)
        with page.expect_response(lambda r: r.url.startswith(server_url) and r.request.method == "POST") as info:
            page.click("button[type=submit]")
        assert info.value.status == 403, path
        page.wait_for_load_state()
        assert "Yêu cầu bị từ chối" in page.content()
    page.goto(server_url + "/collection")
    assert page.locator("ol.collection > li").count() == 1  # unchanged: nothing added, nothing cleared
    context.close()


def test_api_docs_render_the_openapi_31_document_offline(server_url, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((server_url, "data:")) else None)
    page.goto(server_url + "/docs")
    page.wait_for_selector(".opblock-summary", timeout=30_000)
    listed = {" ".join(t.split()) for t in page.locator(".opblock-summary-path").all_inner_texts()}
    assert {"/api/search", "/api/documents", "/api/documents/{doc_id}", "/api/export"} <= {
        t.replace("\u200b", "") for t in listed}
    assert "Unable to render" not in page.content()
    assert outside == []  # nothing loaded from a CDN
    page.close()
