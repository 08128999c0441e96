"""Mandate fields: a draft or a table row -> a `models.Mandate` with its partners, deadline and flags.

Consumes a `Draft` (ingest/mandate_drafts.py) with the paragraph it was found in, or a row of an
assignment table; produces the `Mandate`: partners ("phối hợp với ..."), who reports to whom, the
deadline (ingest/deadlines.py), the product, who gave it, and flags for what is missing or vague
("không nêu thời hạn", "phối hợp chưa cụ thể").
"""

from __future__ import annotations

import re

from ingest.actor_lists import read_actor_list
from ingest.actors import is_unnamed
from ingest.deadlines import find_deadline, vague_time
from ingest.mandate_drafts import DocumentReader, Draft
from ingest.mandate_text import PRODUCT, read_partners, read_reports_to, refs
from ingest.models import ActorRef, Deadline, Mandate, Paragraph
from ingest.normalize import normalize


def finish(
    reader: DocumentReader,
    paragraph: Paragraph,
    text: str,
    draft: Draft,
    number: int,
    scope_giver: ActorRef | None,
) -> Mandate:
    """The mandate of a draft found in `text` (the paragraph's normalized text), numbered `number`."""
    low = text.lower()
    body = text[draft.start : draft.end]
    partners = read_partners(reader.resolve, text, low, draft.action_start, draft.end) or draft.partners
    deadline = find_deadline(body, reader.year, normalized=True)
    product = PRODUCT.search(body.lower())
    giver = draft.giver or scope_giver or reader.default_giver(paragraph)
    # spans found on the normalized text; quoted from the source (same length, so same offsets)
    verbatim = paragraph.text if len(paragraph.text) == len(text) else text
    return build_mandate(
        reader,
        paragraph,
        number=number,
        text=verbatim,
        start=draft.start,
        end=draft.end,
        action=verbatim[draft.action_start : draft.end],
        assignees=draft.assignees,
        partners=partners,
        giver=giver,
        reports_to=read_reports_to(reader.resolve, text, low, draft.action_start, draft.end),
        deadline=deadline,
        product=body[product.start("p") : product.end("p")].strip() if product else None,
        source=draft.source,
        body=body,
    )


def build_mandate(
    reader: DocumentReader,
    paragraph: Paragraph,
    *,
    number: int,
    text: str,
    start: int,
    end: int,
    action: str,
    assignees: list[ActorRef],
    partners: list[ActorRef],
    giver: ActorRef | None,
    reports_to: list[ActorRef],
    deadline: Deadline | None,
    product: str | None,
    source: str,
    body: str,
) -> Mandate:
    """A `Mandate` quoting text[start:end], with flags for what it leaves unsaid (no deadline, vague
    partners, no giver ...); `body` is where a vague time word is looked for."""
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
        basis_number=paragraph.attached_number or reader.document.number,
        text=text[start:end].strip(),
        action=action.strip(" ,;").removesuffix("/.").rstrip(" ./") or action.strip(),  # no "./." end mark
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


def table_row(reader: DocumentReader, paragraph: Paragraph, row: dict[str, str]) -> Mandate | None:
    """The mandate of one row of an assignment table (ingest/tables.py), or None without assignees."""

    def actors(cell: str) -> list[ActorRef]:
        out: list[ActorRef] = []
        for part in re.split(r"[;\n]", normalize(cell or "")):
            part = part.strip(" .,")
            if not part or part in ("-", "x"):
                continue
            found = read_actor_list(part, part.lower(), 0)
            named = (
                refs(part, found.names, reader.resolve) if found and found.names else [reader.resolve(part)]
            )
            out += [r for r in named if r.key not in {o.key for o in out}]
        return out

    assignees = actors(row.get("assignees", ""))
    if not assignees or not row.get("action"):
        return None
    cell = row.get("deadline", "").strip()
    deadline = find_deadline(cell, reader.year, bare=True) if cell else None
    if deadline is None and cell and cell not in ("-",):
        deadline = Deadline(text=cell) if not vague_time(cell) else None
    text = paragraph.text
    action = row["action"]
    at = max(text.find(action), 0)
    return build_mandate(
        reader,
        paragraph,
        number=0,
        text=text,
        start=0,
        end=len(text),
        action=action,
        assignees=assignees,
        partners=actors(row.get("partners", "")),
        giver=reader.default_giver(paragraph),
        reports_to=[],
        deadline=deadline,
        product=(row.get("product") or "").strip() or None,
        source="table",
        body=cell if deadline is None else text[at:],
    )
