"""BM25 lexical retrieval over two fields of each paragraph (bm25s, our own tokens).

Consumes the paragraphs' texts at build time and a `QueryAnalysis` at query time; produces a score
for every paragraph (a numpy vector) and its top-k. The "exact" field holds word segments with tone
marks, the "folded" field accent-folded syllables and syllable pairs (see index.analysis); a query's
score is the sum of both, so a query with tone marks is precise and one without still matches.
Saved as bm25s's own .npy/.json files (saved and loaded with allow_pickle=False).
"""

from __future__ import annotations

import logging
from pathlib import Path

import bm25s
import numpy as np

from index import fusion, postings
from index.analysis import QueryAnalysis

FIELDS = ("exact", "folded")
CONTEXT_PARTS = ("data", "documents", "indptr")  # DocumentEvidence's saved postings, one .npy each per field
POSTINGS_BLOCK = 1 << 21  # entries reduced at a time by _document_postings (bounds its extra memory)
K1, B = 1.2, 0.75  # the usual Okapi constants (Robertson & Zaragoza 2009); not tuned to our queries

logging.getLogger("bm25s").setLevel(logging.WARNING)


class LexicalIndex:
    def __init__(self, fields: dict[str, bm25s.BM25], n: int):
        self.fields = fields
        self.n = n
        # Each field's token x paragraph BM25 matrix as (data, rows, column pointers), summed by
        # index.postings (bm25s's "lucene" scores add nothing for a token a paragraph lacks).
        self.matrices = {
            name: (r.scores["data"], r.scores["indices"], r.scores["indptr"]) for name, r in fields.items()
        }
        for matrix in self.matrices.values():
            postings.warm_up(matrix)

    @classmethod
    def build(cls, tokens: dict[str, list[list[str]]]) -> LexicalIndex:
        fields = {}
        n = 0
        for name in FIELDS:
            retriever = bm25s.BM25(k1=K1, b=B)
            retriever.index(tokens[name], show_progress=False)
            fields[name] = retriever
            n = len(tokens[name])
        return cls(fields, n)

    def save(self, folder: Path) -> None:
        for name, retriever in self.fields.items():
            retriever.save(str(folder / f"bm25_{name}"), allow_pickle=False, show_progress=False)

    @classmethod
    def load(cls, folder: Path, n: int) -> LexicalIndex:
        fields = {
            name: bm25s.BM25.load(
                str(folder / f"bm25_{name}"), load_corpus=False, mmap=False, allow_pickle=False
            )
            for name in FIELDS
        }
        return cls(fields, n)

    def idf(self, folded_words: list[str]) -> tuple[list[float], list[bool]]:
        """Inverse document frequency of folded words ("hom nay") in the folded field: rare words weigh more.

        A word of several syllables is looked up by its rarest adjacent pair; a word the corpus never
        contains gets the highest weight, so it counts fully against a paragraph that lacks it.
        """
        field = self.fields["folded"]
        indptr = field.scores["indptr"]
        vocab = field.vocab_dict
        n = max(self.n, 1)
        out, known = [], []
        for word in folded_words:
            parts = word.split(" ")
            keys = [f"{a}_{b}" for a, b in zip(parts, parts[1:])] or parts
            dfs = [int(indptr[vocab[key] + 1] - indptr[vocab[key]]) if key in vocab else 0 for key in keys]
            df = min(dfs)
            out.append(float(np.log((n + 1) / (df + 0.5))))
            known.append(df > 0)
        return out, known

    def token_ids(self, field: str, tokens: list[str]) -> np.ndarray:
        """Ids of the distinct `tokens` the field's vocabulary holds, ascending."""
        vocab = self.fields[field].vocab_dict
        return np.array(sorted({vocab[t] for t in tokens if t and t in vocab}), dtype=np.int64)

    def scores(self, query: QueryAnalysis) -> np.ndarray:
        """BM25 score of every paragraph, summed over both fields (0 where no query token occurs)."""
        total = np.zeros(self.n, dtype=np.float32)
        for name, tokens in (("exact", query.exact), ("folded", query.folded)):
            postings.column_sums(self.matrices[name], self.token_ids(name, tokens), total)
        return total

    def containing(self, tokens: list[str], field: str = "exact") -> np.ndarray:
        """Indices of the paragraphs whose `field` holds any of `tokens` (from the postings)."""
        retriever = self.fields[field]
        matrix = retriever.scores
        parts = [
            matrix["indices"][matrix["indptr"][i] : matrix["indptr"][i + 1]]
            for i in {retriever.vocab_dict[t] for t in tokens if t in retriever.vocab_dict}
        ]
        return fusion.distinct(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)

    def search(
        self, query: QueryAnalysis, k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k paragraph indices with a positive score (restricted to `mask` when given), best first."""
        return self.search_each(query, k, [mask])[0]

    def search_each(
        self, query: QueryAnalysis, k: int, masks: list[np.ndarray | None]
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """`search` within each of `masks` (None: the whole corpus), the query scored once."""
        scores = self.scores(query)
        return [top_k(scores if mask is None else np.where(mask, scores, 0.0), k) for mask in masks]


TOP_K_SAMPLE_STRIDE = 32  # top_k estimates its cut-off from every 32nd score


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the k largest positive scores, best first (ties by index)."""
    if k <= 0:
        return np.empty(0, dtype=np.int64), scores[:0]
    if k < scores.size:
        # The k-th largest value by np.partition (values only), then comparisons: quicker than
        # np.argpartition, and ties at the cut-off go to the smaller index. The cut-off is first estimated
        # from a sample (the value 2k/stride sampled scores reach, which about 2k scores reach) and only
        # those are partitioned; when fewer than k reach it, all are (docs/decisions/0014-lexical-scoring.md).
        sample = scores[::TOP_K_SAMPLE_STRIDE]
        reach = min(sample.size, max(1, 2 * k // TOP_K_SAMPLE_STRIDE))
        estimate = np.partition(sample, sample.size - reach)[sample.size - reach]
        pool = np.flatnonzero(scores >= estimate) if estimate > 0 else None
        if pool is None or pool.size < k:
            pool = np.arange(scores.size)
        values = scores[pool]
        threshold = np.partition(values, values.size - k)[values.size - k]
        if threshold > 0:
            chosen = np.concatenate([pool[values > threshold], pool[values == threshold]])[:k]
        else:
            chosen = np.flatnonzero(scores > 0)
    else:
        chosen = np.flatnonzero(scores > 0)
    order = np.lexsort((chosen, -scores[chosen]))
    chosen = chosen[order]
    return chosen, scores[chosen]


class DocumentEvidence:
    """Lexical evidence of each paragraph's document: for each query token, its best BM25 score among the
    document's paragraphs, summed over tokens (one value per document: a paragraph p's is
    `scores(query)[doc_index[p]]`, looked up for the few candidates a search ranks).

    A paragraph whose document covers every query word, though spread over several paragraphs, scores
    high: passage retrieval helped by the evidence around the passage (Callan 1994, "Passage-level
    evidence in document retrieval"). `doc_index` numbers each paragraph's document; paragraphs of a
    document are contiguous and in reading order. The per-document maxima are computed once, by the build
    (saved beside the BM25 fields; `load`), as a token x document posting matrix per field, so a query
    costs a sum over small posting lists instead of a walk over the paragraph postings
    (docs/decisions/0013-document-evidence.md).
    """

    def __init__(
        self,
        lexical: LexicalIndex,
        doc_index: np.ndarray,
        saved: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
    ):
        """`saved`: the postings as `postings_of` made them for this `doc_index` (read by `load`); computed
        here when not given (~0.3 s at 100k paragraphs)."""
        self.lexical = lexical
        self.doc_index = doc_index
        self.documents = int(doc_index.max()) + 1 if len(doc_index) else 0
        self.postings = saved if saved is not None else self.postings_of(lexical, doc_index)
        for matrix in self.postings.values():
            postings.warm_up(matrix, np.float64)

    @staticmethod
    def postings_of(
        lexical: LexicalIndex, doc_index: np.ndarray
    ) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        return {name: _document_postings(lexical.fields[name].scores, doc_index) for name in FIELDS}

    @staticmethod
    def save(folder: Path, saved: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
        for name, arrays in saved.items():
            for part, array in zip(CONTEXT_PARTS, arrays):
                np.save(folder / f"context_{name}_{part}.npy", array, allow_pickle=False)

    @classmethod
    def load(cls, lexical: LexicalIndex, doc_index: np.ndarray, folder: Path) -> DocumentEvidence:
        """From the postings a build saved (`save`); a missing file makes the build unusable."""
        paths = {name: [folder / f"context_{name}_{part}.npy" for part in CONTEXT_PARTS] for name in FIELDS}
        saved = {
            name: tuple(np.load(path, allow_pickle=False) for path in field) for name, field in paths.items()
        }
        for name, (data, docs, indptr) in saved.items():
            if (
                len(indptr) != len(lexical.fields[name].scores["indptr"])
                or len(data) != len(docs)
                or (len(docs) and int(docs.max()) >= int(doc_index.max()) + 1)
            ):
                raise ValueError(f"context_{name}_*.npy do not match the BM25 field {name!r}")
        return cls(lexical, doc_index, saved)

    def scores(self, query: QueryAnalysis) -> np.ndarray:
        """The evidence of each document numbered by `doc_index`."""
        total = np.zeros(self.documents, dtype=np.float64)
        for name, tokens in (("exact", query.exact), ("folded", query.folded)):
            postings.column_sums(self.postings[name], self.lexical.token_ids(name, tokens), total)
        return total


def document_runs(doc_ids) -> np.ndarray:
    """Numbers of the runs of consecutive paragraphs of one document (a document's paragraphs are stored in
    reading order, so a run is a document, or its part between other documents' paragraphs)."""
    doc_ids = np.asarray(doc_ids, dtype=object)
    if not len(doc_ids):
        return np.empty(0, np.int64)
    return np.cumsum(np.r_[False, doc_ids[1:] != doc_ids[:-1]])


def _document_postings(matrix: dict, doc_index: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """bm25s's token x paragraph score matrix (CSC) reduced to token x document by max: (data, document
    of each entry, column pointers). A segmented max (`maximum.reduceat`) over runs of entries with the
    same token and document; runs need each column's rows in paragraph order, as bm25s stores them.
    Done a block of columns at a time, so loading a large index does not double its memory."""
    data, indices, indptr = matrix["data"], matrix["indices"], matrix["indptr"]
    doc_index = doc_index.astype(np.int32)
    maxima, documents, counts = [], [], np.zeros(len(indptr) - 1, dtype=np.int64)
    first = 0
    while first < len(indptr) - 1:
        last = max(first + 1, int(np.searchsorted(indptr, indptr[first] + POSTINGS_BLOCK, side="right")) - 1)
        lo, hi = indptr[first], indptr[last]
        local = (indptr[first : last + 1] - lo).astype(np.int64)
        docs = doc_index[indices[lo:hi]]
        values = data[lo:hi]
        columns = np.repeat(np.arange(last - first, dtype=np.int32), np.diff(local))
        if np.any((columns[1:] == columns[:-1]) & (docs[1:] < docs[:-1])):  # not in paragraph order
            order = np.lexsort((docs, columns))
            values, docs, columns = values[order], docs[order], columns[order]
        starts = np.flatnonzero(np.r_[True, (docs[1:] != docs[:-1]) | (columns[1:] != columns[:-1])])
        if len(values):
            maxima.append(np.maximum.reduceat(values, starts))
            documents.append(docs[starts])
        counts[first:last] = np.diff(np.searchsorted(starts, local))
        first = last
    pointers = np.r_[0, np.cumsum(counts)].astype(np.int64)
    if not maxima:
        return np.empty(0, np.float32), np.empty(0, np.int32), pointers
    return np.concatenate(maxima), np.concatenate(documents), pointers
