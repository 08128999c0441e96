"""Typed results that `index` hands to `search_app` (pages, JSON API) and to `tracuu search --json`.

The JSON API returns `SearchResponse.model_dump()` as it is, so the CLI's `--json` and the web
API print the same thing.
"""

from __future__ import annotations

from urllib.parse import quote

from pydantic import BaseModel, Field


def document_url(doc_id: str) -> str:
    """Link to a document's page; a given id ("Luật ...|1", "a/b") is percent-encoded whole."""
    return "/documents/" + quote(doc_id, safe="")


def paragraph_url(doc_id: str, paragraph_id: str) -> str:
    """Link to a paragraph's anchor in its document page (paragraph ids are URL-safe by construction)."""
    return f"{document_url(doc_id)}#p-{paragraph_id}"


class Citation(BaseModel):
    doc_id: str
    doc_number: str | None
    doc_type: str | None
    doc_title: str | None
    issuer: str | None
    date: str | None  # ISO
    section: str
    paragraph_id: str
    url: str
    label: str  # "Kết luận 44-KL/TW của Ban Bí thư, 22/01/2019, mục 2.3"


class AlsoIn(BaseModel):
    """Another document that contains the same (near-duplicate) paragraph."""

    doc_id: str
    doc_number: str | None
    doc_title: str | None
    paragraph_id: str
    url: str


class SearchResult(BaseModel):
    paragraph_id: str
    doc_id: str
    doc_number: str | None
    doc_title: str | None
    doc_type: str | None
    issuer: str | None
    date: str | None
    section: str
    text: str  # the whole paragraph as the source wrote it
    highlights: list[tuple[int, int]] = Field(default_factory=list)  # [start, end) offsets into text
    score: float
    url: str
    also_in: list[AlsoIn] = Field(default_factory=list)
    citation: Citation
    ocr: bool = False  # the paragraph was recognised from a scan (ingest.ocr): shown with a warning


class Answer(BaseModel):
    text: str  # the answering sentence(s), verbatim
    paragraph_id: str
    doc_id: str
    citation: Citation
    paragraph_text: str
    start: int  # offsets of `text` inside `paragraph_text`
    end: int
    score: float
    ocr: bool = False  # quoted from a paragraph recognised from a scan (ingest.ocr)


class SearchResponse(BaseModel):
    query: str
    answer: Answer | None = None
    results: list[SearchResult] = Field(default_factory=list)
    total: int = 0  # results matching the filters, before paging
    facets: dict[str, dict[str, int]] = Field(default_factory=dict)  # "type"/"issuer"/"year" -> value -> count
    mandates: list["MandateItem"] = Field(default_factory=list)  # task questions: who must do what (issue 17)


from index.mandate_search import MandateItem  # noqa: E402  (it imports paragraph_url from here)

SearchResponse.model_rebuild()
