"""The collection page: trainers gather paragraphs, reorder/remove them, print or export them.

Consumes plain HTML form posts (no JavaScript) and the collection cookie (search_app.collection);
produces the collection page, its print view, and .docx/.md downloads (search_app.export).
Every change answers with a 303 redirect back to a local page (never to another host).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from search_app import collection, export
from search_app.deps import SearcherDep, TemplatesDep

router = APIRouter(include_in_schema=False)


def _local_target(raw: str, fallback: str = "/collection") -> str:
    """Only same-site paths: "/x" but not "//host" or "/\\host", and no control characters."""
    if not raw.startswith("/") or raw.startswith(("//", "/\\")) or any(ord(c) < 32 or c == "\x7f" for c in raw):
        return fallback
    return raw[:2000]


def _redirect(target: str, ids: list[str] | None = None) -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    if ids is not None:
        collection.save(response, ids)
    return response


def _items(searcher, ids: list[str]) -> list[dict]:
    return [{"paragraph": searcher.paragraph(pid), "citation": searcher.citation(pid)} for pid in ids]


@router.get("/collection", response_class=HTMLResponse)
def collection_page(request: Request, searcher: SearcherDep, templates: TemplatesDep, full: str = ""):
    ids = collection.read(request, searcher)
    return templates.TemplateResponse(
        request,
        "collection.html",
        {"items": _items(searcher, ids), "max_items": collection.MAX_ITEMS, "full": full == "1"},
    )


@router.get("/collection/print", response_class=HTMLResponse)
def collection_print(request: Request, searcher: SearcherDep, templates: TemplatesDep):
    ids = collection.read(request, searcher)
    return templates.TemplateResponse(request, "collection_print.html", {"items": _items(searcher, ids)})


@router.post("/collection/add")
def collection_add(
    request: Request,
    searcher: SearcherDep,
    paragraph_id: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/collection",
):
    ids = collection.read(request, searcher)
    target = _local_target(next)
    if searcher.paragraph(paragraph_id) is None:
        return _redirect(target)
    ids, added = collection.add(ids, paragraph_id)
    if not added:
        return _redirect("/collection?full=1", ids)
    if target.startswith("/documents/") and "#" not in target:
        target += f"#p-{paragraph_id}"
    return _redirect(target, ids)


@router.post("/collection/remove")
def collection_remove(request: Request, searcher: SearcherDep, paragraph_id: Annotated[str, Form()] = ""):
    return _redirect("/collection", collection.remove(collection.read(request, searcher), paragraph_id))


@router.post("/collection/move")
def collection_move(
    request: Request,
    searcher: SearcherDep,
    paragraph_id: Annotated[str, Form()] = "",
    direction: Annotated[str, Form()] = "",
):
    ids = collection.read(request, searcher)
    if direction in ("up", "down"):
        ids = collection.move(ids, paragraph_id, direction)
    return _redirect("/collection", ids)


@router.post("/collection/clear")
def collection_clear(request: Request, searcher: SearcherDep):
    return _redirect("/collection", [])


@router.get("/collection/export")
def collection_export(request: Request, searcher: SearcherDep, format: str = "docx"):
    fmt = format if format in export.MEDIA_TYPES else "docx"
    ids = collection.read(request, searcher)  # already validated: export cannot fail on unknown ids
    body = export.render(export.collect_passages(searcher, ids, str(request.base_url)), fmt)
    return Response(
        body,
        media_type=export.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{export.filename(fmt)}"'},
    )
