"""Exact document-number lookup: the numbers a query names and the corpus documents that carry them.

Consumes the corpus documents (number, type, date, references) and a query; produces the `NamedNumber`s
of the query (a whole number with its suffix, "463/UBND-VX" is not "463/UBND-KTN"; a type and leading
number, "Quyết định 224"; a short form, "KL44", "CT 09"; each with the year or date the query gives,
"năm 2022", "Quyết định 11/2021") and, per named number, the documents whose own number it is. A number
no document carries gets a notice ("Kho chưa có Kết luận 45; có: Kết luận 44") with the documents that
cite it; a query that is nothing but references gets the named documents' cards, not an answer sentence.
`NumberTable` is built once per searcher (index.searcher.Searcher).
"""

from __future__ import annotations

import re

import numpy as np

from index.fusion import Ranking, promote, put_first
from index.named_numbers import NamedNumber, is_reference_only, named_numbers
from index.types import (
    CitingDocument,
    DocumentCard,
    NumberLookup,
    RelatedDocument,
    SearchResponse,
    document_url,
    paragraph_url,
)
from ingest.doctypes import type_from_number
from ingest.models import Document, Reference
from ingest.numbers import lead_number, number_key

IMPLEMENTING = ("implements", "continues")
MAX_ALTERNATIVES = 3
MAX_CITING = 10
MAX_VIEWS = 64  # NumberTable.readable_by views kept (one per distinct set of readable documents)
LEAD_PARAGRAPHS = 3  # a named document absent from the ranking is shown by its first paragraphs


def _year_of(document: Document) -> int | None:
    if document.date and document.date[:4].isdigit():
        return int(document.date[:4])
    found = re.search(r"/((?:19|20)\d\d)/", document.number or "")
    return int(found.group(1)) if found else None


class NumberTable:
    """Documents by whole number, by type and leading number, and the references citing each number."""

    def __init__(self, documents: list[Document]):
        self.documents = {d.doc_id: d for d in documents}
        self.by_full: dict[str, list[Document]] = {}
        self.by_type_leading: dict[tuple[str | None, str], list[Document]] = {}
        for d in documents:
            if not d.number:
                continue
            self.by_full.setdefault(number_key(d.number), []).append(d)
            digits = re.match(r"\d+", d.number)
            if digits:
                doc_type = d.doc_type or type_from_number(d.number)
                self.by_type_leading.setdefault((doc_type, lead_number(digits.group(0))), []).append(d)
                self.by_type_leading.setdefault((None, lead_number(digits.group(0))), []).append(d)
        self._incoming: dict[str, list[tuple[Document, Reference]]] | None = None
        self._citations: dict[str, list[tuple[Document, Reference]]] | None = None
        self._views: dict[frozenset[str], NumberTable] = {}  # readable_by, per set of readable documents

    def readable_by(self, doc_ids: frozenset[str] | None) -> NumberTable:
        """The table as a reader of only `doc_ids` sees it (None: every document): the others are absent
        and references to them point at no corpus document, as an unknown number would (index.access)."""
        if doc_ids is None:
            return self
        if doc_ids not in self._views:
            if len(self._views) >= MAX_VIEWS:
                self._views.clear()
            self._views[doc_ids] = NumberTable(
                [_unlinked(d, doc_ids) for d in self.documents.values() if d.doc_id in doc_ids]
            )
        return self._views[doc_ids]

    def incoming(self, doc_id: str) -> list[tuple[Document, Reference]]:
        if self._incoming is None:  # built on the first relation question or card
            self._incoming = {}
            for d in self.documents.values():
                for r in d.references:
                    if r.target_doc_id and r.target_doc_id != d.doc_id:
                        self._incoming.setdefault(r.target_doc_id, []).append((d, r))
        return self._incoming.get(doc_id, [])

    def resolve(self, named: NamedNumber) -> list[Document]:
        """The documents whose own number `named` is, most recent first."""
        if named.full:
            docs = list(self.by_full.get(named.full, []))
        else:
            docs = list(self.by_type_leading.get((named.doc_type, named.leading), []))
        if named.year is not None:
            dated = [d for d in docs if _year_of(d) == named.year]
            # a whole number is the document even when the query's year speaks of something else
            docs = dated if dated or not named.full else docs
        return sorted(docs, key=lambda d: d.date or "", reverse=True)

    def cites(self, reference: Reference, named: NamedNumber) -> bool:
        """Whether `reference` names the number `named` asks for."""
        if named.full:
            return number_key(reference.number) == named.full
        digits = re.search(r"(\d+)", reference.number or reference.mention)
        if not digits or lead_number(digits.group(1)) != named.leading:
            return False
        if named.doc_type and (reference.doc_type or type_from_number(reference.number)) != named.doc_type:
            return False
        year = named.year
        return (
            year is None
            or str(year) in (reference.number or "")
            or (reference.date or "").startswith(str(year))
        )

    def alternatives(self, named: NamedNumber) -> list[str]:
        """What the corpus has instead: same type and number (other suffix or year), else the nearest numbers."""
        same = self.by_type_leading.get((named.doc_type, named.leading), [])
        if named.full or named.year:
            picked = same
        else:
            picked = []
        if not picked and named.doc_type:
            pool = [d for (t, _), ds in self.by_type_leading.items() if t == named.doc_type for d in ds]
            picked = sorted(
                pool, key=lambda d: abs(int(re.match(r"\d+", d.number).group(0)) - int(named.leading))
            )
        labels = [
            f"{d.doc_type or named.doc_type or ''} {d.number}".strip()
            + (f" ({_year_of(d)})" if _year_of(d) else "")
            for d in picked
        ]
        return list(dict.fromkeys(labels))[:MAX_ALTERNATIVES]

    def _citations_of(self, named: NamedNumber) -> list[tuple[Document, Reference]]:
        """The references that may cite `named`, in corpus order: those with its whole number or, for a
        type and leading number, with that leading number (`cites` decides; a scan of every reference of
        a large corpus took milliseconds per query)."""
        if self._citations is None:
            self._citations = {}
            for d in self.documents.values():
                for r in d.references:
                    digits = re.search(r"(\d+)", r.number or r.mention)
                    keys = {number_key(r.number) if r.number else None}
                    keys.add(f"lead:{lead_number(digits.group(1))}" if digits else None)
                    for key in keys - {None}:
                        self._citations.setdefault(key, []).append((d, r))
        return self._citations.get(named.full if named.full else f"lead:{named.leading}", [])

    def citing(self, named: NamedNumber) -> list[CitingDocument]:
        out, citing_documents = [], set()
        for d, r in self._citations_of(named):
            if d.doc_id not in citing_documents:
                if self.cites(r, named):
                    citing_documents.add(d.doc_id)
                    out.append(
                        CitingDocument(
                            doc_id=d.doc_id,
                            number=d.number,
                            type=d.doc_type,
                            title=d.title,
                            sentence=r.sentence,
                            paragraph_id=r.paragraph_id,
                            url=paragraph_url(d.doc_id, r.paragraph_id),
                        )
                    )  # one line per citing document: its first reference to the number
        return out[:MAX_CITING]

    def card(self, document: Document) -> DocumentCard:
        def related(ref: Reference) -> RelatedDocument:
            target = self.documents.get(ref.target_doc_id) if ref.target_doc_id else None
            return RelatedDocument(
                doc_id=target.doc_id if target else None,
                number=target.number if target else ref.number,
                type=target.doc_type if target else ref.doc_type,
                relation=ref.relation,
                url=document_url(target.doc_id) if target else None,
            )

        implements = {
            (r.target_doc_id or r.number): related(r)
            for r in document.references
            if r.relation in IMPLEMENTING
        }
        implemented_by = {}
        for other, ref in self.incoming(document.doc_id):
            if ref.relation in IMPLEMENTING:
                implemented_by.setdefault(
                    other.doc_id,
                    RelatedDocument(
                        doc_id=other.doc_id,
                        number=other.number,
                        type=other.doc_type,
                        relation=ref.relation,
                        url=document_url(other.doc_id),
                    ),
                )
        return DocumentCard(
            doc_id=document.doc_id,
            number=document.number,
            type=document.doc_type,
            title=document.title,
            issuer=document.issuer,
            date=document.date,
            url=document_url(document.doc_id),
            implements=list(implements.values()),
            implemented_by=list(implemented_by.values()),
        )

    def lookup(self, query: str) -> tuple[NumberLookup | None, list[Document]]:
        """The lookup a response carries (None when the query names no number), and the named documents."""
        named, rest = named_numbers(query)
        if not named:
            return None, []
        found: list[Document] = []
        absent: list[NamedNumber] = []
        for n in named:
            docs = self.resolve(n)
            if docs:
                found.extend(d for d in docs if d not in found)
            else:
                absent.append(n)
        result = NumberLookup()
        if absent:
            parts = []
            for n in absent:
                alternatives = self.alternatives(n)
                parts.append(
                    f"Kho chưa có {n.label}" + (f"; có: {', '.join(alternatives)}" if alternatives else "")
                )
                result.citing.extend(c for c in self.citing(n) if c not in result.citing)
            result.notice = ". ".join(parts) + "."
        result.reference_only = is_reference_only(rest)
        if result.reference_only:
            result.cards = [self.card(d) for d in found]
        return result, found

    def promote_named(self, ranking: Ranking, documents: list[Document], view) -> Ranking:
        """`ranking` with the named documents' own paragraphs ahead (a document's own number above the
        documents that only mention it); a named document the ranking lacks leads by its first paragraphs."""
        own = [
            i
            for d in documents
            for i in (view.index_of(p.paragraph_id) for p in view.paragraphs_of(d.doc_id))
            if i is not None
        ]
        if not own:
            return ranking
        present = np.isin(np.asarray(own, dtype=np.int64), ranking.ids)
        missing = [
            d
            for d in documents
            if not any(present[k] for k, i in enumerate(own) if view.paragraph_at(i).doc_id == d.doc_id)
        ]
        ranking = promote(ranking, np.asarray(own, dtype=np.int64))
        if missing:
            lead = [
                view.index_of(p.paragraph_id)
                for d in missing
                for p in view.paragraphs_of(d.doc_id)[:LEAD_PARAGRAPHS]
            ]
            ranking = put_first(ranking, np.asarray(lead, dtype=np.int64))
        return ranking


def _unlinked(document: Document, doc_ids: frozenset[str]) -> Document:
    """`document` with its references to documents outside `doc_ids` pointing at no corpus document."""
    if all(r.target_doc_id is None or r.target_doc_id in doc_ids for r in document.references):
        return document
    references = [
        r
        if r.target_doc_id is None or r.target_doc_id in doc_ids
        else r.model_copy(update={"target_doc_id": None})
        for r in document.references
    ]
    return document.model_copy(update={"references": references})


def with_lookup(response: SearchResponse, lookup: NumberLookup | None, relations: list) -> SearchResponse:
    """The response with its number lookup and relations; a query that is only references gets the
    cards or the notice in the answer's place, not a sentence picked as an answer."""
    response.lookup = lookup
    response.relations = relations
    if lookup is not None and (lookup.cards or (lookup.notice and lookup.reference_only)):
        response.answer = None
    return response
