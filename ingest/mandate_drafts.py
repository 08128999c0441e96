"""Mandate drafts: one sentence of a document -> who is asked to act there, before the fields are read.

Consumes a `Document` (its issuer, type and date) and the normalized text of one of its sentences;
produces a `Draft` (the sentence's span, where the action starts, the assignees, who gave the task and
how it was found: "request" for "A yêu cầu B ...", "prose" for "B chủ trì ...") or None. The word lists
are those of ingest/mandate_text.py; ingest/mandate_fields.py turns a draft into a `Mandate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.actor_lists import read_actor_list
from ingest.actors import actor_key
from ingest.doctypes import NEWS_TYPE
from ingest.mandate_text import NOUN_BEFORE, leads_in, refs, request_pattern, starts_with
from ingest.models import ActorRef, Document, Paragraph
from ingest.normalize import normalize
from ingest.phrases import phrase_at
from ingest.sections import LEADING_NUMBERING


@dataclass
class Draft:
    """A mandate found in a sentence before its fields are read: its span, actors, giver and source."""

    start: int
    end: int
    action_start: int
    assignees: list[ActorRef]
    giver: ActorRef | None
    source: str
    partners: list[ActorRef] = field(default_factory=list)
    leads_in: bool = False
    speech: bool = False  # given as reported speech ("nhấn mạnh: ..."); the paragraphs after it continue it


class DocumentReader:
    """One document's context for reading its mandates: its issuer, year, news or not; sentences -> drafts."""

    def __init__(self, document: Document, issuers: dict[str, str | None]):
        self.document = document
        self.issuers = issuers  # document number -> issuer, for attached copies
        self.is_news = document.doc_type == NEWS_TYPE
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

    def own_mandate(self, text: str, low: str, s: int, e: int, in_list: bool) -> Draft | None:
        body = (
            s + len(LEADING_NUMBERING.match(text[s:e]).group(0)) if LEADING_NUMBERING.match(text[s:e]) else s
        )
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
                return Draft(s, e, found.end, refs(text, found.names, self.resolve), None, "prose")
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
        verb = phrase_at(low, pos, ["chủ trì", "tổ chức", "dự", "tham dự"])
        if not verb:
            return False
        after = pos + len(verb)
        while after < len(low) and low[after] == " ":
            after += 1
        return bool(starts_with(low, after, "event_objects"))

    def _request(self, text: str, low: str, body: int, e: int) -> Draft | None:
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
            return Draft(
                body,
                e,
                found.end,
                refs(text, found.names, self.resolve),
                giver,
                "request",
                speech=trigger.endswith(":"),
            )
        return None
