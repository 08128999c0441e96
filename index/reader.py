"""What one caller may see of the loaded index: every lookup of pages, API and exports, within the
documents the caller's audience may read (index.access).

Consumes the Searcher (its corpus store, number table and mandates) and the caller's `Audience`
(search_app.deps.get_audience); produces a `Reader` (Searcher.reader) whose every lookup answers for a
document the caller may not read exactly as for one the index does not hold (None, [], absent), so a
forbidden document is indistinguishable from an unknown one. Searching applies the same access as a
paragraph mask before ranking (Searcher.search); everything else reads through a Reader.
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
        self.store = searcher.store
        self.readable = self.store.readable_ids(audience)  # doc_ids; None: every document
        self.numbers: NumberTable = searcher.numbers.readable_by(self.readable)

    def may_read(self, doc_id: str | None) -> bool:
        return doc_id is not None and (self.readable is None or doc_id in self.readable)

    def documents(self) -> list[Document]:
        """In the searcher's order; each with its references to unreadable documents unlinked (no
        target_doc_id), as NumberTable.readable_by gives them."""
        return self.store.documents() if self.readable is None else list(self.numbers.documents.values())

    def document(self, doc_id: str) -> Document | None:
        return self.store.document(doc_id) if self.readable is None else self.numbers.documents.get(doc_id)

    def paragraphs_of(self, doc_id: str) -> list[Paragraph]:
        return [self._unlinked(p) for p in self.store.paragraphs_of(doc_id)] if self.may_read(doc_id) else []

    def paragraph(self, paragraph_id: str) -> Paragraph | None:
        paragraph = self.store.paragraph(paragraph_id)
        return (
            self._unlinked(paragraph) if paragraph is not None and self.may_read(paragraph.doc_id) else None
        )

    def _unlinked(self, paragraph: Paragraph) -> Paragraph:
        """`paragraph` without a canonical_id naming a paragraph of a document the caller may not read."""
        if self.readable is None or paragraph.canonical_id is None:
            return paragraph
        canonical = self.store.paragraph(paragraph.canonical_id)
        if canonical is not None and self.may_read(canonical.doc_id):
            return paragraph
        return paragraph.model_copy(update={"canonical_id": None})

    def citation(self, paragraph_id: str) -> Citation:
        if self.paragraph(paragraph_id) is None:
            raise KeyError(paragraph_id)
        return self.store.citation(paragraph_id)

    def also_in(self, paragraph_id: str) -> list[AlsoIn]:
        if self.paragraph(paragraph_id) is None:
            return []
        return [a for a in self.store.also_in(paragraph_id) if self.may_read(a.doc_id)]

    def referenced_by(self, doc_id: str) -> list[tuple[Document, Reference]]:
        if not self.may_read(doc_id):
            return []
        return [(d, r) for d, r in self.store.referenced_by(doc_id) if self.may_read(d.doc_id)]

    def target(self, reference: Reference) -> Document | None:
        """The corpus document a reference points at, when the caller may read it."""
        return self.document(reference.target_doc_id) if reference.target_doc_id else None

    def mandates(self) -> MandateBook:
        return mandate_book(self.searcher, self.readable)
