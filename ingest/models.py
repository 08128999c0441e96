"""Typed records that `ingest` produces and `index` consumes.

A `Corpus` is a list of `Document`s and their `Paragraph`s. Both are written as JSONL
(one record per line, see `FORMAT_VERSION`) into the index folder, so every stage after
ingest can be inspected with a text editor.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

FORMAT_VERSION = 5  # 2: Paragraph.attached_number; 3: Paragraph.ocr; 4: typed relations; 5: Document.access

ParagraphKind = Literal["heading", "body", "caption", "signature", "recipients", "header"]
# What a document does to one it mentions (ingest/resources/relation_rules.txt): "continues" is a new
# document carrying on an older one ("tiếp tục thực hiện"); "reports_on" a news article about it.
RelationKind = Literal[
    "implements", "continues", "basis", "replaces", "amends", "repeals", "attaches", "reports_on", "cites"
]


# Who may read a document (index.access): everyone, every signed-in user, or the members of these groups.
AccessLevel = Literal["public", "internal"] | list[str]


class Reference(BaseModel):
    """A mention of another document inside a paragraph ("Kết luận số 44-KL/TW, ngày 22/01/2019")."""

    number: str  # canonical number, e.g. "44-KL/TW"; "" when only a short form like "Chỉ thị số 09" is given
    doc_type: str | None = None  # "Kết luận", "Chỉ thị", ...
    date: str | None = None  # ISO date when the mention gives one
    issuer: str | None = None  # "Ban Bí thư" when the mention names it
    title: str | None = None  # the trích yếu quoted after "về ..." when present
    relation: RelationKind = "cites"
    paragraph_id: str  # paragraph the mention occurs in
    mention: str  # the mention as written in the source
    target_doc_id: str | None = None  # the corpus document it points to, when present
    sentence: str | None = None  # the sentence the mention stands in, which states the relation


class Document(BaseModel):
    doc_id: str
    source_path: str  # path the document was read from, as given to `tracuu ingest`
    source_sha256: str  # hash of the raw file bytes (JSONL: of the line)
    number: str | None = None  # "44-KL/TW"
    doc_type: str | None = None  # "Kết luận", "Chỉ thị", "Công văn", "Kế hoạch", "Nghị quyết", "Tin bài", ...
    title: str | None = None  # trích yếu, or the headline of a news article
    issuer: str | None = None  # "Ban Bí thư", "Liên đoàn Lao động huyện Dương Minh Châu", ...
    date: str | None = None  # ISO yyyy-mm-dd
    signer: str | None = None
    place: str | None = None
    source_name: str | None = None  # news articles: the outlet ("Cổng thông tin điện tử Bộ Công an")
    # Where each metadata value came from: "content", "jsonl", "sidecar",
    # or "reference:<doc_id>#<paragraph_id>" when filled from another document's citation.
    metadata_sources: dict[str, str] = Field(default_factory=dict)
    text: str  # the cleaned text: paragraphs joined by "\n\n"; paragraph offsets point into it
    references: list[Reference] = Field(default_factory=list)
    access: AccessLevel = "public"  # from JSONL, a sidecar or a folder's .access.json (ingest.metadata)
    format_version: int = FORMAT_VERSION


class Paragraph(BaseModel):
    paragraph_id: str  # stable: same file ingested twice gives the same ids
    doc_id: str
    order: int  # position within the document, from 0
    text: str  # as the source wrote it (cleaned of furniture), for display and quoting
    section: str = ""  # "II.3", "2.3", "Điều 5.2"; "" before the first numbered heading
    kind: ParagraphKind = "body"
    start: int  # offsets into Document.text: document.text[start:end] == text
    end: int
    canonical_id: str | None = None  # near-duplicate of this paragraph (in another document)
    # Number of another document whose attached text this paragraph stands in (a letter that forwards a
    # conclusion with its full text); None in the document's own text.
    attached_number: str | None = None
    ocr: bool = False  # the text was recognised from a scanned page (ingest.ocr): it may carry misspellings
    format_version: int = FORMAT_VERSION


MANDATE_FORMAT_VERSION = 1  # mandates.jsonl (ingest/mandates.py)


class ActorRef(BaseModel):
    name: str  # as the source writes it ("các công đoàn cơ sở" -> "công đoàn cơ sở")
    key: str  # normalized key, one per body (ingest/actors.py)


class Deadline(BaseModel):
    text: str  # the source's words ("trước ngày 30/6/2024", "hằng năm")
    date: str | None = None  # ISO, when one can be determined
    recurrence: Literal["yearly", "quarterly", "monthly", "periodic"] | None = None


class Mandate(BaseModel):
    """One assignment: who must do what, with whom, by when, reporting to whom (ingest/mandates.py)."""

    mandate_id: str
    doc_id: str
    paragraph_id: str
    section: str = ""
    basis_number: str | None = None  # number of the document that gives the task (an attached copy's own)
    text: str  # the verbatim sentence(s)
    action: str  # the verbatim span of the task
    text_start: int  # offsets of `text` in the paragraph's text
    text_end: int
    assignees: list[ActorRef] = Field(default_factory=list)
    partners: list[ActorRef] = Field(default_factory=list)
    assigned_by: ActorRef | None = None
    reports_to: list[ActorRef] = Field(default_factory=list)
    deadline: Deadline | None = None
    product: str | None = None
    flags: list[str] = Field(default_factory=list)
    source: Literal["prose", "request", "carried", "list", "heading", "table"] = "prose"
    format_version: int = MANDATE_FORMAT_VERSION


class SkippedFile(BaseModel):
    path: str
    reason: str


class Corpus(BaseModel):
    documents: list[Document] = Field(default_factory=list)
    paragraphs: list[Paragraph] = Field(default_factory=list)
    skipped: list[SkippedFile] = Field(default_factory=list)
    mandates: list[Mandate] = Field(default_factory=list)

    def paragraphs_of(self, doc_id: str) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.doc_id == doc_id]
