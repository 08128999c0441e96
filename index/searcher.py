"""Hybrid search over a built index: the one object the CLI and the web app query.

Consumes an index folder (see index.store) and the Embedder it was built with; produces
`SearchResponse`s (index.types): ranked, cited, de-duplicated paragraphs with highlights, facets and
an extractive answer. A query is analyzed once (normalize, abbreviations, tone restoration) and its
vector encoded once, the lexical side meanwhile on the CPU time the encoder leaves idle
(index.engine_threads.IdleWorker) and, when it is not done by then, beside the dense search; both
rankings are over-fetched and fused by index.fusion.fuse (docs/decisions/0004, 0008, 0011, 0012).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Literal, TypeVar

import numpy as np

from index import fusion, store
from index.access import ANONYMOUS, AccessMasks, Audience, both, readable_also_in, within
from index.analysis import QueryAnalysis, analyze_query, query_text
from index.corpus_view import CorpusView
from index.dense import DenseIndex
from index.embedders import Embedder, QueryVectorCache, encode_query_beside
from index.lexical import DocumentEvidence, LexicalIndex, document_runs
from index.mandate_search import mandate_book
from index.number_lookup import NumberTable, with_lookup
from index.relation_search import find_relations
from index.results import ResultBuilder, forget_highlight_plans
from index.tones import ToneRestorer
from index.types import SearchResponse
from ingest.models import Corpus

OVERFETCH = 200  # candidates taken from each retriever; pages deeper than this fetch a multiple of it
# A query's first words are what analysis, tone restoration, encoding and answer extraction work on: the
# encoder's cost grows faster than the text, and a 1,000-character paste cost 27x a typical question
# (benchmarks/long_query.py); longer text adds words the first ones already asked for.
MAX_QUERY_WORDS = 40
# Query vectors kept per searcher (384 floats each, default): a page, a filter or an export re-runs the
# query the previous request just encoded, and the encoder is most of a search's time. Benchmarks pass 0.
QUERY_VECTOR_CACHE = 1024
RESTORED_QUERY_CACHE = 1024  # toneless query texts with their restored marks (short strings)
Mode = Literal["hybrid", "lexical", "dense"]
T = TypeVar("T")


class QueryError(ValueError):
    """A query that cannot be searched; the message is shown to the user as is."""


class IndexLoadError(RuntimeError):
    """No index, a corrupt one, or one built with another embedder."""


def _check_manifest(build: Path, embedder: Embedder) -> dict:
    try:
        manifest = store.read_manifest(build)
    except (OSError, ValueError) as exc:
        raise IndexLoadError(f"Chỉ mục {build} bị hỏng (không đọc được manifest.json): {exc}") from exc
    if manifest.get("format_version") != store.FORMAT_VERSION:
        raise IndexLoadError(
            f"Chỉ mục {build} có định dạng {manifest.get('format_version')!r}, cần "
            f"{store.FORMAT_VERSION}: hãy lập lại chỉ mục bằng `tracuu ingest`."
        )
    built_with = manifest.get("embedder", {})
    if built_with.get("name") != embedder.name or built_with.get("dim") != embedder.dim:
        raise IndexLoadError(
            f"Chỉ mục {build} được lập bằng bộ nhúng {built_with.get('name')!r} ({built_with.get('dim')} chiều) "
            f"nhưng đang dùng {embedder.name!r} ({embedder.dim} chiều). Hãy chọn đúng bộ nhúng đó "
            f"(--embedder, TRACUU_EMBEDDER) hoặc lập lại chỉ mục bằng `tracuu ingest`."
        )
    return manifest


@dataclass(frozen=True)
class LexicalSide:
    """What a search computes without the query vector (Searcher.lexical_side)."""

    analysis: QueryAnalysis
    context: np.ndarray | None  # document context evidence (hybrid mode)
    unfiltered: fusion.Ranking | None  # the lexical ranking (None in dense mode)
    filtered: fusion.Ranking | None  # the lexical ranking within the filters (None without filters)


class Searcher(CorpusView):
    def __init__(
        self,
        build: Path,
        manifest: dict,
        embedder: Embedder,
        corpus: Corpus,
        lexical: LexicalIndex,
        dense: DenseIndex,
        unit_spans: np.ndarray,
        tones: ToneRestorer,
        query_cache: int = QUERY_VECTOR_CACHE,
    ):
        super().__init__(corpus)
        self.mandates = list(corpus.mandates)  # index/mandate_search.py
        self.build, self.manifest, self.embedder = build, manifest, embedder
        self.lexical, self.dense, self.tones = lexical, dense, tones
        # A search restores a toneless query's marks once (dense_query_text; the analysis reuses that text),
        # and a page, a filter or an export asks the same query again: the Viterbi search runs once per text.
        self.restore_tones = lru_cache(maxsize=RESTORED_QUERY_CACHE)(tones.restore)
        self.unit_spans = unit_spans  # unit -> (start, end) inside its paragraph
        # Units of a paragraph are contiguous (index.dense.make_units): paragraph p owns [first[p],
        # first[p+1]).
        self.first_unit = np.searchsorted(dense.unit_paragraph, np.arange(len(corpus.paragraphs) + 1))
        self.results = ResultBuilder(self)
        # Runs of consecutive paragraphs of one document, for index.lexical.DocumentEvidence.
        self.para_run = document_runs(self.para_doc)
        self.document_evidence = DocumentEvidence.load(lexical, self.para_run, build)
        self.query_vectors = QueryVectorCache(query_cache)
        self.numbers = NumberTable(corpus.documents)  # exact number lookup and relations (issue 18)
        self.access = AccessMasks(corpus.documents, self.para_doc)  # who may read what (issue 21)

    @classmethod
    def load(cls, index_dir: Path, embedder: Embedder, query_cache: int = QUERY_VECTOR_CACHE) -> Searcher:
        """The current build of `index_dir`; `query_cache` query vectors are kept (0: none, for benchmarks)."""
        from ingest.store import read_corpus

        build = store.current_build(Path(index_dir))
        if build is None:
            raise IndexLoadError(
                f"Chưa có chỉ mục trong {index_dir}: hãy chạy `tracuu ingest <tệp hoặc thư mục>`."
            )
        manifest = _check_manifest(build, embedder)
        try:
            units = np.load(build / "units.npy", allow_pickle=False)
            unit_paragraph = np.ascontiguousarray(units[:, 0])
            spans = np.ascontiguousarray(units[:, 1:3])
            # FAISS reads its file without the GIL: beside the JSON parsing, which holds it (~0.15 s of
            # ~1.8 s at 100k paragraphs).
            with ThreadPoolExecutor(max_workers=1) as reader:
                dense_read = reader.submit(DenseIndex.load, build / "dense.faiss", unit_paragraph)
                corpus = read_corpus(build)
                lexical = LexicalIndex.load(build, len(corpus.paragraphs))
                tones = ToneRestorer.load(build / "lexicon.json")
                dense = dense_read.result()
        except Exception as exc:  # any missing or unreadable file makes the build unusable
            raise IndexLoadError(f"Chỉ mục {build} bị hỏng hoặc thiếu tệp: {exc}") from exc
        if dense.index.ntotal != len(units) or dense.index.d != embedder.dim:
            raise IndexLoadError(
                f"Chỉ mục {build} không nhất quán (số vectơ khác số đơn vị); hãy lập lại chỉ mục."
            )
        try:
            return cls(build, manifest, embedder, corpus, lexical, dense, spans, tones, query_cache)
        except (OSError, ValueError) as exc:  # the saved document-evidence postings (index.lexical)
            raise IndexLoadError(f"Chỉ mục {build} bị hỏng hoặc thiếu tệp: {exc}") from exc

    def forget_queries(self) -> None:
        """Drop what earlier queries left in caches (query vectors, restored texts, highlight plans), so a
        benchmark times a search as if its query had never been asked."""
        self.query_vectors.clear()
        self.restore_tones.cache_clear()
        forget_highlight_plans()

    # -- retrieval -------------------------------------------------------------------------

    def dense_query_text(self, query: str) -> str:
        """The query as the dense retriever sees it: normalized, abbreviations expanded, tone marks restored."""
        return query_text(query, self.restore_tones)

    def encode_alongside(self, dense_text: str, work: Callable[[], T]) -> tuple[np.ndarray, Callable[[], T]]:
        """The vector of `dense_text` (dense_query_text), cached, and a function giving `work()`'s result;
        when the vector must be encoded, `work` begins on the CPU time the encoding leaves idle
        (index.embedders.encode_query_beside)."""
        vector = self.query_vectors.get(dense_text)
        if vector is not None:
            return vector, work
        vector, result = encode_query_beside(self.embedder, dense_text, work)
        return self._keep(dense_text, vector), result

    def _keep(self, dense_text: str, vector: np.ndarray) -> np.ndarray:
        vector.flags.writeable = False  # shared by every search of the same text (QueryVectorCache)
        self.query_vectors.put(dense_text, vector)
        return vector

    def best_unit(self, index: int, query_vector: np.ndarray) -> tuple[float, tuple[int, int]]:
        """Cosine of the paragraph's best unit with the query, and that unit's span in the paragraph."""
        lo, hi = int(self.first_unit[index]), int(self.first_unit[index + 1])
        if hi <= lo:
            return 0.0, (0, 0)
        vectors = self.dense.index.reconstruct_n(lo, hi - lo)
        cosines = vectors @ query_vector
        best = int(np.argmax(cosines))
        start, end = self.unit_spans[lo + best]
        return float(cosines[best]), (int(start), int(end))

    def context_evidence(self, analysis: QueryAnalysis) -> np.ndarray:
        """The lexical context evidence of each run of a document's paragraphs (`para_run`;
        index.lexical.DocumentEvidence): it depends on the query alone, so a filtered search reuses it."""
        return self.document_evidence.scores(analysis)

    def context_ranking(self, context: np.ndarray, rankings: list[fusion.Ranking]) -> fusion.Ranking:
        """The candidates of `rankings`, each scored by the lexical evidence around it (third fused list)."""
        candidates = fusion.candidates(rankings)
        if not candidates.size:
            return fusion.Ranking(candidates, np.empty(0, dtype=np.float64))
        scores = context[self.para_run[candidates]]
        order = np.argsort(-scores, kind="stable")  # candidates ascend: ties go to the smaller id
        return fusion.Ranking(candidates[order], scores[order])

    def quoted_number_hint(
        self, analysis: QueryAnalysis, hint: fusion.Ranking | None, rankings: list[fusion.Ranking]
    ) -> fusion.Ranking | None:
        """The document-number hint, extended to candidates that quote a full number the query writes
        ("Kế hoạch 177-KH/TU" mentioned inside another document's paragraph): such a number is
        specific evidence wherever it stands."""
        if not analysis.numbers:
            return hint
        quoting = self.lexical.containing(analysis.numbers)
        candidates = fusion.candidates(rankings)
        quoted = candidates[np.isin(candidates, quoting)]
        if not quoted.size:
            return hint
        ids = list(dict.fromkeys([*(hint.ids.tolist() if hint is not None else []), *quoted.tolist()]))
        return fusion.Ranking(np.array(ids, dtype=np.int64), np.linspace(1.0, 0.5, len(ids)))

    def lexical_side(
        self,
        query: str,
        dense_text: str,
        fetch: int,
        mode: Mode,
        mask: np.ndarray | None,
        readable: np.ndarray | None = None,
    ) -> LexicalSide:
        """The query's analysis, its document context evidence (hybrid) and its lexical rankings (all
        but dense mode), unfiltered (within `readable`) and within `mask`: all a search needs that the
        vector does not give, so it can run while the vector is encoded (Searcher.search)."""
        analysis = analyze_query(query, self.restore_tones, dense_text)
        context = self.context_evidence(analysis) if mode == "hybrid" else None
        if mode == "dense":
            return LexicalSide(analysis, context, None, None)
        masks = [readable] if mask is readable else [readable, mask]
        found = [fusion.Ranking(*r) for r in self.lexical.search_each(analysis, fetch, masks)]
        return LexicalSide(analysis, context, found[0], found[1] if mask is not readable else None)

    def dense_ranking(self, query_vector: np.ndarray, fetch: int, mask: np.ndarray | None) -> fusion.Ranking:
        """The `fetch` paragraphs nearest to the query vector (within `mask`), each by its best unit."""
        allowed = None if mask is None else np.flatnonzero(mask[self.dense.unit_paragraph])
        paragraphs, scores, _ = self.dense.search(query_vector, fetch, allowed)
        return fusion.Ranking(paragraphs, scores)

    def _rank(
        self,
        analysis: QueryAnalysis,
        mode: Mode,
        mask: np.ndarray | None,
        method: str | None,
        weights: Sequence[float] | None,
        context: np.ndarray | None,
        lexical: fusion.Ranking | None,
        dense: fusion.Ranking | None,
    ) -> fusion.Ranking:
        """The fused ranking of the lexical ranking `lexical` and the dense one `dense` (both within `mask`),
        and in hybrid mode the document context (`context`, context_evidence) and the hints."""
        rankings = []
        if mode != "dense":
            rankings.append(lexical)
        if mode != "lexical" and dense is not None:
            rankings.append(dense)
        if mode != "hybrid":
            return rankings[0]
        rankings.append(self.context_ranking(context, rankings))
        hint = self.quoted_number_hint(analysis, self.number_hint(analysis, rankings), rankings)
        hint = within(self.section_hint(analysis, hint), mask)  # a named section may lie outside `mask`
        if hint is not None:
            rankings.append(hint)
        fused = fusion.fuse(rankings, method=method, weights=weights)
        if analysis.reference_only:
            # A bare reference ("Kế hoạch 177-KH/TU") asks for what it names: paragraphs sharing its type
            # word ("kế hoạch") must not outrank the one that quotes the number, however short they are.
            fused = fusion.promote(fused, self.reference_lead(analysis, hint))
        dates = self.issue_date_lines(analysis, self.lexical.containing)
        if mask is not None:
            dates = dates[mask[dates]]
        if dates.size:
            # "Kết luận 44 ban hành ngày nào": the named document's own date line answers it, a header line
            # that neither retriever ranks for those words.
            fused = fusion.put_first(fused, dates)
        return fused

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        offset: int = 0,
        doc_type: str | None = None,
        issuer: str | None = None,
        year: int | None = None,
        max_query_chars: int = 1000,
        mode: Mode = "hybrid",
        fusion_method: str | None = None,
        fusion_weights: Sequence[float] | None = None,
        audience: Audience = ANONYMOUS,
    ) -> SearchResponse:
        """Page [offset, offset + k) of the ranking for `query` (index.types.SearchResponse); raises
        QueryError for an empty, too long or malformed query. Every ranking, count and facet is computed
        within what `audience` may read (index.access).

        `fusion_method` / `fusion_weights` override index.fusion's constants (for benchmark sweeps).
        """
        query = (query or "").strip()
        if not query or not any(ch.isalnum() for ch in query):
            raise QueryError("Hãy nhập nội dung cần tìm.")
        if len(query) > max_query_chars:
            raise QueryError(
                f"Câu hỏi dài {len(query)} ký tự, vượt giới hạn {max_query_chars} ký tự; hãy rút gọn."
            )
        if k < 1 or offset < 0:
            raise QueryError("Tham số phân trang không hợp lệ.")
        if mode not in ("hybrid", "lexical", "dense"):
            raise QueryError(f"Chế độ tìm kiếm không hợp lệ: {mode!r}.")
        # The candidate pool must not depend on the page asked for, or page 2 would not follow page 1
        # (min-max fusion normalizes over the pool) and facets would change with k.
        fetch = OVERFETCH * (1 + (offset + k - 1) // OVERFETCH)
        asked, words = query, query.split()
        if len(words) > MAX_QUERY_WORDS:
            query = " ".join(words[:MAX_QUERY_WORDS])
        text = self.dense_query_text(query)
        readable = self.access.mask(audience)  # None: every paragraph (a public-only corpus)
        mask = both(self.filter_mask(doc_type, issuer, year), readable)  # `readable` itself without filters
        # The lexical side runs while the query is encoded, on the CPU time the encoder leaves idle, at a
        # priority that never takes a core from it (index.engine_threads.IdleWorker); where that cannot
        # be, after the encoding and the dense search, in this thread.
        lexical_side = partial(self.lexical_side, query, text, fetch, mode, mask, readable)
        query_vector = dense = dense_filtered = None
        if mode == "lexical":
            side = lexical_side()
        else:
            query_vector, lexical_result = self.encode_alongside(text, lexical_side)
            # The dense search runs before the lexical side's result is asked for: when the worker has not
            # finished with it, the two run side by side (FAISS releases the GIL).
            dense = self.dense_ranking(query_vector, fetch, readable)
            dense_filtered = self.dense_ranking(query_vector, fetch, mask) if mask is not readable else dense
            side = lexical_result()
        analysis = side.analysis
        numbers = self.numbers.readable_by(self.access.readable(audience))
        lookup, named = numbers.lookup(query)
        unfiltered = self._rank(
            analysis, mode, readable, fusion_method, fusion_weights, side.context, side.unfiltered, dense
        )
        filtered = unfiltered
        if mask is not readable:
            filtered = self._rank(
                analysis,
                mode,
                mask,
                fusion_method,
                fusion_weights,
                side.context,
                side.filtered,
                dense_filtered,
            )
        if lookup is not None and lookup.cards:  # only references: the named documents' own paragraphs first
            unfiltered, filtered = (numbers.promote_named(r, named, self) for r in (unfiltered, filtered))
        response = self.results.response(
            asked,
            analysis,
            unfiltered,
            filtered,
            query_vector,
            k,
            offset,
            mask,
            (doc_type, issuer, year),
            [r for r in (dense, dense_filtered) if r is not None],
        )
        response = readable_also_in(response, self.index_of, readable)
        response = with_lookup(response, lookup, find_relations(asked, numbers))
        return mandate_book(self, self.access.readable(audience)).answer(response, asked)
