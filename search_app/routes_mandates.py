"""Mandates: who must do what — the "Nhiệm vụ" page, the actor page, exports and the JSON API.

Consumes the mandates the caller may read (index.reader.Reader.mandates, index/mandate_search.py) and the query string; produces the pages
/mandates (cards with the six "rõ" fields, each value linked to its paragraph, filters), /actors/{key}
("Việc của đơn vị": chủ trì / phối hợp tabs, dated deadlines first), /mandates/export (.docx, .xlsx, .csv
of the filtered list) and GET /api/mandates, /api/actors. Server-rendered, no JavaScript; every query
parameter is parsed leniently, so no input gives a 500.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from index.mandate_search import RECURRENCES
from index.types import ActorSummary, MandateItem
from search_app import mandate_export
from search_app.auth import API_AUTH_RESPONSES
from search_app.deps import ReaderDep, TemplatesDep
from search_app.params import int_or_none

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["api"], responses=API_AUTH_RESPONSES)
PAGE_SIZE = 20
RECURRENCE_NAMES = {
    "yearly": "hằng năm",
    "quarterly": "hằng quý",
    "monthly": "hằng tháng",
    "periodic": "định kỳ",
}
TABS = {"chu-tri": "Chủ trì", "phoi-hop": "Phối hợp"}


class MandateList(BaseModel):
    total: int
    mandates: list[MandateItem]


def _deadline_flag(raw: str) -> bool | None:
    return {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}.get(
        raw.strip().lower()
    )


def _filtered(reader, actor="", doc_id="", q="", recurrence="", has_deadline="", role=""):
    book = reader.mandates()
    recurrence = recurrence if recurrence in RECURRENCES else ""
    return book, book.filter(
        actor=actor,
        doc_id=doc_id,
        q=q,
        recurrence=recurrence,
        has_deadline=_deadline_flag(has_deadline),
        role=role,
    )


@api.get(
    "/mandates", response_model=MandateList, summary="Nhiệm vụ: ai chủ trì, phối hợp, thời hạn, báo cáo ai"
)
def api_mandates(
    reader: ReaderDep,
    actor: Annotated[str, Query(max_length=200, description="Khóa hoặc tên cơ quan")] = "",
    doc_id: Annotated[str, Query(max_length=200)] = "",
    q: Annotated[str, Query(max_length=500, description="Từ trong nội dung nhiệm vụ")] = "",
    recurrence: Annotated[Literal["", "yearly", "quarterly", "monthly", "periodic"], Query()] = "",
    has_deadline: Annotated[bool | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
):
    book = reader.mandates()  # recurrence is checked by its type: a 422 in the documented shape
    found = book.filter(actor=actor, doc_id=doc_id, q=q, recurrence=recurrence, has_deadline=has_deadline)
    return {"total": len(found), "mandates": [book.item(m) for m in found[offset : offset + limit]]}


@api.get("/actors", response_model=list[ActorSummary], summary="Cơ quan được giao nhiệm vụ")
def api_actors(reader: ReaderDep):
    return reader.mandates().actors()


@router.get("/mandates", response_class=HTMLResponse)
def mandates_page(
    request: Request,
    reader: ReaderDep,
    templates: TemplatesDep,
    actor: str = "",
    doc_id: str = "",
    q: str = "",
    recurrence: str = "",
    has_deadline: str = "",
    page: str = "1",
):
    params = {
        "actor": actor[:200],
        "doc_id": doc_id[:200],
        "q": q[:500],
        "recurrence": recurrence if recurrence in RECURRENCES else "",
        "has_deadline": has_deadline if _deadline_flag(has_deadline) is not None else "",
    }
    book, found = _filtered(reader, **params)
    number = int_or_none(page, 1, 9999) or 1
    items = [book.item(m) for m in found[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]]
    query = urlencode({k: v for k, v in params.items() if v})
    return templates.TemplateResponse(
        request,
        "mandates.html",
        {
            "items": items,
            "total": len(found),
            "params": params,
            "page": number,
            "pages": max(1, -(-len(found) // PAGE_SIZE)),
            "query": query,
            "actors": book.actors(),
            "documents": list(reader.documents()),
            "recurrences": RECURRENCE_NAMES,
            "formats": mandate_export.FORMATS,
            "docs": {d.doc_id: d for d in reader.documents()},
        },
    )


@router.get("/actors/{key}", response_class=HTMLResponse)
def actor_page(request: Request, key: str, reader: ReaderDep, templates: TemplatesDep, tab: str = "chu-tri"):
    book = reader.mandates()
    keys = book.resolve_actor(key)
    if not keys:
        raise HTTPException(404, "Không có cơ quan này trong các nhiệm vụ đã trích.")
    tab = tab if tab in TABS else "chu-tri"
    key = sorted(keys)[0] if key not in keys else key
    counts = {t: len(book.filter(actor=key, role=t)) for t in TABS}
    items = [book.item(m) for m in book.filter(actor=key, role=tab)]
    return templates.TemplateResponse(
        request,
        "actor.html",
        {
            "key": key,
            "name": book.display(key),
            "tab": tab,
            "tabs": TABS,
            "counts": counts,
            "items": items,
            "query": urlencode({"actor": key, "role": tab}),
            "formats": mandate_export.FORMATS,
            "docs": {d.doc_id: d for d in reader.documents()},
            "recurrences": RECURRENCE_NAMES,
        },
    )


@router.get("/mandates/export")
def export_mandates(
    reader: ReaderDep,
    format: str = "xlsx",
    actor: str = "",
    doc_id: str = "",
    q: str = "",
    recurrence: str = "",
    has_deadline: str = "",
    role: str = "",
):
    if format not in mandate_export.FORMATS:
        raise HTTPException(422, f"Định dạng xuất phải là một trong: {', '.join(mandate_export.FORMATS)}.")
    book, found = _filtered(
        reader, actor[:200], doc_id[:200], q[:500], recurrence, has_deadline, role if role in TABS else ""
    )
    title = "Danh sách nhiệm vụ" + (
        f" của {book.display(sorted(book.resolve_actor(actor))[0])}"
        if actor and book.resolve_actor(actor)
        else ""
    )
    body = mandate_export.render(
        [book.item(m) for m in found], {d.doc_id: d for d in reader.documents()}, format, title
    )
    return Response(
        body,
        media_type=mandate_export.MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="nhiem-vu.{format}"'},
    )


def mandate_panel(reader, doc_id: str) -> dict:
    """Context of the "Nhiệm vụ" panel on a document page."""
    book = reader.mandates()
    found = book.filter(doc_id=doc_id)
    return {
        "mandate_items": [book.item(m) for m in found],
        "mandate_total": len(found),
        "docs": {d.doc_id: d for d in reader.documents()},
    }
