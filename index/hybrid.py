"""The hybrid searcher: retrievers composed by fusion, with the query's reference hints.

Consumes a lexical and a dense `Retriever` (index.retrievers), the `RetrievalConfig` and, optionally, the
reference hints (index.hints) and a lexical retriever's document-context evidence; produces one fused
`Ranking` per paragraph mask asked for (a search asks for the access mask alone and, with filters, the
filtered one: facets count the first, pages show the second). Nothing outside a mask is ever in its
ranking. The shape is pyserini's `HybridSearcher(dense, sparse)`; the fusion is index.fusion.fuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from index import fusion
from index.config import RetrievalConfig
from index.fusion import Ranking
from index.hints import ReferenceHints
from index.retrievers import RetrievalQuery, Retriever, retrieve_within

Mode = Literal["hybrid", "lexical", "dense"]
MODES: tuple[Mode, ...] = ("hybrid", "lexical", "dense")


@runtime_checkable
class ContextEvidence(Protocol):
    """A lexical retriever that also scores the document around each paragraph (index.lexical)."""

    def context_scores(self, analysis) -> np.ndarray: ...
    def context_ranking(self, context: np.ndarray, rankings: Sequence[Ranking]) -> Ranking: ...
    def containing(self, tokens: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class HybridRankings:
    fused: list[Ranking]  # one per mask asked for
    dense: list[Ranking]  # the dense rankings (their scores are best-unit cosines), for result checks


def restrict(ranking: Ranking, mask: np.ndarray | None) -> Ranking:
    if mask is None or not ranking.ids.size:
        return ranking
    keep = mask[ranking.ids]
    return ranking if keep.all() else Ranking(ranking.ids[keep], ranking.scores[keep])


class HybridSearcher:
    def __init__(
        self,
        lexical: Retriever,
        dense: Retriever | None,
        config: RetrievalConfig,
        hints: ReferenceHints | None = None,
    ):
        self.lexical, self.dense, self.config, self.hints = lexical, dense, config, hints
        self.evidence = lexical if isinstance(lexical, ContextEvidence) and config.document_context else None

    def rank(
        self,
        query: RetrievalQuery,
        k: int,
        mode: Mode = "hybrid",
        masks: Sequence[np.ndarray | None] = (None,),
    ) -> HybridRankings:
        """The fused ranking of the `k` best of each retriever within each of `masks`."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        lexical = retrieve_within(self.lexical, query, k, masks) if mode != "dense" else [None] * len(masks)
        dense = [None] * len(masks)
        if mode != "lexical" and self.dense is not None and query.vector is not None:
            dense = [self.dense.retrieve(query, k, mask) for mask in masks]
        context = self.evidence.context_scores(query.analysis) if mode == "hybrid" and self.evidence else None
        fused = [
            restrict(self._fuse(query, mode, lex, den, context, mask), mask)
            for lex, den, mask in zip(lexical, dense, masks)
        ]
        return HybridRankings(fused, [r for r in dense if r is not None])

    def _fuse(
        self,
        query: RetrievalQuery,
        mode: Mode,
        lexical: Ranking | None,
        dense: Ranking | None,
        context: np.ndarray | None,
        mask: np.ndarray | None,
    ) -> Ranking:
        rankings = [r for r in (lexical, dense) if r is not None]
        if mode != "hybrid" or not rankings:
            return rankings[0] if rankings else Ranking(np.empty(0, np.int64), np.empty(0))
        if context is not None:
            rankings.append(self.evidence.context_ranking(context, rankings))
        analysis, hints = query.analysis, self.hints if self.config.reference_hints else None
        hint = None
        if hints is not None:
            quoting = self.evidence.containing if self.evidence is not None else None
            hint = hints.number_hint(analysis, rankings)
            if quoting is not None:
                hint = hints.quoted_number_hint(analysis, hint, rankings, quoting)
            hint = hints.section_hint(analysis, hint)
            hint = restrict(hint, mask) if hint is not None else None
            if hint is not None and hint.ids.size:
                rankings.append(hint)
        fused = fusion.fuse(rankings, self.config.fusion)
        if hints is None:
            return fused
        if analysis.reference_only:
            # A bare reference ("Kế hoạch 177-KH/TU") asks for what it names: paragraphs sharing its type word
            # ("kế hoạch") must not outrank the one that quotes the number, however short they are.
            fused = fusion.promote(fused, hints.reference_lead(analysis, hint))
        if self.config.issue_date_lines and self.evidence is not None:
            dates = hints.issue_date_lines(analysis, self.evidence.containing)
            dates = dates if mask is None else dates[mask[dates]]
            if dates.size:
                # "Kết luận 44 ban hành ngày nào": the named document's own date line answers it, a header
                # line that neither retriever ranks for those words.
                fused = fusion.put_first(fused, dates)
        return fused
