"""Turn fused rankings into a `SearchResponse`: de-duplicated, filtered, paged, cited, with an answer.

Consumes the corpus store, the retrievers' word statistics and unit cosines, the fused rankings (within
the caller's access, and within the filters when set), the query analysis and its vector; produces
index.types.SearchResponse. Near-duplicate paragraphs (same `canonical_id` group) appear once, with
`also_in` naming the other readable documents that contain them: as the best-ranked member, or as the
document's own text when that member is an attached copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from index.analysis import QueryAnalysis
from index.answer import Coverage, best_sentences, is_relevant, padded_words, unknown_share
from index.answer_checks import fits
from index.config import RetrievalConfig
from index.corpus_store import Filters, LocalCorpusStore
from index.fusion import Ranking
from index.highlights import folded_text, highlight_page
from index.hints import ReferenceHints
from index.retrievers import DenseRetriever, LexicalRetriever
from index.types import Answer, SearchResponse, SearchResult
from ingest.normalize import fold_accents

ANSWER_KINDS = ("body", "caption")
READINGS_KEPT = (
    1 << 15
)  # paragraphs' folded readings kept (ResultBuilder.reading), a few MB  # a heading or a signature block may rank high but answers nothing


@dataclass(frozen=True)
class Page:
    """What a response is built from: the rankings and masks of one search."""

    query: str
    analysis: QueryAnalysis
    unfiltered: Ranking  # within the caller's access
    filtered: Ranking  # within access and filters (`unfiltered` itself without filters)
    query_vector: np.ndarray | None
    k: int
    offset: int
    access: np.ndarray | None  # paragraphs the caller may read (None: all)
    mask: np.ndarray | None  # access and filters (None: all)
    filters: Filters
    dense: list[Ranking]


class ResultBuilder:
    def __init__(
        self,
        store: LocalCorpusStore,
        lexical: LexicalRetriever,
        dense: DenseRetriever,
        hints: ReferenceHints,
        config: RetrievalConfig,
    ):
        self.store, self.lexical, self.dense, self.hints, self.config = store, lexical, dense, hints, config
        # What coverage reads of a paragraph does not depend on the query: kept for the paragraphs that
        # rank often (folding and splitting ~400 candidates was most of a short query's result time).
        self.reading = lru_cache(maxsize=READINGS_KEPT)(self._reading)

    def dedupe(self, ranking: Ranking) -> tuple[np.ndarray, np.ndarray]:
        """The best-ranked paragraph of each near-duplicate group, in ranking order, with its score."""
        if len(ranking.ids) == 0:
            return ranking.ids, ranking.scores
        _, first = np.unique(self.store.group[ranking.ids], return_index=True)
        first = np.sort(first)
        return ranking.ids[first], ranking.scores[first]

    def representative(self, index: int, mask: np.ndarray | None) -> int:
        """The paragraph shown for the near-duplicate group of the ranked paragraph `index`.

        A copy attached to another document (a letter forwarding Kết luận 44 with its text) gives way to
        the canonical paragraph, the document's own text, when the mask allows it. A paragraph that is its
        own document's text is shown itself: the ranking chose it, its document's evidence included.
        """
        members = self.store.group_members(index)
        if len(members) == 1 or self.store.paragraph_at(index).attached_number is None:
            return index
        for j in members:
            if self.store.paragraph_at(j).canonical_id is None and (mask is None or mask[j]):
                return j
        return index

    def result(self, index: int, score: float, highlights, access: np.ndarray | None) -> SearchResult:
        p = self.store.paragraph_at(index)
        citation = self.store.citation_at(index)
        return SearchResult(
            paragraph_id=p.paragraph_id,
            doc_id=p.doc_id,
            doc_number=citation.doc_number,
            doc_title=citation.doc_title,
            doc_type=citation.doc_type,
            issuer=citation.issuer,
            date=citation.date,
            section=p.section,
            text=p.text,
            highlights=highlights,
            score=round(float(score), 6),
            url=citation.url,
            also_in=self.store.also_in_at(index, access),
            citation=citation,
            ocr=p.ocr,
        )

    def word_weights(self, analysis: QueryAnalysis) -> tuple[list[float], list[bool]]:
        """IDF weight of each content word of the query, and whether the corpus has it."""
        weights, known = self.lexical.idf(analysis.content_words)
        for n, word in enumerate(analysis.content_words):  # "cảnh sát" unknown, but the corpus writes "CSCĐ"
            if not known[n] and word in analysis.abbreviated:
                short_weight, short_known = self.lexical.idf([analysis.abbreviated[word]])
                weights[n], known[n] = short_weight[0], short_known[0]
        return weights, known

    def _reading(self, index: int) -> tuple[str, str]:
        """Paragraph `index` as coverage reads it, folded and as padded words. A paragraph is read with its
        document's name: "Chỉ thị 09" is covered by every paragraph of it."""
        citation = self.store.citation_at(index)
        name = " ".join(x for x in (citation.doc_type, citation.doc_number) if x)
        folded = f"{folded_text(self.store.paragraph_at(index).text)} | {fold_accents(name)}"
        return folded, padded_words(folded)

    def cover_at(self, index: int, cover: Coverage) -> float:
        folded, padded = self.reading(index)
        return cover(folded, padded)

    def relevant(
        self, ids: np.ndarray, analysis: QueryAnalysis, query_vector: np.ndarray | None, dense: list[Ranking]
    ) -> np.ndarray:
        """Which ranked paragraphs actually match (what counts and pages cover): at least half the query's
        words (IDF-weighted), a cosine above the floor out-of-corpus questions stay under, or relevant under
        the answer's own calibration. Lexical-only mode keeps its lexical matches."""
        keep = np.ones(len(ids), dtype=bool)
        if query_vector is None or len(ids) == 0:
            return keep
        limits = self.config.answer
        weights, known = self.word_weights(analysis)
        unknown = unknown_share(analysis, known)
        # the dense rankings' scores are the paragraphs' best-unit cosines: only the others are computed
        cosines = np.full(len(ids), np.nan)
        order = np.argsort(ids, kind="stable")
        for ranking in dense:  # a dense ranking may hold paragraphs beyond the pool
            at = order[np.minimum(np.searchsorted(ids, ranking.ids, sorter=order), len(ids) - 1)]
            inside = ids[at] == ranking.ids
            cosines[at[inside]] = ranking.scores[inside]
        # matches whatever its words: the coverage (folding its text) is not needed
        undecided = np.flatnonzero(~(cosines >= limits.match_cosine))
        cover_of = Coverage(analysis, weights, known)
        covers = cover_of.of_many([self.reading(i) for i in ids[undecided].tolist()])
        if unknown <= limits.max_unknown_words:
            settled = covers >= self.config.min_match_cover
            undecided, covers = undecided[~settled], covers[~settled]
        missing = undecided[np.isnan(cosines[undecided])]
        cosines[missing] = self.dense.best_cosines(ids[missing], query_vector)
        keep[undecided] = [
            cosine >= limits.match_cosine or is_relevant(cosine, cover, unknown, limits)
            for cosine, cover in zip(cosines[undecided].tolist(), covers.tolist())
        ]
        return keep

    def answer(self, index: int, analysis: QueryAnalysis, query_vector: np.ndarray | None) -> Answer | None:
        if query_vector is None:
            return None  # lexical-only mode: no calibrated relevance signal
        cosine, window = self.dense.best_unit(index, query_vector)
        p = self.store.paragraph_at(index)
        weights, known = self.word_weights(analysis)
        cover = self.cover_at(index, Coverage(analysis, weights, known))
        if not is_relevant(cosine, cover, unknown_share(analysis, known), self.config.answer):
            return None
        start, end = best_sentences(p.text, analysis, window, folded_text(p.text))
        if not fits(analysis, p.text[start:end], p.text, self.store.document(p.doc_id)):
            return None  # similar words, but not what the question asks (a who, a date, a number, a name)
        return self._answer_at(index, start, end, cosine)

    def date_answer(
        self, index: int, span: tuple[int, int], query_vector: np.ndarray | None
    ) -> Answer | None:
        """The statement of a named document's issue date (ReferenceHints.issue_date_span): its own place-
        and-date line, or a sentence citing it with its date. It answers "ban hành ngày nào" by what it is,
        which no similarity threshold would see."""
        if query_vector is None:
            return None  # lexical-only mode gives no answers
        start, end = span
        return self._answer_at(index, start, end, self.dense.best_unit(index, query_vector)[0])

    def _answer_at(self, index: int, start: int, end: int, score: float) -> Answer:
        """The sentence(s) [start, end) of paragraph `index` as the answer, cited."""
        p = self.store.paragraph_at(index)
        return Answer(
            text=p.text[start:end],
            paragraph_id=p.paragraph_id,
            doc_id=p.doc_id,
            citation=self.store.citation_at(index),
            paragraph_text=p.text,
            start=start,
            end=end,
            score=round(float(score), 6),
            ocr=p.ocr,
        )

    def facets(self, matching: np.ndarray, filters: Filters) -> dict:
        """Each facet value's count under the other active filters (choosing a type recounts issuers and
        years), as the search filtered by that value would count it: one per near-duplicate group among the
        `matching` ranked paragraphs. A value found among the matches that the other filters exclude counts
        0, most frequent first."""
        out: dict[str, dict[str, int]] = {}
        for name in ("type", "issuer", "year"):
            codes, labels = self.store.facet_values(name)
            mask = self.store.filter_mask(filters.without(name))
            chosen = matching if mask is None else matching[mask[matching]]
            # one count per (value, near-duplicate group) pair; code 0 is "no value"
            groups = self.store.group[chosen].astype(np.int64)
            stride = int(groups.max(initial=0)) + 1
            pairs = np.unique(codes[chosen].astype(np.int64) * stride + groups)
            counts = np.bincount(pairs // stride, minlength=len(labels))
            seen_codes, first = np.unique(codes[matching], return_index=True)
            seen = seen_codes[np.argsort(first, kind="stable")]  # in the order the matches name them
            seen = seen[seen != 0]
            ordered = seen[np.argsort(-counts[seen], kind="stable")]
            out[name] = {str(labels[code]): int(counts[code]) for code in ordered.tolist()}
        return out

    def response(self, page: Page) -> SearchResponse:
        analysis, mask = page.analysis, page.mask
        candidates, candidate_scores = self.dedupe(page.unfiltered)
        same = page.filtered is page.unfiltered
        ids, scores = (candidates, candidate_scores) if same else self.dedupe(page.filtered)
        answer_pool = ids[: self.config.answer_depth]  # the answer keeps its own, calibrated, decision
        # Counts, pages and facets cover the paragraphs that match, not the whole candidate pool.
        pool = np.union1d(page.unfiltered.ids, page.filtered.ids).astype(np.int64)
        matches = self.relevant(pool, analysis, page.query_vector, page.dense)
        matching = pool[matches]
        keep_ids = matches[np.searchsorted(pool, ids)]  # ids: deduplicated from the rankings, all in the pool
        ids, scores = ids[keep_ids], scores[keep_ids]
        window = slice(page.offset, page.offset + page.k)
        shown = [(self.representative(int(i), mask), float(sc)) for i, sc in zip(ids[window], scores[window])]
        answer = None
        for i in answer_pool:
            chosen = self.representative(int(i), mask)
            dated = self.hints.issue_date_span(chosen, analysis) if analysis.asks_issue_date else None
            if dated is not None:
                answer = self.date_answer(chosen, dated, page.query_vector)
                break
            if self.store.paragraph_at(chosen).kind in ANSWER_KINDS:
                answer = self.answer(chosen, analysis, page.query_vector)
                break
        spans = highlight_page([self.store.paragraph_at(i).text for i, _ in shown], analysis)
        return SearchResponse(
            query=page.query,
            answer=answer,
            results=[self.result(i, sc, sp, page.access) for (i, sc), sp in zip(shown, spans)],
            total=int(len(ids)),
            facets=self.facets(matching, page.filters),
        )
