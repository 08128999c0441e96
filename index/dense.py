"""Dense retrieval: what gets embedded (units) and the FAISS index over their vectors.

Consumes the corpus (documents and paragraphs) and an Embedder; produces embedding units (a
paragraph, or a window of its sentences when the paragraph is long, each prefixed with its
document's title, section heading and section number as context), their unit vectors, and a FAISS
inner-product index. At query time unit scores pool back to paragraphs by max. Exact search
(IndexFlatIP) up to `HNSW_THRESHOLD` units, HNSW over float16 vectors above it, where exhaustive
search stops fitting the query budget (docs/decisions/0007-hnsw-float16.md).

The section heading matters most for short paragraphs that only make sense under it (a clause under its
article's name); it is left out when it mostly repeats the title or belongs to an attached copy
(docs/decisions/0001-dense-units.md).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from ingest.models import Document, Paragraph
from ingest.normalize import fold_accents, normalize

LONG_PARAGRAPH_CHARS = 700  # ~150 e5 tokens: above this one vector blurs the paragraph's several points
WINDOW_CHARS = 400  # sentences are grouped into windows of about this size
LONGEST_SENTENCE_CHARS = (
    2000  # past e5's 512 tokens, which it truncates: a longer "sentence" (no punctuation) is cut
)
CONTEXT_WORDS = 14  # words of the document title prepended as context
HNSW_THRESHOLD = 20_000  # units; above it exact search costs more than HNSW (docs/decisions/0007)
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 32, 80, 96
# Units fetched per paragraph wanted, over the corpus's mean (DenseIndex.search): enough for every benchmark
# query's 200 paragraphs in one fetch, and HNSW's work grows with the fetch (docs/decisions/0008).
FETCH_MARGIN = 1.05


@dataclass(frozen=True)
class Unit:
    paragraph: int  # index into the corpus paragraph list
    start: int  # offsets of the unit's text inside the paragraph text
    end: int
    text: str  # what is embedded (context + normalized text)

    def key(self, embedder_name: str) -> str:
        """Cache key: the same text embedded by the same embedder gives the same vector."""
        return hashlib.sha256(f"{embedder_name}\x00{self.text}".encode()).hexdigest()


SENTENCE_ENDS = ".?!"  # the only characters underthesea's splitter ends a sentence at


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence of `text` (underthesea's splitter, mapped back to offsets)."""
    stripped = text.strip()
    if stripped and not any(end in stripped.rstrip(SENTENCE_ENDS) for end in SENTENCE_ENDS):
        # One sentence, as the splitter would find it, without its cost (in a search's answer step).
        start = text.index(stripped)
        return [(start, start + len(stripped))]
    return split_sentence_spans(text)


def split_sentence_spans(text: str) -> list[tuple[int, int]]:
    """sentence_spans by underthesea's splitter, without the shortcut for a single sentence."""
    from underthesea import sent_tokenize

    spans, cursor = [], 0
    for sentence in sent_tokenize(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        at = text.find(sentence, cursor)
        if at < 0:  # the splitter changed the text: fall back to one span for the rest
            spans.append((cursor, len(text)))
            return spans
        spans.append((at, at + len(sentence)))
        cursor = at + len(sentence)
    return spans or [(0, len(text))]


def _windows(text: str) -> list[tuple[int, int]]:
    if len(text) <= LONG_PARAGRAPH_CHARS:
        return [(0, len(text))]
    windows: list[tuple[int, int]] = []
    for start, end in _bounded_spans(text, sentence_spans(text)):
        if windows and end - windows[-1][0] <= WINDOW_CHARS:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _bounded_spans(text: str, spans: list[tuple[int, int]]):
    """Sentence spans; a "sentence" past what the embedder reads (text without punctuation: a list of short
    lines, a flattened table) is embedded by its first window only. Its words stay in the lexical index;
    embedding all of it cost ~90 s for one 300 KB list of 100,000 lines (docs/decisions/0019)."""
    for start, end in spans:
        if end - start <= LONGEST_SENTENCE_CHARS:
            yield start, end
            continue
        cut = text.rfind(" ", start + 1, start + WINDOW_CHARS)
        yield start, cut if cut > start else start + WINDOW_CHARS


def context_of(document: Document, paragraph: Paragraph, heading: str = "") -> str:
    """What precedes a unit's text: document type, number and title, the heading of the section the
    paragraph stands in (a law article's name, "II- Nhiệm vụ và giải pháp"), and its section number."""
    title = " ".join((document.title or "").split()[:CONTEXT_WORDS])
    parts = [p for p in (document.doc_type, document.number) if p]
    head = " ".join(parts)
    if title:
        head = f"{head}: {title}" if head else title
    if heading:
        head = f"{head}. {heading}" if head else heading
    if paragraph.section:
        head = f"{head} (mục {paragraph.section})" if head else f"mục {paragraph.section}"
    return head


def _encloses(heading_section: str, section: str) -> bool:
    return not heading_section or section == heading_section or section.startswith(heading_section + ".")


def section_headings(documents: dict[str, Document], paragraphs: list[Paragraph]) -> list[str]:
    """Per paragraph, the nearest heading before it in its document whose section encloses the
    paragraph's (a clause under its article's name), cut to CONTEXT_WORDS words; "" when there is none
    or when most of its words are the document title's. A heading's own entry is the heading above it."""
    out, stack, current_doc = [], [], None
    title_words: set[str] = set()
    for paragraph in paragraphs:
        if paragraph.doc_id != current_doc:
            current_doc, stack = paragraph.doc_id, []
            title_words = set(fold_accents(documents[paragraph.doc_id].title or "").lower().split())
        heading = next(
            (text for section, text in reversed(stack) if _encloses(section, paragraph.section)), ""
        )
        words = heading.split()[:CONTEXT_WORDS]
        folded = fold_accents(" ".join(words)).split()
        # A heading that mostly repeats the title (the "V/v ..." line of a letter) adds nothing.
        repeats_title = sum(w in title_words for w in folded) * 2 >= len(folded)
        out.append("" if repeats_title or paragraph.attached_number else " ".join(words))
        if paragraph.kind == "heading":
            stack.append((paragraph.section, normalize(" ".join(paragraph.text.split()))))
    return out


def make_units(documents: dict[str, Document], paragraphs: list[Paragraph]) -> list[Unit]:
    units = []
    headings = section_headings(documents, paragraphs)
    for index, paragraph in enumerate(paragraphs):
        context = context_of(documents[paragraph.doc_id], paragraph, headings[index])
        for start, end in _windows(paragraph.text):
            body = normalize(paragraph.text[start:end])
            units.append(Unit(index, start, end, f"{context}. {body}" if context else body))
    return units


class DenseIndex:
    def __init__(self, index: faiss.Index, unit_paragraph: np.ndarray):
        self.index = index
        self.unit_paragraph = unit_paragraph  # unit -> paragraph index
        self.units_per_paragraph = len(unit_paragraph) / max(1, int(unit_paragraph.max(initial=-1)) + 1)

    @classmethod
    def build(cls, vectors: np.ndarray, unit_paragraph: np.ndarray) -> DenseIndex:
        dim = vectors.shape[1]
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(vectors) > HNSW_THRESHOLD:
            # Vectors stored as float16: half the memory and file, and the search reads half the bytes, for
            # about the same recall (docs/decisions/0007-hnsw-float16.md).
            index = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_fp16, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = HNSW_EF_SEARCH
            index.train(vectors)
        else:
            index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return cls(index, unit_paragraph)

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, unit_paragraph: np.ndarray) -> DenseIndex:
        index = faiss.read_index(str(path))
        if isinstance(index, faiss.IndexHNSW):
            index.hnsw.efSearch = max(index.hnsw.efSearch, HNSW_EF_SEARCH)
        return cls(index, unit_paragraph)

    @functools.cached_property
    def stored_vectors(self) -> np.ndarray:
        """All unit vectors as FAISS stores them (float32, or float16 under HNSW), a view of the index's
        own memory rather than a copy: scoring a few hundred paragraphs' units is one gather and one
        product instead of a `reconstruct_n` call per paragraph."""
        storage = (
            faiss.downcast_index(self.index.storage)
            if isinstance(self.index, faiss.IndexHNSW)
            else self.index
        )
        if isinstance(storage, faiss.IndexFlat):
            dtype = np.float32
        elif (
            isinstance(storage, faiss.IndexScalarQuantizer)
            and storage.sq.qtype == faiss.ScalarQuantizer.QT_fp16
        ):
            dtype = np.float16
        else:  # a storage whose codes are not the vectors themselves: decoded once
            return self.vectors()
        if self.index.ntotal == 0:
            return np.zeros((0, self.index.d), dtype)
        codes = faiss.rev_swig_ptr(storage.codes.data(), storage.codes.size())
        return codes.view(dtype).reshape(self.index.ntotal, self.index.d)

    def vectors(self, start: int = 0, count: int | None = None) -> np.ndarray:
        """Unit vectors [start, start + count) as float32, read back from the index (their only copy)."""
        count = self.index.ntotal - start if count is None else count
        return (
            self.index.reconstruct_n(start, count) if count > 0 else np.zeros((0, self.index.d), np.float32)
        )

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        return int(self.index.d)

    def search_units(self, query_vector: np.ndarray, k: int, allowed_units: np.ndarray | None = None):
        """Top-k units by inner product (cosine, vectors being unit length), best first."""
        k = min(k, self.index.ntotal)
        if k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        params = None
        if allowed_units is not None:
            selector = faiss.IDSelectorBatch(allowed_units.astype(np.int64))
            if isinstance(self.index, faiss.IndexHNSW):
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, k))
            else:
                params = faiss.SearchParameters(sel=selector)
        # One query on one OpenMP thread: two were slower for one query and left a spinning thread that
        # the next encode saw as a busy core (index.engine_threads; docs/decisions/0007). Per thread.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            scores, ids = self.index.search(query_vector.reshape(1, -1).astype(np.float32), k, params=params)
        finally:
            faiss.omp_set_num_threads(threads)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def search(self, query_vector: np.ndarray, k: int, allowed_units: np.ndarray | None = None):
        """Top-k paragraphs, each scored by its best unit; returns (paragraphs, scores, best units).

        Units are fetched in proportion to the corpus's units per paragraph (FETCH_MARGIN above it), and
        twice as many again while the best units crowd into fewer than k paragraphs (a long paragraph's
        windows). A fixed 2k units made HNSW visit twice the candidates a corpus of short paragraphs needs
        (docs/decisions/0008-dense-fetch.md)."""
        available = self.index.ntotal if allowed_units is None else len(allowed_units)
        fetch = min(available, max(k, int(np.ceil(k * self.units_per_paragraph * FETCH_MARGIN))))
        while True:
            units, scores = self.search_units(query_vector, fetch, allowed_units)
            paragraphs = self.unit_paragraph[units]
            _, first = np.unique(paragraphs, return_index=True)  # first = best, scores being sorted
            if len(first) >= k or fetch >= available or len(units) < fetch:
                break
            fetch = min(available, 2 * fetch)
        first = np.sort(first)[:k]
        return paragraphs[first], scores[first], units[first]
