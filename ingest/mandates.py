"""Mandates: who must do what, with whom, by when, reporting to whom — read from structured paragraphs.

Consumes a corpus's `Document`s and `Paragraph`s (after ingest) and the word lists of
resources/mandate_verbs.txt, actor_heads.txt, actors.tsv, deadlines.txt; produces `models.Mandate`s.
This module walks a document's paragraphs and keeps the scope a list of tasks inherits; a sentence's
draft is read by ingest/mandate_drafts.py, its fields by ingest/mandate_fields.py.

A mandate is found where
- a body asks another to act: "Ban Bí thư yêu cầu các cấp ủy ...", "đề nghị các công đoàn cơ sở ...",
  "Thứ trưởng ... yêu cầu Cục ... khẩn trương tham mưu ..." (kept in news, with who gave it);
- a sentence of an administrative document opens with an actor and an action verb: "Đảng ủy Công an
  Trung ương chủ trì, phối hợp với ...", "Các cấp ủy có trách nhiệm ...";
- a sentence opens "Chủ trì, phối hợp ..." after such a sentence (the actor carries over);
- an item of tasks follows a request that announces a list ("... thực hiện một số nội dung sau:"), or
  a heading that names an actor ("3. Ban Tuyên giáo Tỉnh ủy:");
- a row of an assignment table (ingest/tables.py).
Not mandates: narrative with "đã/vừa/đang/được ...", "chủ trì Hội nghị", "sau khi nghe ... báo cáo",
captions, and an actor-verb sentence of a news article outside a reported list of tasks.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ingest.actor_lists import head_at, read_actor_list
from ingest.mandate_drafts import DocumentReader, Draft
from ingest.mandate_fields import finish, table_row
from ingest.mandate_text import (
    MODAL,
    NON_TASK_HEADING,
    leads_in,
    may_hold_pattern,
    normalized,
    refs,
    sentences,
    starts_with,
    variants,
)
from ingest.models import ActorRef, Document, Mandate, Paragraph
from ingest.sections import LEADING_NUMBERING, ancestors, within
from ingest.tables import CELL_SEPARATOR, parse_row

SKIPPED_KINDS = {"caption", "signature", "recipients", "header"}
HEADING_WORDS = 12
HEADING_CHARS = 160  # longer paragraphs are never an actor heading ("3. Ban Tuyên giáo Tỉnh ủy:")


@dataclass
class _Scope:
    """Actors that items below a request or an actor heading inherit."""

    names: list[ActorRef]
    partners: list[ActorRef]
    giver: ActorRef | None
    section: str
    attached: str | None
    source: str
    preamble: bool = False  # a request before the first numbered heading: its list runs through the body


def _in_scope(paragraph: Paragraph, scope: _Scope) -> bool:
    if paragraph.attached_number != scope.attached:
        return False
    if scope.preamble:
        return True
    if not scope.section:
        return paragraph.kind != "heading" or len(paragraph.text.split()) >= HEADING_WORDS
    return within(paragraph.section, scope.section)


def _heading_actor(reader: DocumentReader, text: str, is_heading: bool) -> list[ActorRef] | None:
    """ "3. Ban Tuyên giáo Tỉnh ủy:" -> its actors; None when the heading is not just an actor list.
    A body paragraph needs the colon (a lone name may be a flattened table cell); a heading does not."""
    text = text.strip()
    if len(text) > HEADING_CHARS:
        return None
    numbering = LEADING_NUMBERING.match(text)
    body = text[numbering.end() :] if numbering else text
    if not body or len(body.split()) > 14 or not (body.endswith(":") or is_heading and body[-1].isalpha()):
        return None
    body = body.rstrip(" :.")
    found = read_actor_list(body, body.lower(), 0)
    if found and found.names and not found.closed_by_verb and found.end >= len(body.rstrip()):
        return refs(body, found.names, reader.resolve)
    return None


def extract_mandates(documents: list[Document], paragraphs: list[Paragraph]) -> list[Mandate]:
    """Every mandate of the corpus, in document and paragraph order."""
    issuers = {d.number: d.issuer for d in documents if d.number}
    by_doc: dict[str, list[Paragraph]] = {}
    for p in paragraphs:
        by_doc.setdefault(p.doc_id, []).append(p)
    out: list[Mandate] = []
    for document in documents:
        out += _document_mandates(DocumentReader(document, issuers), by_doc.get(document.doc_id, []))
    return out


def _document_mandates(reader: DocumentReader, paragraphs: list[Paragraph]) -> list[Mandate]:
    out: list[Mandate] = []
    scope: _Scope | None = None
    headings: dict[str, str] = {}  # section -> its heading, lower case
    for paragraph in paragraphs:
        if paragraph.kind in SKIPPED_KINDS:
            continue
        if scope and not _in_scope(paragraph, scope):
            scope = None
        row = parse_row(paragraph.text)
        if row is not None:
            mandate = table_row(reader, paragraph, row)
            if mandate:
                out.append(mandate)
            continue
        if (
            scope is None
            and len(paragraph.text) > HEADING_CHARS
            and CELL_SEPARATOR not in paragraph.text
            and unicodedata.is_normalized("NFC", paragraph.text)
            and not variants()[1].search(paragraph.text)
            and not may_hold_pattern().search(paragraph.text.lower())
        ):
            continue
        text = normalized(paragraph.text)
        text = text if len(text) == len(paragraph.text) else paragraph.text
        named = _heading_actor(reader, text, paragraph.kind == "heading")
        if named:
            scope = _Scope(
                named,
                [],
                reader.default_giver(paragraph),
                paragraph.section,
                paragraph.attached_number,
                "heading",
            )
            continue
        if paragraph.kind == "heading" and len(paragraph.text.split()) < HEADING_WORDS:
            headings[paragraph.section] = text.lower()
            continue  # a long "heading" is a sentence the layout rules could not place (a one-paragraph text)
        drafts = _paragraph_drafts(reader, text, None if _not_tasks(paragraph.section, headings) else scope)
        for number, draft in enumerate(drafts):
            mandate = finish(reader, paragraph, text, draft, number, scope.giver if scope else None)
            out.append(mandate)
            if draft.leads_in:
                scope = _Scope(
                    draft.assignees,
                    mandate.partners,
                    mandate.assigned_by,
                    paragraph.section,
                    paragraph.attached_number,
                    "list",
                    preamble=not paragraph.section and not reader.is_news,
                )
    return out


def _not_tasks(section: str, headings: dict[str, str]) -> bool:
    """Under a heading such as "Mục tiêu, yêu cầu" or "Kết quả thực hiện": items there are no tasks."""
    above = (headings.get(path, "") for path in ancestors(section))
    return any(heading and NON_TASK_HEADING.search(heading) for heading in above)


def _paragraph_drafts(reader: DocumentReader, text: str, scope: _Scope | None) -> list[Draft]:
    """Drafts of the mandates of one paragraph's (normalized) text."""
    low = text.lower()
    drafts: list[Draft] = []
    for index, (s, e) in enumerate(sentences(text)):
        own = reader.own_mandate(text, low, s, e, in_list=scope is not None)
        if own:
            # a request that announces a list, or reported speech ("Thứ trưởng nhấn mạnh: ...")
            own.leads_in = leads_in(text[s:e]) or own.speech
            drafts.append(own)
            continue
        numbering = LEADING_NUMBERING.match(text[s:e])
        body = s + (numbering.end() if numbering else 0)
        if drafts and starts_with(low, body, "carry"):
            last = drafts[-1]
            drafts.append(Draft(s, e, body, last.assignees, last.giver, "carried"))
            continue
        modal = MODAL.search(low, body, e) and not head_at(low, body)
        if (
            not drafts
            and index == 0
            and scope
            and (
                starts_with(low, body, "imperative_starts")
                or modal
                or (
                    scope.source == "heading"
                    and numbering
                    and not head_at(low, body)
                    and not starts_with(low, body, "narrative_openers")
                )
            )
        ):
            drafts.append(Draft(s, e, body, scope.names, scope.giver, scope.source, list(scope.partners)))
            continue
        if drafts:
            drafts[-1].end = e  # an actor-less sentence continues the task before it
    return drafts
