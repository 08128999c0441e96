"""Retrievers behind one protocol: a query in, a `Ranking` of paragraph indices out.

Consumes a `RetrievalQuery` (the query's analysis, index.analysis, and its vector when the mode uses one),
a depth k and an optional paragraph mask (filters and access: only paragraphs where it is True may be
ranked); produces a `Ranking` (index.fusion), best first. `LexicalRetriever` ranks by BM25 over two fields
(index.lexical) and also gives the document-context evidence and the word statistics answers weigh by;
`DenseRetriever` ranks paragraphs by their best unit's cosine (index.dense). Neither hands its library's
objects (bm25s matrices, FAISS indexes) to callers. A new backend is one class with `retrieve`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from index.analysis import QueryAnalysis
from index.dense import DenseIndex
from index.fusion import Ranking, candidates
from index.lexical import DocumentEvidence, LexicalIndex


@dataclass(frozen=True)
class RetrievalQuery:
    analysis: QueryAnalysis
    vector: np.ndarray | None = None  # the query's unit vector (dense and hybrid modes)


@runtime_checkable
class Retriever(Protocol):
    def retrieve(self, query: RetrievalQuery, k: int, mask: np.ndarray | None = None) -> Ranking:
        """The k best paragraphs (within `mask` when given), best first."""
        ...


def retrieve_within(
    retriever: Retriever, query: RetrievalQuery, k: int, masks: Sequence[np.ndarray | None]
) -> list[Ranking]:
    """`retrieve` within each of `masks`; a retriever that can score once for all (retrieve_each) does."""
    each = getattr(retriever, "retrieve_each", None)
    if each is not None:
        return each(query, k, masks)
    return [retriever.retrieve(query, k, mask) for mask in masks]


class LexicalRetriever:
    """BM25 over the exact and folded fields, plus the lexical evidence of each paragraph's document."""

    def __init__(self, index: LexicalIndex, evidence: DocumentEvidence, para_run: np.ndarray):
        self.index, self.evidence, self.para_run = index, evidence, para_run

    def retrieve(self, query: RetrievalQuery, k: int, mask: np.ndarray | None = None) -> Ranking:
        return self.retrieve_each(query, k, [mask])[0]

    def retrieve_each(
        self, query: RetrievalQuery, k: int, masks: Sequence[np.ndarray | None]
    ) -> list[Ranking]:
        return [Ranking(*found) for found in self.index.search_each(query.analysis, k, list(masks))]

    def context_scores(self, analysis: QueryAnalysis) -> np.ndarray:
        """Evidence per run of a document's paragraphs (index.lexical.DocumentEvidence); query-only, so a
        filtered search reuses it."""
        return self.evidence.scores(analysis)

    def context_ranking(self, context: np.ndarray, rankings: Sequence[Ranking]) -> Ranking:
        """The candidates of `rankings`, each scored by the lexical evidence around it (a third fused list)."""
        ids = candidates(rankings)
        if not ids.size:
            return Ranking(ids, np.empty(0, dtype=np.float64))
        scores = context[self.para_run[ids]]
        order = np.argsort(-scores, kind="stable")  # candidates ascend: ties go to the smaller id
        return Ranking(ids[order], scores[order])

    def containing(self, tokens: list[str]) -> np.ndarray:
        """Paragraphs whose exact field holds any of `tokens` (a document number quoted anywhere)."""
        return self.index.containing(tokens)

    def idf(self, folded_words: list[str]) -> tuple[list[float], list[bool]]:
        return self.index.idf(folded_words)


class DenseRetriever:
    """Paragraphs by the cosine of their best embedded unit (FAISS over unit vectors)."""

    def __init__(self, index: DenseIndex, unit_spans: np.ndarray, paragraphs: int):
        self.index = index
        self.unit_spans = unit_spans  # unit -> (start, end) inside its paragraph
        # Units of a paragraph are contiguous (index.dense.make_units): paragraph p owns [first[p], first[p+1]).
        self.first_unit = np.searchsorted(index.unit_paragraph, np.arange(paragraphs + 1))

    def retrieve(self, query: RetrievalQuery, k: int, mask: np.ndarray | None = None) -> Ranking:
        if query.vector is None:
            raise ValueError("the dense retriever needs the query vector")
        allowed = None if mask is None else np.flatnonzero(mask[self.index.unit_paragraph])
        paragraphs, scores, _ = self.index.search(query.vector, k, allowed)
        return Ranking(paragraphs, scores)

    def best_unit(self, paragraph: int, query_vector: np.ndarray) -> tuple[float, tuple[int, int]]:
        """Cosine of the paragraph's best unit with the query, and that unit's span in the paragraph."""
        lo, hi = int(self.first_unit[paragraph]), int(self.first_unit[paragraph + 1])
        if hi <= lo:
            return 0.0, (0, 0)
        cosines = self.index.stored_vectors[lo:hi].astype(np.float32) @ query_vector
        best = int(np.argmax(cosines))
        start, end = self.unit_spans[lo + best]
        return float(cosines[best]), (int(start), int(end))

    def best_cosines(self, paragraphs: np.ndarray, query_vector: np.ndarray) -> np.ndarray:
        """best_unit's cosine for each of `paragraphs` at once (0 for a paragraph without units)."""
        paragraphs = np.asarray(paragraphs, dtype=np.int64)
        lo, hi = self.first_unit[paragraphs], self.first_unit[paragraphs + 1]
        counts = hi - lo
        out = np.zeros(len(paragraphs), dtype=np.float32)
        has = counts > 0
        if not has.any():
            return out
        lo, counts = lo[has], counts[has]
        starts = np.cumsum(counts) - counts  # each paragraph's first unit in the gathered rows
        units = np.repeat(lo - starts, counts) + np.arange(int(counts.sum()))
        cosines = self.index.stored_vectors[units].astype(np.float32) @ query_vector
        out[has] = np.maximum.reduceat(cosines, starts)
        return out
