"""Reference links: each reference pointed at the corpus document it names, and attached copies.

Consumes all `Document`s of a corpus with their `Reference`s (and the paragraphs, for attached copies);
produces `Reference.target_doc_id` (by number, or for a short form "Chỉ thị số 09" by type, leading
number and an agreeing issuer or title) and one "attaches" reference per document a letter carries in
full, in place of the references found inside that copy.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from ingest.access_level import opens_to
from ingest.doctypes import type_from_number
from ingest.models import Document, Paragraph, Reference
from ingest.normalize import fold_accents
from ingest.numbers import number_key
from ingest.orgnames import same_body

MIN_TITLE_COVERAGE = 0.8  # share of the document title's word pairs found in the citation's title


@lru_cache(maxsize=65536)
def _pairs(text: str) -> frozenset[tuple[str, str]]:
    words = re.findall(r"[a-z0-9]+", fold_accents(text))
    if words[:1] == ["ve"]:
        words = words[1:]
    return frozenset(zip(words, words[1:]))


def title_coverage(document_title: str | None, cited_title: str | None) -> float:
    """Share of the document title's word pairs that the citation's "về ..." title contains."""
    if not document_title or not cited_title:
        return 0.0
    own = _pairs(document_title)
    return len(own & _pairs(cited_title)) / len(own) if own else 0.0


def link_references(documents: list[Document]) -> None:
    """Set target_doc_id of every reference whose number is a corpus document's number.

    A short form left without a number ("Chỉ thị số 09 của Ban Bí thư về ...") is resolved against the
    corpus when exactly one document has that type and leading number and the mention's issuer or
    title agrees with it.
    """
    by_number: dict[str, Document] = {}
    for document in documents:
        key = number_key(document.number)
        if key and key not in by_number:
            by_number[key] = document
    # A short form is completed only from documents every reader of the citing one may read: the number
    # it takes ("12" -> "12-KH/TU") is shown with the citing document.
    readable_by_level: dict[str, list[Document]] = {}
    for document in documents:
        level = json.dumps(document.access)
        for reference in document.references:
            if not reference.number:
                if level not in readable_by_level:
                    readable_by_level[level] = [d for d in documents if opens_to(d.access, document.access)]
                _resolve_short_form(reference, readable_by_level[level])
            target = by_number.get(number_key(reference.number))
            reference.target_doc_id = target.doc_id if target and target.doc_id != document.doc_id else None


def _resolve_short_form(reference: Reference, documents: list[Document]) -> None:
    digits = re.search(r"(\d+)\s*$", reference.mention)
    if not digits:
        return
    lead = digits.group(1).lstrip("0") or "0"
    matches = []
    for document in documents:
        number = re.match(r"\d+", document.number or "")
        if (
            not number
            or (number.group(0).lstrip("0") or "0") != lead
            or document.doc_type != reference.doc_type
        ):
            continue
        agrees = same_body(document.issuer, reference.issuer) or (
            title_coverage(document.title, reference.title) >= MIN_TITLE_COVERAGE
        )
        if agrees:
            matches.append(document)
    if len(matches) == 1:
        reference.number = matches[0].number


def attached_references(documents: list[Document], paragraphs: list[Paragraph]) -> None:
    """A letter that carries another document's full text (paragraphs with `attached_number`) attaches it:
    its references found inside that text are the attached document's own and go; one "attaches"
    reference stands for the copy. Runs after ingest.dedupe.mark_attached_copies."""
    by_number = {number_key(d.number): d.doc_id for d in documents if d.number}
    first_attached: dict[str, dict[str, Paragraph]] = {}
    for paragraph in paragraphs:
        if paragraph.attached_number:
            first_attached.setdefault(paragraph.doc_id, {}).setdefault(paragraph.attached_number, paragraph)
    for document in documents:
        copies = first_attached.get(document.doc_id)
        if not copies:
            continue
        inside = {p.paragraph_id for p in paragraphs if p.doc_id == document.doc_id and p.attached_number}
        kept = [r for r in document.references if r.paragraph_id not in inside]
        for number, paragraph in copies.items():
            if number_key(number) == number_key(document.number):
                continue
            kept.append(
                Reference(
                    number=number,
                    doc_type=type_from_number(number),
                    relation="attaches",
                    paragraph_id=paragraph.paragraph_id,
                    mention=f"{number} (toàn văn kèm theo)",
                    sentence=paragraph.text[:300],
                    target_doc_id=by_number.get(number_key(number)),
                )
            )
        document.references = kept
