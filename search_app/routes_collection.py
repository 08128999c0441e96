"""The collection page: trainers gather paragraphs, reorder/remove them, print or export them.

Consumes plain HTML form posts (no JavaScript) and the collection cookie (search_app.collection);
produces the collection page, its print view, and .docx/.md downloads (search_app.export).
Every change passes the CSRF check (search_app.security) and answers with a 303 redirect back to a
local page (never to another host): adding returns to the result it was made from, with a confirmation.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from search_app import collection, export
from search_app.deps import ReaderDep, SettingsDep, TemplatesDep
from search_app.params import local_target
from search_app.security import CsrfDep

router = APIRouter(include_in_schema=False)


def _redirect(request: Request, target: str, ids: list[str] | None = None) -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    if ids is not None:
        collection.save(response, ids, secure=request.app.state.settings.cookies_secure)
    return response


def _back_to_result(target: str, paragraph_id: str) -> str:
    """The page the add came from, marked `added=<id>` (its confirmation) and at the result's anchor:
    "#r-<id>" in result lists, "#p-<id>" on a document page."""
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "added"]
    query.append(("added", paragraph_id))
    anchor = f"p-{paragraph_id}" if parts.path.startswith("/documents/") else f"r-{paragraph_id}"
    return urlunsplit(("", "", parts.path, urlencode(query), anchor))


def _items(reader, ids: list[str]) -> list[dict]:
    return [{"paragraph": reader.paragraph(pid), "citation": reader.citation(pid)} for pid in ids]


@router.get("/collection", response_class=HTMLResponse)
def collection_page(
    request: Request, reader: ReaderDep, templates: TemplatesDep, full: str = "", clear: str = ""
):
    ids = collection.read(request, reader)
    return templates.TemplateResponse(
        request,
        "collection.html",
        {
            "items": _items(reader, ids),
            "max_items": collection.MAX_ITEMS,
            "full": full == "1",
            "confirm_clear": clear == "ask" and bool(ids),
        },
    )


@router.get("/collection/print", response_class=HTMLResponse)
def collection_print(request: Request, reader: ReaderDep, settings: SettingsDep, templates: TemplatesDep):
    ids = collection.read(request, reader)
    return templates.TemplateResponse(
        request,
        "collection_print.html",
        {"items": _items(reader, ids), "base_url": settings.public_base_url or ""},
    )


@router.post("/collection/add", dependencies=[CsrfDep])
def collection_add(
    request: Request,
    reader: ReaderDep,
    paragraph_id: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/collection",
):
    ids = collection.read(request, reader)
    target = local_target(next, fallback="/collection")
    if reader.paragraph(paragraph_id) is None:
        return _redirect(request, target)
    ids, added = collection.add(ids, paragraph_id)
    if not added:
        return _redirect(request, "/collection?full=1", ids)
    return _redirect(request, _back_to_result(target, paragraph_id), ids)


@router.post("/collection/remove", dependencies=[CsrfDep])
def collection_remove(request: Request, reader: ReaderDep, paragraph_id: Annotated[str, Form()] = ""):
    return _redirect(
        request, "/collection", collection.remove(collection.read(request, reader), paragraph_id)
    )


@router.post("/collection/move", dependencies=[CsrfDep])
def collection_move(
    request: Request,
    reader: ReaderDep,
    paragraph_id: Annotated[str, Form()] = "",
    direction: Annotated[str, Form()] = "",
):
    ids = collection.read(request, reader)
    if direction in ("up", "down"):
        ids = collection.move(ids, paragraph_id, direction)
    return _redirect(request, "/collection", ids)


@router.post("/collection/clear", dependencies=[CsrfDep])
def collection_clear(request: Request, confirm: Annotated[str, Form()] = ""):
    # Emptying is a second step: the first shows the question, only its "yes" form clears.
    if confirm != "yes":
        return _redirect(request, "/collection?clear=ask#clear")
    return _redirect(request, "/collection", [])


@router.get("/collection/export")
def collection_export(request: Request, reader: ReaderDep, settings: SettingsDep, format: str = "docx"):
    fmt = format if format in export.MEDIA_TYPES else "docx"
    ids = collection.read(request, reader)  # already validated: export cannot fail on unknown ids
    body = export.render(export.collect_passages(reader, ids, settings.public_base_url), fmt)
    return Response(
        body,
        media_type=export.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{export.filename(fmt)}"'},
    )
