"""What one caller may see of the loaded index: the lookups pages and the API use, within the documents
the caller's audience may read (index.access).

Consumes the Searcher (its corpus lookups, number table, mandates and access masks) and the request's
`Audience` (search_app.deps.get_audience); produces a `Reader` whose every lookup answers for a document
the caller may not read exactly as for one the index does not hold (None, [], absent), so a forbidden
document is indistinguishable from an unknown one. Routes take a `ReaderDep` instead of the searcher for
anything but searching (which passes the audience to `Searcher.search` itself).
"""

from __future__ import annotations

from index.access import Audience
from index.mandate_search import MandateBook, mandate_book
from index.number_lookup import NumberTable
from index.types import AlsoIn, Citation
from ingest.models import Document, Paragraph, Reference


class Reader:
    def __init__(self, searcher, audience: Audience):
        self.searcher, self.audience = searcher, audience
        self.readable = searcher.access.readable(audience)  # doc_ids; None: every document
        self.numbers: NumberTable = searcher.numbers.readable_by(self.readable)

    def may_read(self, doc_id: str | None) -> bool:
        return doc_id is not None and (self.readable is None or doc_id in self.readable)

    def documents(self) -> list[Document]:
        """In the searcher's order; each with its references to unreadable documents unlinked (no
        target_doc_id), as NumberTable.readable_by gives them."""
        return self.searcher.documents() if self.readable is None else list(self.numbers.documents.values())

    def document(self, doc_id: str) -> Document | None:
        return self.searcher.document(doc_id) if self.readable is None else self.numbers.documents.get(doc_id)

    def paragraphs_of(self, doc_id: str) -> list[Paragraph]:
        return (
            [self._unlinked(p) for p in self.searcher.paragraphs_of(doc_id)] if self.may_read(doc_id) else []
        )

    def paragraph(self, paragraph_id: str) -> Paragraph | None:
        paragraph = self.searcher.paragraph(paragraph_id)
        return (
            self._unlinked(paragraph) if paragraph is not None and self.may_read(paragraph.doc_id) else None
        )

    def _unlinked(self, paragraph: Paragraph) -> Paragraph:
        """`paragraph` without a canonical_id naming a paragraph of a document the caller may not read."""
        if self.readable is None or paragraph.canonical_id is None:
            return paragraph
        canonical = self.searcher.paragraph(paragraph.canonical_id)
        if canonical is not None and self.may_read(canonical.doc_id):
            return paragraph
        return paragraph.model_copy(update={"canonical_id": None})

    def citation(self, paragraph_id: str) -> Citation:
        if self.paragraph(paragraph_id) is None:
            raise KeyError(paragraph_id)
        return self.searcher.citation(paragraph_id)

    def also_in(self, paragraph_id: str) -> list[AlsoIn]:
        if self.paragraph(paragraph_id) is None:
            return []
        return [a for a in self.searcher.also_in(paragraph_id) if self.may_read(a.doc_id)]

    def referenced_by(self, doc_id: str) -> list[tuple[Document, Reference]]:
        if not self.may_read(doc_id):
            return []
        return [(d, r) for d, r in self.searcher.referenced_by(doc_id) if self.may_read(d.doc_id)]

    def target(self, reference: Reference) -> Document | None:
        """The corpus document a reference points at, when the caller may read it."""
        return self.document(reference.target_doc_id) if reference.target_doc_id else None

    def mandates(self) -> MandateBook:
        return mandate_book(self.searcher, self.readable)
