"""A real browser (Debian's chromium via playwright) against the real server on loopback.

Types a query, checks cited results, follows "Xem trong văn bản" to the highlighted paragraph,
adds two paragraphs to the collection, downloads the .docx and reads it back with python-docx.
Screenshots of the results and document pages go to artifacts/ (gitignored).
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from live_server import free_port, serving

from search_app.app import create_app
from search_app.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
QUERY = "trách nhiệm người đứng đầu"


@pytest.fixture(scope="module")
def server_url(bundled_index_dir, data_dir):
    port = free_port()
    settings = Settings(index_dir=bundled_index_dir, data_dir=data_dir, host="127.0.0.1", port=port)
    with serving(create_app(settings), port, "/api/documents") as url:
        yield url


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
    response = bundled_searcher.search(QUERY, k=10)
    answer_id = response.answer.paragraph_id if response.answer else None
    expected = [r for r in response.results if r.paragraph_id != answer_id]  # the answer is not repeated
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
    assert (
        page.evaluate("document.querySelector(':target') && document.querySelector(':target').id")
        == target_id
    )
    target = page.locator(f"[id='{target_id}']")
    assert " ".join(expected[0].text.split()) in " ".join(target.inner_text().split())
    # it lands below the sticky header and the document bar, which names the document
    bar = page.locator(".doc-bar")
    bar_box = bar.bounding_box()
    assert target.bounding_box()["y"] >= bar_box["y"] + bar_box["height"] - 1 and bar.is_visible()
    assert (expected[0].doc_number or expected[0].doc_title or "")[:20] in bar.inner_text()
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
        "/add-guessed-token": (
            "collection/add",
            {"paragraph_id": pid, "csrf_token": "AAAAAAAAAAAAAAAAAAAAAAAAAAA"},
        ),
    }
    for path, (action, fields) in forms.items():
        inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
        pages[path] = (
            f'<!DOCTYPE html><html><body><form id="f" method="post" action="{server_url}/{action}">'
            f'{inputs}<button type="submit">Nhận quà</button></form></body></html>'
        ).encode()
    context = browser.new_context()
    page = context.new_page()
    page.goto(server_url + "/search?q=" + QUERY)  # the victim has a session and one passage collected
    page.locator("article.result").nth(0).get_by_role("button", name="Thêm vào bộ sưu tập").click()
    page.wait_for_load_state()
    assert "Bộ sưu tập (1)" in page.locator("header.site nav").inner_text()
    for path in forms:
        page.goto(base + path)
        with page.expect_response(
            lambda r: r.url.startswith(server_url) and r.request.method == "POST"
        ) as info:
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
    page.on(
        "request", lambda r: outside.append(r.url) if not r.url.startswith((server_url, "data:")) else None
    )
    page.goto(server_url + "/docs")
    page.wait_for_selector(".opblock-summary", timeout=30_000)
    listed = {" ".join(t.split()) for t in page.locator(".opblock-summary-path").all_inner_texts()}
    assert {"/api/search", "/api/documents", "/api/documents/{doc_id}", "/api/export"} <= {
        t.replace("\u200b", "") for t in listed
    }
    assert "Unable to render" not in page.content()
    assert outside == []  # nothing loaded from a CDN
    page.close()


# Text colour against the first opaque background behind it; WCAG's relative luminance and ratio.
CONTRAST_JS = """() => {
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                     return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const bg = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
                     if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3); } return [255, 255, 255]; };
  const worst = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    if (!own || style.visibility === 'hidden' || el.getClientRects().length === 0) continue;
    const a = lum(rgb(style.color).slice(0, 3)), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) worst.push(el.tagName + '.' + el.className + ' ' + ratio.toFixed(2) + ' ' + el.textContent.trim().slice(0, 30));
  }
  return worst;
}"""
SMALL_TARGETS_JS = """() => [...document.querySelectorAll('button, summary, .pager a, .pager strong, .facets-phone li a, header.site a, .actions a')]
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map(el => [el.textContent.trim().slice(0, 25), el.getBoundingClientRect().height])
  .filter(([, h]) => h < 44)"""


def test_phone_layout_filters_touch_targets_and_collecting_keeps_the_place(
    server_url, browser, bundled_searcher
):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    kl44 = next(d for d in bundled_searcher.store.documents() if d.number == "44-KL/TW")
    for path in (
        "/",
        "/search?q=" + QUERY,
        "/documents",
        f"/documents/{kl44.doc_id}",
        "/collection",
        "/documents/khong-co",
        "/search?q=" + QUERY + "&page=2",
    ):
        page.goto(server_url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
        assert page.evaluate(SMALL_TARGETS_JS) == [], path
        assert page.evaluate(CONTRAST_JS) == [], path

    # the documents table is reflowed: every cell on its own line, the date visible
    page.goto(server_url + "/documents")
    cell = page.locator("table.documents tbody tr").first.locator("td").last
    box = cell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    page.screenshot(path=str(ARTIFACTS / "phone-documents.png"), full_page=True)

    # filters are reachable above the results, in a block that opens without JavaScript
    page.goto(server_url + "/search?q=" + QUERY)
    summary = page.locator("details.facets-phone > summary")
    first_result = page.locator("article.result").first
    assert summary.bounding_box()["y"] < first_result.bounding_box()["y"] < 2000
    summary.click()
    facet = page.locator("details.facets-phone li a").first
    assert facet.is_visible()
    page.screenshot(path=str(ARTIFACTS / "phone-results.png"), full_page=False)

    # adding the third result comes back to that result, confirmed, with the count in the navigation
    third = page.locator("article.result").nth(2)
    third_id = third.get_attribute("id")
    third.scroll_into_view_if_needed()
    third.get_by_role("button", name="Thêm vào bộ sưu tập").click()
    page.wait_for_load_state()
    assert page.url.endswith("#" + third_id)
    landed = page.locator(f"[id='{third_id}']")
    top = landed.bounding_box()["y"]
    assert 0 <= top < 740 and page.evaluate("window.scrollY") > 0  # in view, not back at the top
    uncovered = "(el) => { const r = el.getBoundingClientRect(); const hit = document.elementFromPoint(r.left + 5, r.top + 5); return el.contains(hit); }"
    assert landed.evaluate(uncovered), "a sticky bar covers the result it came back to"
    assert "Đã thêm vào bộ sưu tập" in landed.inner_text()
    assert "Bộ sưu tập (1)" in page.locator("header.site nav").inner_text()

    # "Xem trong văn bản" from the answer: the title bar and the section stay visible above the paragraph
    answer_link = page.locator("section.answer a.view")
    if answer_link.count():
        answer_link.click()
        page.wait_for_load_state()
        target = page.locator(":target")
        bar = page.locator(".doc-bar").bounding_box()
        paragraph = target.bounding_box()
        assert bar["y"] >= 0 and paragraph["y"] >= bar["y"] + bar["height"] - 1 and paragraph["y"] < 740
        cited = bundled_searcher.store.document(page.url.split("/documents/")[1].split("?")[0])
        assert (
            page.locator(".doc-bar")
            .inner_text()
            .startswith(" ".join(x for x in (cited.doc_type, cited.number) if x) or cited.title[:20])
        )
        assert page.locator(".doc-bar").is_visible() and target.locator("mark.answer-text").count() == 1
        if target.locator(".section-label").count():
            assert target.locator(".section-label").bounding_box()["y"] >= bar["y"] + bar["height"] - 1
        page.screenshot(path=str(ARTIFACTS / "phone-document.png"), full_page=False)
    context.close()
