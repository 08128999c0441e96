"""Turn a fused ranking into a `SearchResponse`: de-duplicated, filtered, paged, cited, with an answer.

Consumes the fused ranking of paragraph indices (unfiltered, and filtered when filters are set), the
query analysis and the query vector; produces index.types.SearchResponse. Near-duplicate paragraphs
(same `canonical_id` group) appear once, with `also_in` naming the other documents that contain them:
as the best-ranked member, or as the document's own text when that member is an attached copy.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from index.analysis import SYLLABLE, QueryAnalysis, stopwords, syllables
from index.answer import MATCH_COSINE, MAX_UNKNOWN_WORDS, best_sentences, coverage, is_relevant, unknown_share
from index.answer_checks import fits
from index.fusion import Ranking
from index.types import Answer, SearchResponse, SearchResult
from ingest.normalize import fold_accents, normalize

if TYPE_CHECKING:
    from index.searcher import Searcher


ANSWER_DEPTH = 3
ANSWER_KINDS = ("body", "caption")
MIN_MATCH_COVER = 0.5  # a paragraph with half the query's words (IDF-weighted) matches whatever its cosine


@lru_cache(maxsize=1 << 14)
def _folded(text: str) -> str:
    return fold_accents(text)


@lru_cache(maxsize=1 << 16)  # a corpus has few distinct syllables; normalizing each one per query cost ~4 ms
def _matching_forms(syllable: str) -> tuple[str, str]:
    """A text syllable as highlights compare it: normalized lower case, and that accent-folded."""
    toned = normalize(syllable).lower()
    return toned, fold_accents(toned)


@lru_cache(maxsize=256)
def _highlight_plan(text: str, toned: bool, content_words: tuple[str, ...]):
    """Per query (not per paragraph): the syllable pairs a run may hold, the syllables a run may start
    with, the lone syllables marked by themselves, and a pattern finding the query's syllables
    (whole, as SYLLABLE splits text) in accent-folded text."""
    key = (lambda s: s) if toned else fold_accents
    restored = syllables(text)
    asked = [key(s) for s in restored]
    pairs = set(zip(asked, asked[1:]))
    one_syllable_words = {w for w in content_words if " " not in w and len(w) > 1}
    singles = {s for s in restored if fold_accents(s) in one_syllable_words and s not in stopwords()}
    folded = sorted({fold_accents(s) for s in restored}, key=len, reverse=True)
    alternatives = "|".join(re.escape(s) for s in folded)
    # No look-behind for the start of a word: the pattern then begins with its alternatives, whose first
    # letters re uses to skip ahead (a third quicker); highlight_spans drops matches inside a word.
    pattern = re.compile(rf"(?:{alternatives})(?![^\W_])" if folded else r"(?!)")
    return pairs, {first for first, _ in pairs}, singles, pattern


def forget_highlight_plans() -> None:
    """Empty the per-query cache of _highlight_plan (index.searcher.Searcher.forget_queries)."""
    _highlight_plan.cache_clear()


def highlight_page(texts: list[str], query: QueryAnalysis) -> list[list[tuple[int, int]]]:
    """highlight_spans of each text, the texts accent-folded together: one fold of a page of ten
    paragraphs took ~16 us against ~75 for ten."""
    joined = "\n".join(texts)
    folded = fold_accents(joined)
    if len(folded) != len(joined):  # a text whose folding drops characters: each on its own
        return [highlight_spans(text, query) for text in texts]
    out, start = [], 0
    for text in texts:
        out.append(highlight_spans(text, query, folded[start : start + len(text)]))
        start += len(text) + 1
    return out


def highlight_spans(text: str, query: QueryAnalysis, folded: str | None = None) -> list[tuple[int, int]]:
    """[start, end) offsets in `text` of what the query asked for, merged into phrases (`folded`:
    fold_accents(text), when the caller has it).

    A run of syllables is marked when each neighbouring pair also stands side by side in the query
    ("người đứng đầu"), a lone syllable only when it is a one-syllable content word of the query, so
    "nhiệm" of "nhiệm vụ" is not marked for "trách nhiệm". Syllables compare with tone marks when the
    query was typed with them ("đứng" does not mark "dựng"), accent-folded when it was typed without.
    Document numbers named in the query are marked wherever they stand.
    """
    # A toneless query's runs compare folded; its lone words compare with the restored marks, since
    # a lone folded "dung" would mark "dựng" and "dũng" as well as "đứng".
    stop = stopwords()
    pairs, pair_starts, singles, query_syllables = _highlight_plan(
        query.text, query.toned, tuple(query.content_words)
    )
    spans: list[tuple[int, int]] = []
    run: list[tuple[int, int, str, str]] = []  # (start, end, key, toned) of consecutive text syllables

    def close_run() -> None:
        # Function words at the edges go ("ở cơ sở" -> "cơ sở"), but not out of a two-syllable word ("chỉ
        # đạo").
        while len(run) > 2 and run[0][3] in stop:
            run.pop(0)
        while len(run) > 2 and run[-1][3] in stop:
            run.pop()
        if len(run) >= 2 or (len(run) == 1 and run[0][3] in singles):
            spans.append((run[0][0], run[-1][1]))
        run.clear()

    folded = fold_accents(text) if folded is None else folded
    # Only syllables the query has (accent-folded) can join a run; any other syllable just ends one, as
    # does the text between two such syllables when it is not whitespace. So the loop visits those
    # alone, found in the folded text (same offsets when it keeps the text's length: NFC text does).
    same_offsets = len(folded) == len(text)
    matches = query_syllables.finditer(folded) if same_offsets else SYLLABLE.finditer(text)
    compare_toned = query.toned
    for m in matches:
        start, end = m.span()
        if same_offsets and start and folded[start - 1].isalnum():
            continue  # the end of a longer word ("ang" in "dang"): the pattern does not check word starts
        toned, folded_syllable = _matching_forms(text[start:end])
        syllable = toned if compare_toned else folded_syllable
        if run and (run[-1][2], syllable) in pairs and text[run[-1][1] : start].isspace():
            run.append((start, end, syllable, toned))
            continue
        if run:
            close_run()
        # Only a syllable that can start a pair or stand alone opens a run.
        if syllable in pair_starts or toned in singles:
            run.append((start, end, syllable, toned))
    close_run()
    for number in query.numbers:
        spans.extend((m.start(), m.end()) for m in re.finditer(re.escape(number), folded))
    return sorted(set(spans))


class ResultBuilder:
    def __init__(self, searcher: Searcher):
        self.s = searcher

    def dedupe(self, ranking: Ranking) -> tuple[np.ndarray, np.ndarray]:
        """The best-ranked paragraph of each near-duplicate group, in ranking order, with its score."""
        if len(ranking.ids) == 0:
            return ranking.ids, ranking.scores
        _, first = np.unique(self.s.group[ranking.ids], return_index=True)
        first = np.sort(first)
        return ranking.ids[first], ranking.scores[first]

    def representative(self, index: int, mask: np.ndarray | None) -> int:
        """The paragraph shown for the near-duplicate group of the ranked paragraph `index`.

        A copy attached to another document (a letter forwarding Kết luận 44 with its text) gives way to
        the canonical paragraph, the document's own text, when the filters allow it. A paragraph that is
        its own document's text is shown itself: the canonical among several such copies is an arbitrary
        pick (by document id), while the ranking chose this one, its document's evidence included.
        """
        members = self.s.group_members(index)
        if len(members) == 1 or self.s.paragraph_at(index).attached_number is None:
            return index
        for j in members:
            if self.s.paragraph_at(j).canonical_id is None and (mask is None or mask[j]):
                return j
        return index

    def result(self, index: int, score: float, highlights: list[tuple[int, int]]) -> SearchResult:
        p = self.s.paragraph_at(index)
        citation = self.s.citation_at(index)
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
            also_in=self.s.also_in_at(index),
            citation=citation,
            ocr=p.ocr,
        )

    def word_weights(self, analysis: QueryAnalysis) -> tuple[list[float], list[bool]]:
        """IDF weight of each content word of the query, and whether the corpus has it."""
        weights, known = self.s.lexical.idf(analysis.content_words)
        for n, word in enumerate(analysis.content_words):  # "cảnh sát" unknown, but the corpus writes "CSCĐ"
            if not known[n] and word in analysis.abbreviated:
                short_weight, short_known = self.s.lexical.idf([analysis.abbreviated[word]])
                weights[n], known[n] = short_weight[0], short_known[0]
        return weights, known

    def cover_at(self, index: int, analysis: QueryAnalysis, weights: list[float], known: list[bool]) -> float:
        # A paragraph is read with its document's name: "Chỉ thị 09" is covered by every paragraph of it.
        citation = self.s.citation_at(index)
        name = " ".join(x for x in (citation.doc_type, citation.doc_number) if x)
        return coverage(
            f"{_folded(self.s.paragraph_at(index).text)} | {fold_accents(name)}", analysis, weights, known
        )

    def relevant(
        self,
        ids: np.ndarray,
        analysis: QueryAnalysis,
        query_vector: np.ndarray | None,
        dense: list[Ranking] = (),
    ) -> np.ndarray:
        """Which ranked paragraphs actually match (what counts and pages cover): at least half the query's
        words (IDF-weighted), a cosine above the floor out-of-corpus questions stay under (MATCH_COSINE),
        or relevant under the answer's own calibration (index.answer.is_relevant). Lexical-only mode
        keeps its lexical matches."""
        keep = np.ones(len(ids), dtype=bool)
        if query_vector is None or len(ids) == 0:
            return keep
        weights, known = self.word_weights(analysis)
        unknown = unknown_share(analysis, known)
        # the dense rankings' scores are the paragraphs' best-unit cosines: only the others are computed
        cosines = {i: sc for ranking in dense for i, sc in zip(ranking.ids.tolist(), ranking.scores.tolist())}
        for n, index in enumerate(ids.tolist()):
            cover = self.cover_at(index, analysis, weights, known)
            if cover >= MIN_MATCH_COVER and unknown <= MAX_UNKNOWN_WORDS:
                continue
            cosine = cosines.get(index)
            if cosine is None:
                cosine = self.s.best_unit(index, query_vector)[0]
            keep[n] = cosine >= MATCH_COSINE or is_relevant(cosine, cover, unknown)
        return keep

    def answer(self, index: int, analysis: QueryAnalysis, query_vector: np.ndarray | None) -> Answer | None:
        if query_vector is None:
            return None  # lexical-only mode: no calibrated relevance signal
        cosine, window = self.s.best_unit(index, query_vector)
        p = self.s.paragraph_at(index)
        weights, known = self.word_weights(analysis)
        folded = _folded(p.text)
        cover = self.cover_at(index, analysis, weights, known)
        if not is_relevant(cosine, cover, unknown_share(analysis, known)):
            return None
        start, end = best_sentences(p.text, analysis, window, folded)
        document = self.s.document(p.doc_id)
        if not fits(analysis, p.text[start:end], p.text, document):
            return None  # similar words, but not what the question asks (a who, a date, a number, a name)
        return self._answer_at(index, start, end, cosine)

    def date_answer(
        self, index: int, span: tuple[int, int], query_vector: np.ndarray | None
    ) -> Answer | None:
        """The statement of a named document's issue date (CorpusView.issue_date_span): its own place-and-
        date line ("Hà Nội, ngày 22 tháng 01 năm 2019"), or a sentence citing it with its date. It answers
        "ban hành ngày nào" by what it is, which no similarity threshold would see."""
        if query_vector is None:
            return None  # lexical-only mode gives no answers
        start, end = span
        return self._answer_at(index, start, end, self.s.best_unit(index, query_vector)[0])

    def _answer_at(self, index: int, start: int, end: int, score: float) -> Answer:
        """The sentence(s) [start, end) of paragraph `index` as the answer, cited."""
        p = self.s.paragraph_at(index)
        return Answer(
            text=p.text[start:end],
            paragraph_id=p.paragraph_id,
            doc_id=p.doc_id,
            citation=self.s.citation_at(index),
            paragraph_text=p.text,
            start=start,
            end=end,
            score=round(float(score), 6),
            ocr=p.ocr,
        )

    def facets(self, matching: np.ndarray, filters: tuple[str | None, str | None, int | None]) -> dict:
        """Each facet value's count under the other active filters (choosing a type recounts issuers and
        years), as the search filtered by that value would count it: one per near-duplicate group among
        the `matching` ranked paragraphs. A value found among the matches that the other filters exclude
        counts 0, most frequent first."""
        doc_type, issuer, year = filters
        columns = {"type": self.s.para_type, "issuer": self.s.para_issuer, "year": self.s.para_year}
        others = {
            "type": (None, issuer, year),
            "issuer": (doc_type, None, year),
            "year": (doc_type, issuer, None),
        }
        out: dict[str, dict[str, int]] = {}
        for name, column in columns.items():
            mask = self.s.filter_mask(*others[name])
            chosen = matching if mask is None else matching[mask[matching]]
            groups = {(column[i], int(self.s.group[i])) for i in chosen.tolist()}
            counts = Counter(value for value, _ in groups if value)
            seen = [value for value in dict.fromkeys(column[matching].tolist()) if value]
            ordered = sorted(seen, key=lambda v: -counts.get(v, 0))
            out[name] = {str(value): counts.get(value, 0) for value in ordered}
        return out

    def response(
        self,
        query: str,
        analysis: QueryAnalysis,
        unfiltered: Ranking,
        filtered: Ranking,
        query_vector: np.ndarray | None,
        k: int,
        offset: int,
        mask: np.ndarray | None,
        filters: tuple[str | None, str | None, int | None] = (None, None, None),
        dense: list[Ranking] = (),
    ) -> SearchResponse:
        candidates, candidate_scores = self.dedupe(unfiltered)
        ids, scores = (candidates, candidate_scores) if filtered is unfiltered else self.dedupe(filtered)
        if mask is not None:
            keep = mask[ids]
            ids, scores = ids[keep], scores[keep]
        answer_pool = ids[:ANSWER_DEPTH]  # the answer keeps its own, calibrated, decision over the best few
        # Counts, pages and facets cover the paragraphs that match, not the whole candidate pool.
        pool = np.union1d(unfiltered.ids, filtered.ids).astype(np.int64)
        matching = pool[self.relevant(pool, analysis, query_vector, dense)]
        keep_ids = np.isin(ids, matching)
        ids, scores = ids[keep_ids], scores[keep_ids]
        page = [
            (self.representative(int(i), mask), float(sc))
            for i, sc in zip(ids[offset : offset + k], scores[offset : offset + k])
        ]
        answer = None
        # Answer from the best body paragraph among the first few: a heading ("II- Nhiệm vụ và giải
        # pháp") or a signature block may rank high but answers nothing.
        for i in answer_pool:
            chosen = self.representative(int(i), mask)
            dated = self.s.issue_date_span(chosen, analysis) if analysis.asks_issue_date else None
            if dated is not None:
                answer = self.date_answer(chosen, dated, query_vector)
                break
            if self.s.paragraph_at(chosen).kind in ANSWER_KINDS:
                answer = self.answer(chosen, analysis, query_vector)
                break
        return SearchResponse(
            query=query,
            answer=answer,
            results=[
                self.result(i, sc, spans)
                for (i, sc), spans in zip(
                    page, highlight_page([self.s.paragraph_at(i).text for i, _ in page], analysis)
                )
            ],
            total=int(len(ids)),
            facets=self.facets(matching, filters),
        )
