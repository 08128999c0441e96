"""Issue 20 point 1 on the bundled index, in JSON and HTML: counts and pages cover paragraphs that match;
an off-topic query says so; each facet count is what choosing it gives, under the other filters; a
combination with no result shows 0 and is no link."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from search_app.app import create_app
from search_app.deps import get_searcher
from search_app.settings import Settings

QUERY = "trách nhiệm người đứng đầu"
FILTER_KEYS = {"type": "type", "issuer": "issuer", "year": "year"}


@pytest.fixture(scope="module")
def client(bundled_index_dir, bundled_searcher, data_dir):
    app = create_app(Settings(index_dir=bundled_index_dir, data_dir=data_dir))
    app.dependency_overrides[get_searcher] = lambda: bundled_searcher
    return TestClient(app)


@pytest.mark.parametrize(
    "query", ["giá vàng hôm nay", "<script>alert(1)</script>", "công thức nấu phở", "gia vang hom nay"]
)
def test_off_topic_queries_say_so(client, query):
    body = client.get("/api/search", params={"q": query}).json()
    assert body["total"] <= 3 and len(body["results"]) <= 3 and body["answer"] is None
    page = client.get("/search", params={"q": query}).text
    if body["total"] == 0:
        assert "Không có đoạn văn nào chứa từ khoá hoặc đủ gần nghĩa" in page and "trang 1/" not in page


def test_counts_are_smaller_than_the_corpus_and_pages_follow(client, bundled_searcher):
    body = client.get("/api/search", params={"q": QUERY, "k": 10}).json()
    corpus = sum(
        len(bundled_searcher.store.paragraphs_of(d.doc_id)) for d in bundled_searcher.store.documents()
    )
    assert 10 < body["total"] < corpus
    last = -(-body["total"] // 10)
    tail = client.get("/api/search", params={"q": QUERY, "k": 10, "offset": (last - 1) * 10}).json()
    assert 0 < len(tail["results"]) <= 10
    assert (
        client.get("/api/search", params={"q": QUERY, "k": 10, "offset": last * 10}).json()["results"] == []
    )
    assert (
        f"{body['total']} đoạn văn phù hợp · trang 1/{last}"
        in client.get("/search", params={"q": QUERY}).text
    )


def test_each_facet_count_is_what_choosing_it_gives(client):
    body = client.get("/api/search", params={"q": QUERY}).json()
    chosen_type = next(iter(body["facets"]["type"]))
    for name, counts in body["facets"].items():
        for value, count in counts.items():
            assert (
                client.get("/api/search", params={"q": QUERY, FILTER_KEYS[name]: value}).json()["total"]
                == count
            )
    # under a chosen type, issuer and year are recounted; the type facet keeps every type
    typed = client.get("/api/search", params={"q": QUERY, "type": chosen_type}).json()
    assert typed["facets"]["type"] == body["facets"]["type"]
    for name in ("issuer", "year"):
        for value, count in typed["facets"][name].items():
            both = client.get(
                "/api/search", params={"q": QUERY, "type": chosen_type, FILTER_KEYS[name]: value}
            ).json()
            assert both["total"] == count


def test_zero_combinations_are_shown_as_0_without_a_link(client):
    body = client.get("/api/search", params={"q": QUERY, "type": "Kết luận"}).json()
    zero = [(name, v) for name in ("issuer", "year") for v, c in body["facets"][name].items() if c == 0]
    assert zero, "Kết luận comes from one issuer and one year: the others count 0 under it"
    page = client.get("/search", params={"q": QUERY, "type": "Kết luận"}).text
    aside = re.search(r'<aside class="facets".*?</aside>', page, flags=re.S).group(0)
    for _, value in zero:
        assert f'<li class="empty">{html.escape(value, quote=False)} (0)</li>' in aside
        assert f">{html.escape(value, quote=False)}</a>" not in aside
    # and the sidebar's count for the chosen type is the page's own total
    assert (
        f"<strong>Kết luận</strong> ({body['total']})" in aside
        and f"{body['total']} đoạn văn phù hợp" in page
    )
