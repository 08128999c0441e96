"""What each audience sees on the access-control index (tests/access_fixtures.py): a group member, another group,
anonymous callers (counts and facets); and a corpus without restricted documents ranks as before."""

from __future__ import annotations

from access_fixtures import (
    GROUP_ID,
    INTERNAL,
    MEMBER,
    OTHER_GROUP,
    PUBLIC_ID,
    QUERIES,
    app_fixture,  # noqa: F401 (the `app` fixture)
    client_for,
    searcher_fixture,  # noqa: F401 (the `searcher` fixture)
)

from index.access import ANONYMOUS, OPERATOR


def test_group_member_sees_the_group_letter_and_the_internal_plan(app, searcher):
    client = client_for(app, MEMBER)
    for doc_id, word, scope in (
        (GROUP_ID, "hoắcdrin", "Chỉ thành viên nhóm: dang-uy"),
        (INTERNAL["id"], "ôliphăng", "Lưu hành nội bộ"),
    ):
        page = client.get(f"/documents/{doc_id}")
        assert page.status_code == 200 and word in page.text and scope in page.text
        assert client.get(f"/api/documents/{doc_id}").json()["doc_id"] == doc_id
        assert client.get(f"/api/documents/{doc_id}/graph").status_code == 200
        found = client.get("/api/search", params={"q": QUERIES[doc_id][0]}).json()
        assert doc_id in {r["doc_id"] for r in found["results"]} and found["total"] >= 1
        assert client.get("/api/mandates", params={"doc_id": doc_id}).json()["total"] >= 1
    assert {d["doc_id"] for d in client.get("/api/documents").json()} == {PUBLIC_ID, INTERNAL["id"], GROUP_ID}
    relations = client.get("/api/search", params={"q": "văn bản nào căn cứ Kế hoạch 31-KH/TU"}).json()
    assert GROUP_ID in {r["from_doc_id"] for r in relations["relations"]}
    incoming = {r["doc_id"] for r in client.get(f"/api/documents/{PUBLIC_ID}").json()["referenced_by"]}
    assert incoming == {INTERNAL["id"], GROUP_ID}
    nodes = {n["doc_id"] for n in client.get(f"/api/documents/{PUBLIC_ID}/graph").json()["nodes"]}
    assert {INTERNAL["id"], GROUP_ID} <= nodes


def test_other_group_sees_the_internal_plan_only(app, searcher):
    client = client_for(app, OTHER_GROUP)
    assert client.get(f"/documents/{INTERNAL['id']}").status_code == 200
    assert client.get(f"/documents/{GROUP_ID}").status_code == 404
    found = client.get("/api/search", params={"q": "quỳxoanh"}).json()
    assert INTERNAL["id"] in {r["doc_id"] for r in found["results"]}
    assert {d["doc_id"] for d in client.get("/api/documents").json()} == {PUBLIC_ID, INTERNAL["id"]}
    nodes = {n["doc_id"] for n in client.get(f"/api/documents/{PUBLIC_ID}/graph").json()["nodes"]}
    assert INTERNAL["id"] in nodes and GROUP_ID not in nodes


def test_public_only_search_is_unchanged_for_anonymous_callers(bundled_searcher):
    """A corpus without restricted documents costs nothing and ranks as before (no mask at all)."""
    assert (
        bundled_searcher.store.access_mask(ANONYMOUS) is None
        and bundled_searcher.store.readable_ids(ANONYMOUS) is None
    )
    query = "trách nhiệm người đứng đầu"
    anonymous = bundled_searcher.search(query, k=10, audience=ANONYMOUS).model_dump()
    assert anonymous == bundled_searcher.search(query, k=10, audience=OPERATOR).model_dump()


def test_anonymous_search_counts_and_facets_within_public_documents(searcher):
    query = "tuyên truyền phòng, chống tham nhũng, tiêu cực trách nhiệm của người đứng đầu"
    everything = searcher.search(query, k=10, audience=OPERATOR)
    public = searcher.search(query, k=10, audience=ANONYMOUS)
    assert INTERNAL["id"] in {r.doc_id for r in everything.results} | {
        a.doc_id for r in everything.results for a in r.also_in
    }
    assert {r.doc_id for r in public.results} == {PUBLIC_ID}
    assert all(not r.also_in for r in public.results)  # the copy in the internal plan is not named
    assert public.total < everything.total
    assert INTERNAL["issuer"] in everything.facets["issuer"]
    assert INTERNAL["issuer"] not in public.facets["issuer"]
