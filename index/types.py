"""Typed results that `index` hands to `search_app` (pages, JSON API) and to `tracuu search --json`.

The JSON API returns `SearchResponse.model_dump()` as it is, so the CLI's `--json` and the web
API print the same thing.
"""

from __future__ import annotations

from urllib.parse import quote

from pydantic import BaseModel, Field

from ingest.models import Deadline


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


class RelationHit(BaseModel):
    """One relation that answers a relation question ("văn bản nào thực hiện Kết luận 44"), cited to the
    sentence of `from_doc_id` that states it (index/relation_search.py)."""

    relation: str  # ingest.models.RelationKind
    from_doc_id: str
    to_doc_id: str | None  # None when the named document is not in the corpus
    to_number: str | None
    sentence: str | None
    paragraph_id: str
    url: str  # the sentence's paragraph in from_doc_id's page


class RelatedDocument(BaseModel):
    doc_id: str | None  # None: cited but not in the corpus
    number: str | None
    type: str | None
    relation: str
    url: str | None


class DocumentCard(BaseModel):
    """What a query that is only a reference ("chỉ thị 09") shows instead of an answer sentence."""

    doc_id: str
    number: str | None
    type: str | None
    title: str | None
    issuer: str | None
    date: str | None
    url: str
    implements: list[RelatedDocument] = Field(default_factory=list)  # what it implements or continues
    implemented_by: list[RelatedDocument] = Field(default_factory=list)


class CitingDocument(BaseModel):
    doc_id: str
    number: str | None
    type: str | None
    title: str | None
    sentence: str | None
    paragraph_id: str
    url: str


class NumberLookup(BaseModel):
    """A query naming a document number (index/number_lookup.py): the named documents' cards, or a notice
    that the corpus lacks it ("Kho chưa có Kết luận 45; có: Kết luận 44") with the documents citing it."""

    notice: str | None = None
    reference_only: bool = False  # the query is nothing but references (the cards replace the answer)
    cards: list[DocumentCard] = Field(default_factory=list)
    citing: list[CitingDocument] = Field(default_factory=list)


# The mandates of a task question (index/mandate_search.py), also /api/mandates and /api/actors.
class ActorOut(BaseModel):
    name: str
    key: str


class MandateItem(BaseModel):
    mandate_id: str
    doc_id: str
    doc_number: str | None
    paragraph_id: str
    section: str
    url: str
    text: str
    action: str
    assignees: list[ActorOut]
    partners: list[ActorOut]
    assigned_by: ActorOut | None
    reports_to: list[ActorOut]
    deadline: Deadline | None
    product: str | None
    flags: list[str]


class ActorSummary(BaseModel):
    key: str
    name: str
    aliases: list[str]
    mandate_count: int
    doc_ids: list[str]


class SearchResponse(BaseModel):
    query: str
    answer: Answer | None = None
    results: list[SearchResult] = Field(default_factory=list)
    total: int = 0  # results matching the filters, before paging
    facets: dict[str, dict[str, int]] = Field(
        default_factory=dict
    )  # "type"/"issuer"/"year" -> value -> count
    relations: list[RelationHit] = Field(default_factory=list)  # answers to a relation question (issue 18)
    lookup: NumberLookup | None = None  # a named document number: its card, or that the corpus lacks it
    mandates: list[MandateItem] = Field(default_factory=list)  # task questions: who must do what (issue 17)


SearchResponse.model_rebuild()
