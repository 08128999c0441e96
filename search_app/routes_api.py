"""JSON API: the same data as the pages, for other programs (OpenAPI at /docs).

Consumes query strings / JSON bodies and the Searcher; produces `SearchResponse` (index/types.py)
as JSON, document summaries and details, and export files. Bad input answers 422 with the reason, in
FastAPI's documented shape ({"detail": [{"loc", "msg", "type"}]}) and without echoing the input; every
status code a route can answer is declared in its OpenAPI `responses`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from index.relation_graph import relation_graph
from index.types import SearchResponse, paragraph_url
from ingest.models import Document, Paragraph, Reference
from search_app import audit, export
from search_app.auth import API_AUTH_RESPONSES
from search_app.deps import ReaderDep, SearchRunnerDep, SettingsDep
from search_app.settings import Settings

router = APIRouter(prefix="/api", tags=["api"], responses=API_AUTH_RESPONSES)
# The schema states the default limit; a server configured otherwise still answers 422 beyond its own.
QUERY_CHARS_DOCUMENTED = Settings.model_fields["max_query_chars"].default


class ErrorMessage(BaseModel):
    """The body of a 404 or 413: the reason, in Vietnamese."""

    detail: str


class UnknownParagraphsMessage(ErrorMessage):
    """The body of an export's 404: which ids the index does not hold."""

    unknown_ids: list[str]


NOT_FOUND = {404: {"model": ErrorMessage, "description": "Không có văn bản này"}}
# Starlette answers a too-long Content-Length in plain text before the route runs, FastAPI a too-long
# streamed body in JSON.
TOO_LARGE = {
    413: {
        "model": ErrorMessage,
        "description": "Nội dung yêu cầu quá lớn",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
}


def invalid(loc: tuple, message: str, kind: str = "value_error") -> RequestValidationError:
    """A 422 in the same shape as FastAPI's own validation errors."""
    return RequestValidationError([{"loc": loc, "msg": message, "type": kind}])


def _encodable(value: str) -> str:
    """Refuse lone surrogates ("\\ud800", valid JSON escapes but no text): they cannot be written out."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("Chuỗi chứa ký tự không hợp lệ (nửa cặp surrogate UTF-16).") from exc
    return value


class DocumentSummary(BaseModel):
    doc_id: str
    number: str | None
    type: str | None
    title: str | None
    issuer: str | None
    date: str | None
    signer: str | None
    paragraph_count: int


class ReferencedBy(BaseModel):
    """A mention of this document inside another corpus document."""

    doc_id: str
    number: str | None
    type: str | None
    title: str | None
    relation: str
    mention: str
    paragraph_id: str
    url: str


class DocumentDetail(DocumentSummary):
    paragraphs: list[Paragraph]
    references: list[Reference]
    referenced_by: list[ReferencedBy]


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paragraph_ids: list[Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_encodable)]] = (
        Field(min_length=1, max_length=500)
    )
    format: Literal["docx", "md"] = "docx"


def _summary(reader, document: Document) -> dict:
    return {
        "doc_id": document.doc_id,
        "number": document.number,
        "type": document.doc_type,
        "title": document.title,
        "issuer": document.issuer,
        "date": document.date,
        "signer": document.signer,
        "paragraph_count": len(reader.paragraphs_of(document.doc_id)),
    }


@router.get("/search", response_model=SearchResponse, summary="Tìm đoạn văn trả lời câu hỏi, có trích dẫn")
async def api_search(
    run_search: SearchRunnerDep,
    q: Annotated[
        str,
        Query(
            description="Câu hỏi hoặc từ khoá (không chỉ gồm khoảng trắng)",
            min_length=1,
            max_length=QUERY_CHARS_DOCUMENTED,
            pattern=r"\S",
        ),
    ],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
    type: Annotated[str | None, Query(description="Loại văn bản, ví dụ 'Kết luận'")] = None,
    issuer: Annotated[str | None, Query(description="Cơ quan ban hành")] = None,
    year: Annotated[int | None, Query(ge=1900, le=2999)] = None,
):
    from index.searcher import QueryError

    try:
        body = await run_search.json(
            q, k=k, offset=offset, doc_type=type or None, issuer=issuer or None, year=year
        )
    except QueryError as exc:  # validated once, by the searcher; the same message as the search page's
        if exc.kind != "no_terms":
            raise invalid(("query", "q"), str(exc)) from None
        body = SearchResponse(query=q).model_dump_json()  # nothing to search ("!!!"): nothing matches it
    # Serialized once, on the search pool: returned as a model, FastAPI would validate it again.
    return Response(body, media_type="application/json")


@router.get("/documents", response_model=list[DocumentSummary], summary="Danh sách văn bản")
def api_documents(reader: ReaderDep):
    return [_summary(reader, d) for d in reader.documents()]


@router.get(
    "/documents/{doc_id:path}/graph", summary="Sơ đồ quan hệ của một văn bản (nút, cạnh)", responses=NOT_FOUND
)
def api_document_graph(doc_id: str, reader: ReaderDep, depth: Annotated[int, Query(ge=1, le=3)] = 2):
    """Declared before the catch-all document route: "{doc_id:path}" would take "a/b/graph" whole."""
    graph = relation_graph(reader.numbers, doc_id, depth)
    if graph is None:
        raise HTTPException(404, f"Không có văn bản '{doc_id[:100]}' trong kho.")
    return graph.as_json()


@router.get(
    "/documents/{doc_id:path}",
    response_model=DocumentDetail,
    summary="Một văn bản: đoạn văn và quan hệ",
    responses=NOT_FOUND,
)
def api_document(request: Request, doc_id: str, reader: ReaderDep):
    document = reader.document(doc_id)  # None for a document the caller may not read: the same 404
    if document is None:
        raise HTTPException(404, f"Không có văn bản '{doc_id[:100]}' trong kho.")
    audit.record_view(request, reader.audience, document)  # non-public documents only
    referenced_by = [
        {
            "doc_id": other.doc_id,
            "number": other.number,
            "type": other.doc_type,
            "title": other.title,
            "relation": ref.relation,
            "mention": ref.mention,
            "paragraph_id": ref.paragraph_id,
            "url": paragraph_url(other.doc_id, ref.paragraph_id),
        }
        for other, ref in reader.referenced_by(doc_id)
    ]
    return {
        **_summary(reader, document),
        "paragraphs": reader.paragraphs_of(doc_id),
        "references": document.references,
        "referenced_by": referenced_by,
    }


@router.post(
    "/export",
    summary="Xuất các đoạn đã chọn (.docx hoặc .md) kèm trích dẫn",
    response_class=Response,
    responses={
        200: {
            "content": {
                export.MEDIA_TYPES["docx"]: {"schema": {"type": "string", "format": "binary"}},
                "text/markdown": {"schema": {"type": "string"}},
            },
            "description": "Tệp xuất",
        },
        404: {"model": UnknownParagraphsMessage, "description": "Có đoạn không có trong chỉ mục"},
        **TOO_LARGE,
    },
)
def api_export(body: ExportRequest, reader: ReaderDep, settings: SettingsDep):
    if len(body.paragraph_ids) > settings.max_export_ids:
        raise invalid(("body", "paragraph_ids"), f"Tối đa {settings.max_export_ids} đoạn mỗi lần xuất.")
    try:
        passages = export.collect_passages(reader, body.paragraph_ids, settings.public_base_url)
    except export.UnknownParagraphs as exc:
        return JSONResponse(
            {"detail": "Có đoạn không có trong chỉ mục.", "unknown_ids": [i[:200] for i in exc.ids[:50]]},
            status_code=404,
        )
    return Response(
        export.render(passages, body.format),
        media_type=export.MEDIA_TYPES[body.format],
        headers={"Content-Disposition": f'attachment; filename="{export.filename(body.format)}"'},
    )
