"""The corpus store: every read of documents, paragraphs, citations, near-duplicates and references.

Consumes the `Corpus` of an index build (ingest.store.read_corpus: paragraphs as columns); produces the
lookups results and readers use (`document`, `paragraphs_of`, `citation_at`, `also_in_at`,
`referenced_by`; a caller reads them through index.reader.Reader, within what it may read), the access
masks (`access_mask`, `readable_ids`), and the per-paragraph arrays that make filters and facets
vectorized instead of loops over the corpus (docs/decisions/0015-index-load.md).
`CorpusStore` is the interface; `LocalCorpusStore` keeps it in memory. Another storage (a database, a
remote service) is another class with these methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from index.access import AccessMasks, Audience
from index.citation import make_citation
from index.types import AlsoIn, Citation, paragraph_url
from ingest.models import Corpus, Document, Paragraph, Reference
from ingest.store import ParagraphTable


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to: a document type, an issuer, a year (None: any)."""

    doc_type: str | None = None
    issuer: str | None = None
    year: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.doc_type or self.issuer or self.year)

    def without(self, facet: str) -> Filters:
        """These filters but the one of `facet` ("type", "issuer", "year"): how that facet is counted."""
        return Filters(
            None if facet == "type" else self.doc_type,
            None if facet == "issuer" else self.issuer,
            None if facet == "year" else self.year,
        )


class CorpusStore(Protocol):
    para_doc: np.ndarray  # per paragraph: its document id
    group: np.ndarray  # per paragraph: its near-duplicate group

    def __len__(self) -> int: ...
    def documents(self) -> list[Document]: ...
    def document(self, doc_id: str) -> Document | None: ...
    def paragraphs_of(self, doc_id: str) -> list[Paragraph]: ...
    def paragraph(self, paragraph_id: str) -> Paragraph | None: ...
    def paragraph_at(self, index: int) -> Paragraph: ...
    def index_of(self, paragraph_id: str) -> int | None: ...
    def citation_at(self, index: int) -> Citation: ...
    def also_in_at(self, index: int, mask: np.ndarray | None = None) -> list[AlsoIn]: ...
    def group_members(self, index: int) -> list[int]: ...
    def referenced_by(self, doc_id: str) -> list[tuple[Document, Reference]]: ...
    def access_mask(self, audience: Audience) -> np.ndarray | None: ...
    def readable_ids(self, audience: Audience) -> frozenset[str] | None: ...
    def filter_mask(self, filters: Filters) -> np.ndarray | None: ...
    def facet_values(self, name: str) -> tuple[np.ndarray, list]: ...


def _grouped(codes: np.ndarray, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices sorted by code (stable, so ascending within a code) and each code's [bounds[c], bounds[c+1])."""
    order = np.argsort(codes, kind="stable")
    return order, np.searchsorted(codes[order], np.arange(groups + 1))


class LocalCorpusStore:
    """Built from paragraph columns (ingest.store.ParagraphTable) with numpy, without a Python object per
    paragraph: per-paragraph loops were a large part of the index load."""

    def __init__(self, corpus: Corpus):
        self._documents = {d.doc_id: d for d in corpus.documents}
        self._paragraphs = ParagraphTable.of(corpus.paragraphs)
        self.columns, n = self._paragraphs.columns, len(self._paragraphs)
        self._index_of = dict(zip(self.columns["paragraph_id"], range(n)))
        doc_list = list(self._documents.values())
        doc_code = {d.doc_id: j for j, d in enumerate(doc_list)}
        codes = np.fromiter(map(doc_code.__getitem__, self.columns["doc_id"]), dtype=np.int64, count=n)
        self._doc_order, self._doc_bounds = _grouped(codes, len(doc_list))
        self._doc_code = doc_code
        # Near-duplicates: each paragraph's group is its canonical paragraph (or itself).
        group_ids: dict[str, int] = {}
        keys = (c or p for c, p in zip(self.columns["canonical_id"], self.columns["paragraph_id"]))
        self.group = np.fromiter(
            (group_ids.setdefault(key, len(group_ids)) for key in keys), dtype=np.int64, count=n
        )
        self._member_order, self._member_bounds = _grouped(self.group, len(group_ids))
        self.para_doc = np.array(self.columns["doc_id"], dtype=object)
        # Per paragraph, its document's facet values as small integer codes into each facet's labels (""
        # at code 0: none): filters compare and facets count ints, not a Python string per candidate.
        years = [int(d.date[:4]) if d.date and d.date[:4].isdigit() else 0 for d in doc_list]
        self._facets: dict[str, tuple[np.ndarray, list]] = {}
        for name, values, none in (
            ("type", [d.doc_type or "" for d in doc_list], ""),
            ("issuer", [d.issuer or "" for d in doc_list], ""),
            ("year", years, 0),
        ):
            labels = list(dict.fromkeys([none, *values]))
            code_of = {label: c for c, label in enumerate(labels)}
            self._facets[name] = (np.array([code_of[v] for v in values] + [0], dtype=np.int64)[codes], labels)
        self.access = AccessMasks(doc_list, self.para_doc)  # who may read what, kept per audience
        self._citations: dict[int, Citation] = {}

    def __len__(self) -> int:
        return len(self._paragraphs)

    # -- access ---------------------------------------------------------------------------

    def access_mask(self, audience: Audience) -> np.ndarray | None:
        """Paragraphs `audience` may read; None when it may read them all (a public corpus costs nothing)."""
        return self.access.mask(audience)

    def readable_ids(self, audience: Audience) -> frozenset[str] | None:
        """The documents `audience` may read; None for all of them."""
        return self.access.readable(audience)

    # -- lookups (index.reader.Reader applies access to them) ---------------------------------------

    def documents(self) -> list[Document]:
        return list(self._documents.values())

    def document(self, doc_id: str) -> Document | None:
        return self._documents.get(doc_id)

    def paragraphs_of(self, doc_id: str) -> list[Paragraph]:
        code = self._doc_code.get(doc_id)
        if code is None:
            return []
        members = self._doc_order[self._doc_bounds[code] : self._doc_bounds[code + 1]]
        return [self._paragraphs[i] for i in members]

    def paragraph(self, paragraph_id: str) -> Paragraph | None:
        i = self._index_of.get(paragraph_id)
        return None if i is None else self._paragraphs[i]

    def paragraph_at(self, index: int) -> Paragraph:
        return self._paragraphs[index]

    def index_of(self, paragraph_id: str) -> int | None:
        return self._index_of.get(paragraph_id)

    def citation(self, paragraph_id: str) -> Citation:
        i = self._index_of.get(paragraph_id)
        if i is None:
            raise KeyError(paragraph_id)
        return self.citation_at(i)

    def citation_at(self, index: int) -> Citation:
        if index not in self._citations:
            p = self._paragraphs[index]
            self._citations[index] = make_citation(self._documents[p.doc_id], p)
        return self._citations[index]

    def group_members(self, index: int) -> list[int]:
        g = int(self.group[index])
        return self._member_order[self._member_bounds[g] : self._member_bounds[g + 1]].tolist()

    def also_in_at(self, index: int, mask: np.ndarray | None = None) -> list[AlsoIn]:
        """The other documents holding a near-duplicate of paragraph `index` (within `mask`: access)."""
        g = int(self.group[index])
        lo, hi = self._member_bounds[g], self._member_bounds[g + 1]
        if hi - lo == 1:
            return []  # most paragraphs have no near-duplicate
        doc_ids, paragraph_ids = self.columns["doc_id"], self.columns["paragraph_id"]
        out = []
        for j in self._member_order[lo:hi].tolist():
            doc_id = doc_ids[j]
            if j == index or doc_id == doc_ids[index] or (mask is not None and not mask[j]):
                continue
            d = self._documents[doc_id]
            out.append(
                AlsoIn(
                    doc_id=doc_id,
                    doc_number=d.number,
                    doc_title=d.title,
                    paragraph_id=paragraph_ids[j],
                    url=paragraph_url(doc_id, paragraph_ids[j]),
                )
            )
        return out

    def also_in(self, paragraph_id: str) -> list[AlsoIn]:
        i = self._index_of.get(paragraph_id)
        return [] if i is None else self.also_in_at(i)

    def referenced_by(self, doc_id: str) -> list[tuple[Document, Reference]]:
        return [
            (d, r)
            for d in self._documents.values()
            if d.doc_id != doc_id
            for r in d.references
            if r.target_doc_id == doc_id
        ]

    # -- vectorized helpers for search -----------------------------------------------------

    def facet_values(self, name: str) -> tuple[np.ndarray, list]:
        """Per paragraph, the code of its document's value of facet `name`, and the codes' labels."""
        return self._facets[name]

    def filter_mask(self, filters: Filters) -> np.ndarray | None:
        """Paragraphs whose document passes the filters (None when there is no filter)."""
        if not filters.active:
            return None
        mask = np.ones(len(self._paragraphs), dtype=bool)
        for name, wanted in (("type", filters.doc_type), ("issuer", filters.issuer), ("year", filters.year)):
            if wanted:
                codes, labels = self._facets[name]
                value = int(wanted) if name == "year" else wanted
                code = labels.index(value) if value in labels else -1
                mask &= codes == code
        return mask
