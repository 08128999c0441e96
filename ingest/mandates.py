"""Mandates: who must do what, with whom, by when, reporting to whom — read from structured paragraphs.

Consumes a corpus's `Document`s and `Paragraph`s (after ingest) and the word lists of
resources/mandate_verbs.txt, actor_heads.txt, actors.tsv, deadlines.txt; produces `models.Mandate`s.

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

import re
import unicodedata
from dataclasses import dataclass, field

from ingest.actors import _phrase_at, actor_key, head_at, is_unnamed, read_actor_list
from ingest.deadlines import find_deadline, vague_time
from ingest.mandate_text import (
    MODAL,
    NON_TASK_HEADING,
    NOUN_BEFORE,
    NUMBERING,
    PRODUCT,
    leads_in,
    may_hold_pattern,
    normalized,
    read_partners,
    read_reports_to,
    refs,
    request_pattern,
    sentences,
    starts_with,
    variants,
)
from ingest.models import ActorRef, Deadline, Document, Mandate, Paragraph
from ingest.normalize import normalize
from ingest.tables import CELL_SEPARATOR, parse_row

NEWS_TYPES = {"Tin bài"}
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


@dataclass
class _Draft:
    start: int
    end: int
    action_start: int
    assignees: list[ActorRef]
    giver: ActorRef | None
    source: str
    partners: list[ActorRef] = field(default_factory=list)
    leads_in: bool = False
    speech: bool = False  # given as reported speech ("nhấn mạnh: ..."); the paragraphs after it continue it


class _DocumentReader:
    def __init__(self, document: Document, issuers: dict[str, str | None]):
        self.document = document
        self.issuers = issuers  # document number -> issuer, for attached copies
        self.is_news = (document.doc_type or "") in NEWS_TYPES
        self.year = int(document.date[:4]) if document.date else None
        self.issuer_key = actor_key(document.issuer) if document.issuer else ""

    def resolve(self, name: str) -> ActorRef:
        name = " ".join(name.split())
        key = actor_key(name)
        # "Liên đoàn Lao động huyện" in a letter of "Liên đoàn Lao động huyện Dương Minh Châu": the issuer
        if self.issuer_key and key.count("-") >= 2 and self.issuer_key.startswith(key + "-"):
            return ActorRef(name=self.document.issuer, key=self.issuer_key)
        return ActorRef(name=name, key=key)

    def default_giver(self, paragraph: Paragraph) -> ActorRef | None:
        if paragraph.attached_number:
            issuer = self.issuers.get(paragraph.attached_number)
            return ActorRef(name=issuer, key=actor_key(issuer)) if issuer else None
        if self.is_news or not self.document.issuer:
            return None
        return ActorRef(name=self.document.issuer, key=self.issuer_key)

    # -- one sentence ----------------------------------------------------------------------------

    def own_mandate(self, text: str, low: str, s: int, e: int, in_list: bool) -> _Draft | None:
        body = s + len(NUMBERING.match(text[s:e]).group(0)) if NUMBERING.match(text[s:e]) else s
        request = self._request(text, low, body, e)
        if request:
            return request
        if self.is_news and not in_list:
            return None
        if starts_with(low, body, "narrative_openers") or starts_with(low, body, "heard"):
            return None
        starts = [body]
        if starts_with(low, body, "intro_openers"):
            starts += [body + m.end() for m in re.finditer(r",\s+", low[body:e])]
        for pos in starts:
            found = read_actor_list(text[:e], low[:e], pos)
            if (
                found
                and found.names
                and found.closed_by_verb
                and not self._event(low, found.end)
                and not self._self_reference(low, found.end, e)
            ):
                return _Draft(s, e, found.end, refs(text, found.names, self.resolve), None, "prose")
        return None

    def _self_reference(self, low: str, pos: int, end: int) -> bool:
        """ "... ban hành Kế hoạch thực hiện như sau:": the document introducing itself, no task."""
        verb = starts_with(low, pos, "self_reference")
        kind = normalize(self.document.doc_type or "").lower()
        return bool(
            verb and kind and low[pos + len(verb) : end].lstrip().startswith(kind) and leads_in(low[pos:end])
        )

    def _event(self, low: str, pos: int) -> bool:
        """ "chủ trì Hội nghị", "tổ chức Hội nghị giao ban": an event reported, not a task."""
        verb = _phrase_at(low, pos, ["chủ trì", "tổ chức", "dự", "tham dự"])
        if not verb:
            return False
        after = pos + len(verb)
        while after < len(low) and low[after] == " ":
            after += 1
        return bool(starts_with(low, after, "event_objects"))

    def _request(self, text: str, low: str, body: int, e: int) -> _Draft | None:
        for m in request_pattern().finditer(low, body, e):
            trigger = m.group(0)
            at = m.start()
            if text[at].isupper() and at != body:
                continue
            if NOUN_BEFORE.search(low, max(body, at - 10), at):
                continue  # "theo yêu cầu", "đáp ứng yêu cầu": a noun, no request
            pos = at + len(trigger)
            while pos < e and low[pos] == " ":
                pos += 1
            if low.startswith("cho ", pos):
                pos += 4
            found = read_actor_list(text[:e], low[:e], pos)
            if not (found and found.names and found.closed_by_verb):
                continue
            clause = max(low.rfind(", ", body, at), low.rfind(": ", body, at))
            gstart = clause + 2 if clause >= 0 else body
            if starts_with(low, gstart, "heard"):
                continue
            giver_list = read_actor_list(text[:at].rstrip(), low[:at].rstrip(), gstart)
            giver = None
            if giver_list and giver_list.names:
                g = giver_list.names[0]
                giver = self.resolve(text[g[0] : g[1]])
            return _Draft(
                body,
                e,
                found.end,
                refs(text, found.names, self.resolve),
                giver,
                "request",
                speech=trigger.endswith(":"),
            )
        return None

    # -- fields ------------------------------------------------------------------------------------

    def finish(
        self, paragraph: Paragraph, text: str, draft: _Draft, number: int, scope: _Scope | None
    ) -> Mandate:
        low = text.lower()
        body = text[draft.start : draft.end]
        partners = read_partners(self.resolve, text, low, draft.action_start, draft.end) or draft.partners
        deadline = find_deadline(body, self.year, normalized=True)
        product = PRODUCT.search(body.lower())
        giver = draft.giver or (scope.giver if scope else None) or self.default_giver(paragraph)
        # spans found on the normalized text; quoted from the source (same length, so same offsets)
        verbatim = paragraph.text if len(paragraph.text) == len(text) else text
        return self.mandate(
            paragraph,
            number,
            verbatim,
            draft.start,
            draft.end,
            verbatim[draft.action_start : draft.end],
            draft.assignees,
            partners,
            giver,
            read_reports_to(self.resolve, text, low, draft.action_start, draft.end),
            deadline,
            body[product.start("p") : product.end("p")].strip() if product else None,
            draft.source,
            body,
        )

    def mandate(
        self,
        paragraph,
        number,
        text,
        start,
        end,
        action,
        assignees,
        partners,
        giver,
        reports_to,
        deadline,
        product,
        source,
        body,
    ) -> Mandate:
        flags = []
        if deadline is None:
            flags.append("không nêu thời hạn")
            if vague_time(body, normalized=True):
                flags.append("thời hạn chưa cụ thể")
        if any(is_unnamed(a.name) for a in assignees):
            flags.append("chủ trì chưa cụ thể")
        if any(is_unnamed(a.name) for a in partners):
            flags.append("phối hợp chưa cụ thể")
        if not product:
            flags.append("không nêu sản phẩm")
        if giver is None:
            flags.append("không nêu cơ quan giao")
        return Mandate(
            mandate_id=f"{paragraph.paragraph_id}-m{number}",
            doc_id=paragraph.doc_id,
            paragraph_id=paragraph.paragraph_id,
            section=paragraph.section,
            basis_number=paragraph.attached_number or self.document.number,
            text=text[start:end].strip(),
            action=action.strip(" ,;").removesuffix("/.").rstrip(" ./")
            or action.strip(),  # no "./." end mark
            text_start=start,
            text_end=end,
            assignees=assignees,
            partners=[p for p in partners if p.key not in {a.key for a in assignees}],
            assigned_by=giver,
            reports_to=reports_to,
            deadline=deadline,
            product=product,
            flags=flags,
            source=source,
        )

    # -- a table row -------------------------------------------------------------------------------

    def table_row(self, paragraph: Paragraph, row: dict[str, str]) -> Mandate | None:
        def actors(cell: str) -> list[ActorRef]:
            out: list[ActorRef] = []
            for part in re.split(r"[;\n]", normalize(cell or "")):
                part = part.strip(" .,")
                if not part or part in ("-", "x"):
                    continue
                found = read_actor_list(part, part.lower(), 0)
                named = (
                    refs(part, found.names, self.resolve) if found and found.names else [self.resolve(part)]
                )
                out += [r for r in named if r.key not in {o.key for o in out}]
            return out

        assignees = actors(row.get("assignees", ""))
        if not assignees or not row.get("action"):
            return None
        cell = row.get("deadline", "").strip()
        deadline = find_deadline(cell, self.year, bare=True) if cell else None
        if deadline is None and cell and cell not in ("-",):
            deadline = Deadline(text=cell) if not vague_time(cell) else None
        text = paragraph.text
        action = row["action"]
        at = max(text.find(action), 0)
        return self.mandate(
            paragraph,
            0,
            text,
            0,
            len(text),
            action,
            assignees,
            actors(row.get("partners", "")),
            self.default_giver(paragraph),
            [],
            deadline,
            (row.get("product") or "").strip() or None,
            "table",
            cell if deadline is None else text[at:],
        )


def _in_scope(paragraph: Paragraph, scope: _Scope) -> bool:
    if paragraph.attached_number != scope.attached:
        return False
    if scope.preamble:
        return True
    if not scope.section:
        return paragraph.kind != "heading" or len(paragraph.text.split()) >= HEADING_WORDS
    return paragraph.section == scope.section or paragraph.section.startswith(scope.section + ".")


def _heading_actor(reader: _DocumentReader, text: str, is_heading: bool) -> list[ActorRef] | None:
    """ "3. Ban Tuyên giáo Tỉnh ủy:" -> its actors; None when the heading is not just an actor list.
    A body paragraph needs the colon (a lone name may be a flattened table cell); a heading does not."""
    text = text.strip()
    if len(text) > HEADING_CHARS:
        return None
    numbering = NUMBERING.match(text)
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
        out += _document_mandates(_DocumentReader(document, issuers), by_doc.get(document.doc_id, []))
    return out


def _document_mandates(reader: _DocumentReader, paragraphs: list[Paragraph]) -> list[Mandate]:
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
            mandate = reader.table_row(paragraph, row)
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
            mandate = reader.finish(paragraph, text, draft, number, scope)
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
    parts = section.split(".") if section else []
    for n in range(1, len(parts) + 1):
        heading = headings.get(".".join(parts[:n]), "")
        if heading and NON_TASK_HEADING.search(heading):
            return True
    return False


def _paragraph_drafts(reader: _DocumentReader, text: str, scope: _Scope | None) -> list[_Draft]:
    """Drafts of the mandates of one paragraph's (normalized) text."""
    low = text.lower()
    drafts: list[_Draft] = []
    for index, (s, e) in enumerate(sentences(text)):
        own = reader.own_mandate(text, low, s, e, in_list=scope is not None)
        if own:
            # a request that announces a list, or reported speech ("Thứ trưởng nhấn mạnh: ...")
            own.leads_in = leads_in(text[s:e]) or own.speech
            drafts.append(own)
            continue
        numbering = NUMBERING.match(text[s:e])
        body = s + (numbering.end() if numbering else 0)
        if drafts and starts_with(low, body, "carry"):
            last = drafts[-1]
            drafts.append(_Draft(s, e, body, last.assignees, last.giver, "carried"))
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
            drafts.append(_Draft(s, e, body, scope.names, scope.giver, scope.source, list(scope.partners)))
            continue
        if drafts:
            drafts[-1].end = e  # an actor-less sentence continues the task before it
    return drafts
