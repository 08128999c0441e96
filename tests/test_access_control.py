"""Access control end to end on a small real index (tests/access_fixtures.py): a public plan, an internal plan
and a group-only letter, each non-public text holding unique words.

A sweep discovers every GET route of the app (`app.routes`; a new route is swept without being listed here),
fills its path parameters with the ids of each document, adds query parameters, and asserts that no body
(HTML, JSON, SVG, .docx/.xlsx/.csv) names what the caller may not read: its unique words, doc id, paragraph
ids, number or issuer, facets and totals included. Then the same queries that find a forbidden document
(its unique word, number, short number, title words, tone-less forms, relation and task questions) over
every route that takes `q`. A forbidden document answers exactly the 404 of an unknown one. What each
audience does see: tests/test_access_audiences.py.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from urllib.parse import quote, unquote_plus

import pytest
from access_fixtures import (
    GROUP_ID,
    INTERNAL,
    OTHER_GROUP,
    PUBLIC_ID,
    QUERIES,
    app_fixture,  # noqa: F401 (the `app` fixture)
    client_for,
    fold,
    searcher_fixture,  # noqa: F401 (the `searcher` fixture)
)

from index.access import ANONYMOUS, OPERATOR, Audience
from search_app import collection


@pytest.fixture(scope="module")
def markers(searcher) -> dict[str, list[str]]:
    """What names each non-public document (folded): unique words, its id, paragraph ids, number, issuer."""
    internal = [
        "quyxoanh",
        "oliphang",
        INTERNAL["id"],
        "4711-kh/tu",
        "ban co yeu",
        *(p.paragraph_id for p in searcher.store.paragraphs_of(INTERNAL["id"])),
    ]
    group = [
        "matnguu",
        "hoacdrin",
        GROUP_ID,
        "5822-cv",
        *(p.paragraph_id for p in searcher.store.paragraphs_of(GROUP_ID)),
    ]
    return {INTERNAL["id"]: [fold(m) for m in internal], GROUP_ID: [fold(m) for m in group]}


def test_the_fixture_exercises_what_the_sweep_checks(searcher):
    """Without these the sweep could not fail: the operator finds each document by its queries, its mandates,
    its relation to the public plan and the near-duplicate paragraph."""
    for doc_id, queries in QUERIES.items():
        found = searcher.search(queries[0], k=10, audience=OPERATOR)
        assert doc_id in {r.doc_id for r in found.results}
    assert "II" in {p.section for p in searcher.store.paragraphs_of(INTERNAL["id"])}  # what "mục II" names
    book_docs = {m.doc_id for m in searcher.mandates}
    assert {INTERNAL["id"], GROUP_ID} <= book_docs
    assert {d.doc_id for d, _ in searcher.store.referenced_by(PUBLIC_ID)} == {INTERNAL["id"], GROUP_ID}
    canonical = [
        searcher.store.paragraph(p.canonical_id)
        for p in searcher.store.paragraphs_of(PUBLIC_ID)
        if p.canonical_id
    ]
    assert INTERNAL["id"] in {p.doc_id for p in canonical}  # the public copy names the internal paragraph
    duplicate = searcher.search("trách nhiệm của người đứng đầu", k=10, audience=OPERATOR).results
    assert any(a.doc_id == INTERNAL["id"] for r in duplicate for a in r.also_in) or INTERNAL["id"] in {
        r.doc_id for r in duplicate
    }


def body_text(response) -> str:
    """Everything a body says, folded: a zip (.docx, .xlsx) by its XML parts, entities and (nested) URL escapes undone."""
    data = response.content
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            text = " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    else:
        text = data.decode("utf-8-sig", "replace")
    if "json" in response.headers.get("content-type", ""):
        text = json.dumps(response.json(), ensure_ascii=False)
    # twice: a link may carry another link (the header's login link holds the page's own address)
    return fold(unquote_plus(unquote_plus(html.unescape(text))))


def assert_names_none(response, forbidden: dict[str, list[str]], sent: list[str], where: str) -> None:
    """No marker of a forbidden document in the body, once what the request itself sent (echoed in a search
    box, a link, a 404 message) is taken out."""
    text = body_text(response)
    words = [w for ws in forbidden.values() for w in ws]
    # only echoes that hold a marker are taken out: taking out "1" or "3" would cut markers short
    echoed = {fold(v) for v in sent if v and any(w in fold(v) for w in words)}
    for value in sorted(echoed, key=len, reverse=True):
        text = text.replace(value, " ")
    for doc_id, words in forbidden.items():
        leaked = [w for w in words if w in text]
        assert not leaked, f"{where} names {leaked} of {doc_id} (status {response.status_code})"


def all_routes(app) -> list[tuple[str, set[str], object]]:
    """(path, methods, route) of every route the app serves, those of included routers too (FastAPI >= 0.16x
    keeps them behind `iter_route_contexts`; earlier ones list them in `app.routes`)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        contexts = [(r.path, r) for r in app.routes]
    else:
        contexts = [(c.path, c.route) for c in iter_route_contexts(app.routes)]
    return [(path, set(getattr(r, "methods", None) or ()), r) for path, r in contexts]


def get_routes(app) -> list[tuple[str, object]]:
    routes = [(path, r) for path, methods, r in all_routes(app) if "GET" in methods]
    paths = {path for path, _ in routes}
    assert {"/search", "/api/search", "/documents/{doc_id:path}", "/api/mandates"} <= paths  # discovery works
    return routes


# POST routes, each checked by test_anonymous_post_routes_...: a new one fails until it is checked there too.
POST_ROUTES = {
    "/api/export",
    "/collection/add",
    "/collection/remove",
    "/collection/move",
    "/collection/clear",
    # sign in and out (search_app.routes_auth): they read no document, only a name, a password and a
    # local `next` path; what a signed-in caller then sees is the group sweeps' subject
    "/login",
    "/logout",
}


def test_every_post_route_is_checked(app):
    assert {path for path, methods, _ in all_routes(app) if "POST" in methods} == POST_ROUTES


def query_names(route) -> set[str]:
    dependant = getattr(route, "dependant", None)
    return {p.alias for p in dependant.query_params} if dependant is not None else set()


def fill(path: str, values: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        name = match.group(1)
        assert name in values, f"route {path}: the sweep does not know how to fill {{{name}}}; add it"
        return quote(values[name], safe="")

    return re.sub(r"\{(\w+)(?::\w+)?\}", one, path)


def actor_of(searcher, doc_id: str) -> str:
    keys = [a.key for m in searcher.mandates if m.doc_id == doc_id for a in m.assignees]
    assert keys, f"no mandate with an assignee in {doc_id}"
    return keys[0]


def sweep(app, searcher, audience: Audience, forbidden: dict[str, list[str]]) -> int:
    """Every GET route for every document id, then every query over the routes that take `q`."""
    client = client_for(app, audience)
    everyone = [PUBLIC_ID, INTERNAL["id"], GROUP_ID]
    collected = [p.paragraph_id for d in everyone for p in searcher.store.paragraphs_of(d)]
    # every document's paragraphs in the collection: the forbidden ones must be dropped
    client.cookies.set(collection.COOKIE_NAME, collection.encode(collected), domain="testserver.local")
    requests = 0
    for route_path, route in get_routes(app):
        names = query_names(route)
        formats = ["docx", "xlsx", "csv", "md"] if "format" in names else [None]
        for doc_id in everyone:
            paragraph = searcher.store.paragraphs_of(doc_id)[1].paragraph_id
            values = {"doc_id": doc_id, "key": actor_of(searcher, doc_id)}
            path = fill(route_path, values)
            for fmt in formats:
                params = {
                    "q": QUERIES.get(doc_id, ["tuyên truyền"])[0],
                    "doc_id": doc_id,
                    "actor": values["key"],
                    "p": paragraph,
                    "hl": "0-20",
                    "depth": "3",
                    "full": "1",
                }
                if fmt:
                    params["format"] = fmt
                params = {k: v for k, v in params.items() if k in names}
                response = client.get(path, params=params)
                requests += 1
                assert response.status_code < 500, (path, response.status_code)
                sent = [*values.values(), *params.values()]
                assert_names_none(response, forbidden, sent, f"GET {path} {params}")
    for route_path, route in get_routes(app):
        if "q" not in query_names(route):
            continue
        for queries in QUERIES.values():
            for query in queries:
                for filters in ({}, {"type": "Kế hoạch"}, {"issuer": INTERNAL["issuer"]}, {"year": "2024"}):
                    params = {"q": query, **{k: v for k, v in filters.items() if k in query_names(route)}}
                    response = client.get(route_path, params=params)
                    requests += 1
                    assert response.status_code < 500, (route_path, params, response.status_code)
                    assert_names_none(
                        response, forbidden, list(params.values()), f"GET {route_path} {params}"
                    )
    return requests


def test_anonymous_sweep_shows_nothing_of_internal_or_group_documents(app, searcher, markers):
    assert sweep(app, searcher, ANONYMOUS, markers) > 100


def test_other_group_sweep_shows_nothing_of_the_group_letter(app, searcher, markers):
    assert sweep(app, searcher, OTHER_GROUP, {GROUP_ID: markers[GROUP_ID]}) > 100


def test_anonymous_post_routes_export_and_collection_refuse_forbidden_ids_as_unknown(app, searcher, markers):
    client = client_for(app, ANONYMOUS)
    secret = searcher.store.paragraphs_of(INTERNAL["id"])[1].paragraph_id
    public = searcher.store.paragraphs_of(PUBLIC_ID)[3].paragraph_id
    forbidden = client.post("/api/export", json={"paragraph_ids": [public, secret], "format": "md"})
    unknown = client.post("/api/export", json={"paragraph_ids": [public, "khong-co-1"], "format": "md"})
    assert forbidden.status_code == unknown.status_code == 404
    assert forbidden.json() == {**unknown.json(), "unknown_ids": [secret]}
    allowed = client_for(app, Audience.member("c", [])).post(
        "/api/export", json={"paragraph_ids": [public, secret], "format": "md"}
    )
    assert allowed.status_code == 200 and "quỳxoanh" in allowed.text
    client = client_for(app, ANONYMOUS)
    client.get("/")
    token = client.app.state.csrf_signer.get_signature(client.cookies["tracuu_session"]).decode()

    def post(path: str, **data: str):
        response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303, (path, response.status_code)
        return collection.decode(client.cookies.get(collection.COOKIE_NAME))

    assert post("/collection/add", paragraph_id=secret, next="/collection") == []  # as an unknown id
    assert post("/collection/add", paragraph_id=public, next="/collection") == [public]
    client.cookies.clear()
    client.get("/")
    token = client.app.state.csrf_signer.get_signature(client.cookies["tracuu_session"]).decode()
    client.cookies.set(collection.COOKIE_NAME, collection.encode([secret, public]), domain="testserver.local")
    for path in ("/collection", "/collection/print", "/collection/export?format=md"):
        response = client.get(path)
        assert response.status_code == 200
        assert_names_none(response, markers, [], path)
    assert post("/collection/move", paragraph_id=public, direction="up") == [public]  # the secret id dropped
    client.cookies.clear()
    client.get("/")
    token = client.app.state.csrf_signer.get_signature(client.cookies["tracuu_session"]).decode()
    client.cookies.set(collection.COOKIE_NAME, collection.encode([secret, public]), domain="testserver.local")
    assert post("/collection/remove", paragraph_id=public) == []
    assert post("/collection/clear", confirm="yes") == []


@pytest.mark.parametrize("doc_id", [INTERNAL["id"], GROUP_ID])
def test_a_forbidden_document_answers_exactly_as_an_unknown_one(app, searcher, doc_id):
    client = client_for(app, ANONYMOUS)
    unknown = doc_id[:-1] + ("x" if doc_id[-1] != "x" else "y")
    checked = 0
    for route_path, _ in get_routes(app):
        if "{doc_id" not in route_path:
            continue
        forbidden = client.get(fill(route_path, {"doc_id": doc_id}))
        absent = client.get(fill(route_path, {"doc_id": unknown}))
        assert forbidden.status_code == absent.status_code == 404, route_path
        assert forbidden.content == absent.content.replace(unknown.encode(), doc_id.encode()), route_path
        assert forbidden.headers.get("content-type") == absent.headers.get("content-type")
        checked += 1
    assert checked >= 4
