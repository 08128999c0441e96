"""The search entry point the CLI and the web app query: a loaded index build, composed.

Consumes an index folder (see index.store) and the Embedder it was built with; produces
`SearchResponse`s (index.types). `Searcher.load` reads the build into its parts: the corpus store
(index.corpus_store), the lexical and dense retrievers (index.retrievers), the reference hints, the
`RetrievalConfig` saved in the manifest (index.config); `search` validates the query once, analyses it
(index.analysis), encodes it, ranks it within the caller's access (index.hybrid) and builds the cited
response (index.results), with the number lookup, relations and mandates it asks for.
"""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np

from index import store
from index.access import ANONYMOUS, Audience
from index.analysis import analyze_query, query_text
from index.config import RetrievalConfig
from index.corpus_store import Filters, LocalCorpusStore
from index.dense import DenseIndex
from index.embedders import Embedder, QueryVectorCache
from index.highlights import forget_highlight_plans
from index.hints import ReferenceHints
from index.hybrid import MODES, HybridSearcher, Mode, restrict
from index.lexical import DocumentEvidence, LexicalIndex, document_runs
from index.mandate_search import mandate_book
from index.number_lookup import NumberTable, with_lookup
from index.reader import Reader
from index.relation_search import find_relations
from index.results import Page, ResultBuilder
from index.retrievers import DenseRetriever, LexicalRetriever, RetrievalQuery
from index.tones import ToneRestorer
from index.types import SearchResponse
from ingest.models import Corpus

# Query vectors kept per searcher (384 floats each, default): a page, a filter or an export re-runs the
# query the previous request just encoded, and the encoder is most of a search's time. Benchmarks pass 0.
QUERY_VECTOR_CACHE = 1024
RESTORED_QUERY_CACHE = 1024  # toneless query texts with their restored marks (short strings)


class QueryError(ValueError):
    """A query that cannot be searched; the message is shown to the user as is. `kind`: "empty",
    "too_long", "no_terms" (nothing but punctuation: nothing can match), "paging" or "mode"."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


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
    try:
        RetrievalConfig.model_validate(manifest["retrieval"])
    except (KeyError, ValueError) as exc:
        raise IndexLoadError(
            f"Chỉ mục {build} có cấu hình truy hồi hỏng: {exc}; hãy lập lại chỉ mục."
        ) from exc
    return manifest


class Searcher:
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
        config: RetrievalConfig | None = None,
    ):
        self.build, self.manifest, self.embedder, self.tones = build, manifest, embedder, tones
        self.config = config or RetrievalConfig.model_validate(manifest["retrieval"])
        self.store = LocalCorpusStore(corpus)
        self.hints = ReferenceHints(self.store)
        para_run = document_runs(self.store.para_doc)  # as the build numbered them (stored order)
        self.lexical = LexicalRetriever(lexical, DocumentEvidence.load(lexical, para_run, build), para_run)
        self.dense = DenseRetriever(dense, unit_spans, len(self.store))
        self.hybrid = HybridSearcher(self.lexical, self.dense, self.config, self.hints)
        self.results = ResultBuilder(self.store, self.lexical, self.dense, self.hints, self.config)
        self.numbers = NumberTable(corpus.documents)  # exact number lookup and relations (issue 18)
        self.mandates = list(corpus.mandates)  # index/mandate_search.py
        # A toneless query's marks are restored once per text: a page, a filter or an export asks it again.
        self.restore_tones = lru_cache(maxsize=RESTORED_QUERY_CACHE)(tones.restore)
        self.query_vectors = QueryVectorCache(query_cache)

    @classmethod
    def load(
        cls,
        index_dir: Path,
        embedder: Embedder,
        query_cache: int = QUERY_VECTOR_CACHE,
        config: RetrievalConfig | None = None,
    ) -> Searcher:
        """The current build of `index_dir`; `query_cache` query vectors are kept (0: none, for benchmarks);
        `config` replaces the one saved with the build (benchmark sweeps)."""
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
            # FAISS reads its file without the GIL: beside the JSON parsing, which holds it.
            with ThreadPoolExecutor(max_workers=1) as reader:
                dense_read = reader.submit(DenseIndex.load, build / "dense.faiss", unit_paragraph)
                corpus = read_corpus(build)
                lexical = LexicalIndex.load(build, len(corpus.paragraphs))
                tones = ToneRestorer.load(build / "lexicon.json")
                dense = dense_read.result()
        except Exception as exc:  # any missing or unreadable file makes the build unusable
            raise IndexLoadError(f"Chỉ mục {build} bị hỏng hoặc thiếu tệp: {exc}") from exc
        if dense.size != len(units) or dense.dim != embedder.dim:
            raise IndexLoadError(
                f"Chỉ mục {build} không nhất quán (số vectơ khác số đơn vị); hãy lập lại chỉ mục."
            )
        try:
            return cls(build, manifest, embedder, corpus, lexical, dense, spans, tones, query_cache, config)
        except (OSError, ValueError) as exc:  # the saved document-evidence postings (index.lexical)
            raise IndexLoadError(f"Chỉ mục {build} bị hỏng hoặc thiếu tệp: {exc}") from exc

    def forget_queries(self) -> None:
        """Drop what earlier queries left in caches (query vectors, restored texts, highlight plans), so a
        benchmark times a search as if its query had never been asked."""
        self.query_vectors.clear()
        self.restore_tones.cache_clear()
        forget_highlight_plans()

    def with_config(self, config: RetrievalConfig) -> Searcher:
        """This searcher ranking by `config` instead (benchmark sweeps over one loaded index)."""
        other = copy.copy(self)
        other.config = config
        other.hybrid = HybridSearcher(self.lexical, self.dense, config, self.hints)
        other.results = ResultBuilder(self.store, self.lexical, self.dense, self.hints, config)
        return other

    def dense_query_text(self, query: str) -> str:
        """The query as the dense retriever sees it: normalized, abbreviations expanded, tone marks restored."""
        return query_text(query, self.restore_tones)

    def query_vector(self, dense_text: str) -> np.ndarray:
        """The vector of `dense_text` (dense_query_text), from the cache or encoded."""
        vector = self.query_vectors.get(dense_text)
        if vector is None:
            vector = self.embedder.encode_query(dense_text)
            vector.flags.writeable = False  # shared by every search of the same text
            self.query_vectors.put(dense_text, vector)
        return vector

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
        audience: Audience = ANONYMOUS,
    ) -> SearchResponse:
        """Page [offset, offset + k) of the ranking for `query` among what `audience` may read
        (index.types.SearchResponse); raises QueryError for an empty, too long or malformed query."""
        query = (query or "").strip()
        if not query:
            raise QueryError("Hãy nhập câu hỏi hoặc từ khoá cần tìm.", "empty")
        if len(query) > max_query_chars:
            raise QueryError(
                f"Câu hỏi quá dài ({len(query)} ký tự); hãy rút gọn còn tối đa {max_query_chars} ký tự.",
                "too_long",
            )
        if not any(ch.isalnum() for ch in query):
            raise QueryError("Câu hỏi không có chữ hay số nào để tìm.", "no_terms")
        if k < 1 or offset < 0:
            raise QueryError("Tham số phân trang không hợp lệ.", "paging")
        if mode not in MODES:
            raise QueryError(f"Chế độ tìm kiếm không hợp lệ: {mode!r}.", "mode")
        # The candidate pool must not depend on the page asked for, or page 2 would not follow page 1
        # (fusion normalizes over the pool) and facets would change with k.
        overfetch = self.config.overfetch
        fetch = overfetch * (1 + (offset + k - 1) // overfetch)
        asked, words = query, query.split()
        if len(words) > self.config.max_query_words:
            query = " ".join(words[: self.config.max_query_words])
        text = self.dense_query_text(query)
        vector = self.query_vector(text) if mode != "lexical" else None
        analysis = analyze_query(query, self.restore_tones, text)
        filters = Filters(doc_type, issuer, year)
        access = self.store.access_mask(audience)  # enforced here, before anything is ranked
        wanted = self.store.filter_mask(filters)
        mask = access if wanted is None else (wanted if access is None else wanted & access)
        masks = [access] if wanted is None else [access, mask]
        ranked = self.hybrid.rank(RetrievalQuery(analysis, vector), fetch, mode, masks)
        unfiltered, filtered = ranked.fused[0], ranked.fused[-1]
        readable = self.store.readable_ids(audience)
        numbers = self.numbers.readable_by(readable)  # the documents `audience` may read, references unlinked
        lookup, named = numbers.lookup(query)
        if lookup is not None and lookup.cards:  # only references: the named documents' own paragraphs first
            unfiltered, filtered = (
                restrict(numbers.promote_named(r, named, self.store), m)
                for r, m in ((unfiltered, access), (filtered, mask))
            )
        if wanted is None:
            filtered = unfiltered
        page = Page(
            asked, analysis, unfiltered, filtered, vector, k, offset, access, mask, filters, ranked.dense
        )
        response = self.results.response(page)
        response = with_lookup(response, lookup, find_relations(asked, numbers))
        return mandate_book(self, readable).answer(response, asked)

    def reader(self, audience: Audience) -> Reader:
        """What `audience` may read of this index, for everything but searching (pages, API, exports)."""
        return Reader(self, audience)
