"""HTML pages: home, search results, the document list and one document's full text.

Consumes the Searcher and Settings (via search_app.deps) and the query string; produces
server-rendered Vietnamese pages (templates/*.html) that work without JavaScript. Every query
parameter is read as a plain string and parsed leniently, so no input can produce a 500.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from index.relation_graph import GraphvizMissing, graph_svg, inline_svg, node_url, relation_graph, timeline
from index.relation_labels import RELATION_IN, RELATION_OUT, RELATION_RANK
from index.relation_search import relation_question
from index.types import document_url
from search_app import audit, collection
from search_app.collation import sort_key
from search_app.deps import ReaderDep, SearchRunnerDep, SettingsDep, TemplatesDep
from search_app.params import int_or_none
from search_app.routes_mandates import mandate_panel

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 10
MAX_PAGE = 100
EXAMPLE_QUERIES = [
    "trách nhiệm người đứng đầu",
    "ai chủ trì kiểm tra thực hiện Kết luận 44",
    "xay dung phong trao toan dan bao ve ANTT",
    "vai trò của MTTQ trong phong trào",
    "kinh phí cho lực lượng bảo vệ an ninh cơ sở",
]

SORT_KEYS = {"number": "number", "type": "doc_type", "title": "title", "issuer": "issuer", "date": "date"}


def _search_link(params: dict[str, str], **changes: str | int | None) -> str:
    merged = {**params, **{k: ("" if v is None else str(v)) for k, v in changes.items()}}
    return "/search?" + urlencode({k: v for k, v in merged.items() if v})


@router.get("/", response_class=HTMLResponse)
def home(request: Request, templates: TemplatesDep, settings: SettingsDep):
    return templates.TemplateResponse(
        request, "home.html", {"examples": EXAMPLE_QUERIES, "max_query_chars": settings.max_query_chars}
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    reader: ReaderDep,
    settings: SettingsDep,
    run_search: SearchRunnerDep,
    templates: TemplatesDep,
    q: str = "",
    type: str = "",
    issuer: str = "",
    year: str = "",
    page: str = "1",
    added: str = "",
):
    from index.searcher import QueryError

    year_value = int_or_none(year, 1900, 2999)
    page_value = int_or_none(page, 1, MAX_PAGE) or 1
    params = {"q": q, "type": type, "issuer": issuer, "year": str(year_value or "")}
    context = {
        "q": q,
        "filters": {"type": type, "issuer": issuer, "year": str(year_value or "")},
        "response": None,
        "error": None,
        "hint": None,
        "page": page_value,
        "pages": 0,
        "link": lambda **changes: _search_link(params, **changes),
        "in_collection": set(collection.read(request, reader)),
        "added": added,  # the passage just added (search_app.routes_collection): its confirmation
        "return_to": _search_link(params, page=page_value if page_value > 1 else None),
        "max_query_chars": settings.max_query_chars,
        "relation_asked": bool(q.strip()) and relation_question(q) is not None,
        "relation_labels": RELATION_OUT,
        "document_of": reader.document,
    }
    status = 200
    if not q.strip():
        context["hint"] = "Hãy nhập câu hỏi hoặc từ khoá, ví dụ: “trách nhiệm người đứng đầu”."
        context["examples"] = EXAMPLE_QUERIES
    else:
        try:
            response = run_search(
                q,
                k=PAGE_SIZE,
                offset=(page_value - 1) * PAGE_SIZE,
                doc_type=type or None,
                issuer=issuer or None,
                year=year_value,
            )
        except QueryError as exc:
            context["error"] = str(exc)
            status = 422
        else:
            context["response"] = response
            context["pages"] = min(MAX_PAGE, math.ceil(response.total / PAGE_SIZE))
    return templates.TemplateResponse(request, "search.html", context, status_code=status)


@router.get("/documents", response_class=HTMLResponse)
def documents_page(
    request: Request, reader: ReaderDep, templates: TemplatesDep, sort: str = "date", order: str = ""
):
    sort = sort if sort in SORT_KEYS else "date"
    descending = order == "desc" if order in ("asc", "desc") else sort == "date"
    attribute = SORT_KEYS[sort]
    documents = list(reader.documents())
    present = [d for d in documents if getattr(d, attribute)]
    missing = [d for d in documents if not getattr(d, attribute)]
    present.sort(key=lambda d: sort_key(getattr(d, attribute)), reverse=descending)
    return templates.TemplateResponse(
        request,
        "documents.html",
        {"documents": present + missing, "sort": sort, "descending": descending, "columns": SORT_KEYS},
    )


def _answer_span(paragraphs, paragraph_id: str, raw: str) -> dict[str, tuple[int, int]]:
    """{paragraph id: (start, end)} of the answer sentence the answer box links to ("?p=<id>&hl=12-80");
    anything that does not fit that paragraph is ignored."""
    start, _, end = raw.partition("-")
    start_value, end_value = int_or_none(start, 0, 10**6), int_or_none(end, 0, 10**6)
    text = next((p.text for p in paragraphs if p.paragraph_id == paragraph_id), None)
    if text is None or start_value is None or end_value is None or not start_value < end_value <= len(text):
        return {}
    return {paragraph_id: (start_value, end_value)}


# Per-document sub-pages come before the catch-all document page: "{doc_id:path}" takes "a/b/graph.svg" whole.
@router.get("/documents/{doc_id:path}/graph.svg")
def document_graph_svg(doc_id: str, reader: ReaderDep, depth: str = "2"):
    graph = relation_graph(reader.numbers, doc_id, int_or_none(depth, 1, 3) or 2)
    if graph is None:
        raise HTTPException(status_code=404, detail="Không có văn bản này trong kho.")
    try:
        svg = graph_svg(graph)
    except GraphvizMissing as exc:
        raise HTTPException(status_code=503, detail=f"Không vẽ được sơ đồ quan hệ: {exc}.") from exc
    return Response(svg, media_type="image/svg+xml")


@router.get("/documents/{doc_id:path}/timeline", response_class=HTMLResponse)
def document_timeline(request: Request, doc_id: str, reader: ReaderDep, templates: TemplatesDep):
    levels = timeline(reader.numbers, doc_id)
    if levels is None:
        raise HTTPException(status_code=404, detail="Không có văn bản này trong kho.")
    return templates.TemplateResponse(
        request, "timeline.html", {"doc": reader.document(doc_id), "levels": levels, "node_url": node_url}
    )


@router.get("/documents/{doc_id:path}", response_class=HTMLResponse)
def document_page(
    request: Request,
    doc_id: str,
    reader: ReaderDep,
    templates: TemplatesDep,
    added: str = "",
    p: str = "",
    hl: str = "",
):
    document = reader.document(doc_id)  # None for a document the caller may not read: the same 404
    if document is None:
        raise HTTPException(status_code=404, detail="Không có văn bản này trong kho.")
    audit.record_view(request, reader.audience, document)  # non-public documents only
    paragraphs = reader.paragraphs_of(doc_id)
    graph = relation_graph(reader.numbers, doc_id, 2)
    try:
        graph_drawing, graph_note = Markup(inline_svg(graph_svg(graph))), None
    except GraphvizMissing as exc:  # the page still lists the relations
        graph_drawing, graph_note = None, f"Không vẽ được sơ đồ ({exc}); danh sách quan hệ:"
    outgoing: dict[str, dict] = {}
    for ref in document.references:  # one line per document mentioned, with its strongest relation
        key = ref.target_doc_id or ref.number or ref.mention
        item = outgoing.setdefault(key, {"ref": ref, "target": None, "rank": len(RELATION_RANK)})
        if RELATION_RANK.get(ref.relation, len(RELATION_RANK)) < item["rank"]:
            item.update(ref=ref, rank=RELATION_RANK[ref.relation])
        if ref.target_doc_id and item["target"] is None:
            item["target"] = reader.document(ref.target_doc_id)
    incoming: dict[str, dict] = {}
    for other, ref in reader.referenced_by(doc_id):
        item = incoming.setdefault(other.doc_id, {"doc": other, "ref": ref, "rank": len(RELATION_RANK)})
        if RELATION_RANK.get(ref.relation, len(RELATION_RANK)) < item["rank"]:
            item.update(ref=ref, rank=RELATION_RANK[ref.relation])
    for item in outgoing.values():
        item["relation"] = RELATION_OUT.get(item["ref"].relation, item["ref"].relation)
    for item in incoming.values():
        item["relation"] = RELATION_IN.get(item["ref"].relation, item["ref"].relation)
    return templates.TemplateResponse(
        request,
        "document.html",
        {
            "doc": document,
            "paragraphs": paragraphs,
            "answer_spans": _answer_span(paragraphs, p, hl),
            "outgoing": list(outgoing.values()),
            "incoming": list(incoming.values()),
            "in_collection": set(collection.read(request, reader)),
            "added": added,
            "return_to": document_url(doc_id),
            **mandate_panel(reader, doc_id),
            "graph": graph,
            "graph_drawing": graph_drawing,
            "graph_note": graph_note,
            "node_url": node_url,
            "relation_labels": RELATION_OUT,
        },
    )
