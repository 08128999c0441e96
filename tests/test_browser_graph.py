"""A real browser (Debian's chromium via playwright) opens Kết luận 44's relation graph and follows it.

Opens the document page, finds the drawn graph (inline SVG, no JavaScript), follows the "Tiếp tục" edge to
the sentence of Kết luận 44 that states it, then clicks the Chỉ thị 09 node and lands on its page.
A screenshot of the graph goes to artifacts/ (gitignored).
"""

from __future__ import annotations

import pytest
from test_browser import ARTIFACTS, browser, server_url  # noqa: F401 (fixtures; tests/ is on the path)

from index.types import document_url

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_open_graph_and_follow_an_edge(server_url, browser, bundled_searcher):  # noqa: F811
    kl44 = next(d for d in bundled_searcher.store.documents() if d.number == "44-KL/TW")
    ct09 = next(d for d in bundled_searcher.store.documents() if d.number == "09-CT/TW")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server_url + document_url(kl44.doc_id))
    graph = page.locator("section.graph svg")
    graph.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    graph.screenshot(path=str(ARTIFACTS / "graph-ket-luan-44.png"))

    edge = page.locator("section.graph g.edge", has_text="Tiếp tục").first
    edge.locator("text").first.click()
    page.wait_for_url(f"**{document_url(kl44.doc_id)}#p-*")
    anchor = page.url.split("#", 1)[1]
    paragraph = bundled_searcher.store.paragraph(anchor.removeprefix("p-"))
    assert paragraph.doc_id == kl44.doc_id and "09" in paragraph.text

    page.goto(server_url + document_url(kl44.doc_id))
    node = page.locator("section.graph g.node", has_text="09-CT/TW").first
    node.locator("text").first.click()
    page.wait_for_url(f"**{document_url(ct09.doc_id)}")
    assert "09-CT/TW" in page.locator("h1").inner_text()
    page.close()
