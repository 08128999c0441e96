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

from index.analysis import QueryAnalysis

FIELDS = ("exact", "folded")
K1, B = 1.2, 0.75  # the usual Okapi constants (Robertson & Zaragoza 2009); not tuned to our queries

logging.getLogger("bm25s").setLevel(logging.WARNING)


class LexicalIndex:
    def __init__(self, fields: dict[str, bm25s.BM25], n: int):
        self.fields = fields
        self.n = n

    @classmethod
    def build(cls, tokens: dict[str, list[list[str]]]) -> "LexicalIndex":
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
    def load(cls, folder: Path, n: int) -> "LexicalIndex":
        fields = {
            name: bm25s.BM25.load(str(folder / f"bm25_{name}"), load_corpus=False, mmap=False, allow_pickle=False)
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

    def _field_scores(self, name: str, tokens: list[str]) -> np.ndarray | None:
        retriever = self.fields[name]
        ids = sorted({retriever.vocab_dict[t] for t in tokens if t and t in retriever.vocab_dict})
        if not ids:
            return None
        return retriever.get_scores(ids)

    def scores(self, query: QueryAnalysis) -> np.ndarray:
        """BM25 score of every paragraph (0 where no query token occurs)."""
        total = np.zeros(self.n, dtype=np.float32)
        for name, tokens in (("exact", query.exact), ("folded", query.folded)):
            field_scores = self._field_scores(name, tokens)
            if field_scores is not None:
                total += field_scores
        return total

    def context_scores(self, query: QueryAnalysis, doc_index: np.ndarray, window: int | None) -> np.ndarray:
        """Lexical evidence of each paragraph's context: for each query token, its best BM25 score among
        the paragraphs of the same document within `window` positions (None: the whole document),
        summed over tokens (one value per paragraph).

        A paragraph whose neighbourhood covers every query word, though spread over several paragraphs,
        scores high: passage retrieval helped by the evidence around the passage (Callan 1994,
        "Passage-level evidence in document retrieval"). `doc_index` numbers each paragraph's document;
        paragraphs of a document are contiguous and in reading order.
        """
        total = np.zeros(len(doc_index), dtype=np.float64)
        per_document = np.zeros(int(doc_index.max()) + 1 if len(doc_index) else 0, dtype=np.float64)
        for name, tokens in (("exact", query.exact), ("folded", query.folded)):
            retriever = self.fields[name]
            for token_id in sorted({retriever.vocab_dict[t] for t in tokens if t and t in retriever.vocab_dict}):
                if window is None:  # from the token's postings only: cost follows its document frequency
                    matrix = retriever.scores
                    lo, hi = matrix["indptr"][token_id], matrix["indptr"][token_id + 1]
                    best = np.zeros_like(per_document)
                    np.maximum.at(best, doc_index[matrix["indices"][lo:hi]], matrix["data"][lo:hi])
                    per_document += best
                else:
                    total += _neighbourhood_max(retriever.get_scores([token_id]), doc_index, window)
        return total + per_document[doc_index] if window is None else total

    def containing(self, tokens: list[str], field: str = "exact") -> np.ndarray:
        """Indices of the paragraphs whose `field` holds any of `tokens` (from the postings)."""
        retriever = self.fields[field]
        matrix = retriever.scores
        parts = [matrix["indices"][matrix["indptr"][i] : matrix["indptr"][i + 1]]
                 for i in {retriever.vocab_dict[t] for t in tokens if t in retriever.vocab_dict}]
        return np.unique(np.concatenate(parts)).astype(np.int64) if parts else np.empty(0, dtype=np.int64)

    def search(self, query: QueryAnalysis, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k paragraph indices with a positive score (restricted to `mask` when given), best first."""
        scores = self.scores(query)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        return top_k(scores, k)


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the k largest positive scores, best first (ties by index)."""
    positive = np.flatnonzero(scores > 0)
    if positive.size > k:
        part = np.argpartition(-scores[positive], k - 1)[:k]
        positive = positive[part]
    order = np.lexsort((positive, -scores[positive]))
    chosen = positive[order]
    return chosen, scores[chosen]


def _neighbourhood_max(values: np.ndarray, doc_index: np.ndarray, window: int | None) -> np.ndarray:
    """For each position, the max of `values` over positions of the same document at distance <= window."""
    if window is None:
        starts = np.flatnonzero(np.r_[True, doc_index[1:] != doc_index[:-1]]) if len(doc_index) else np.empty(0, int)
        if not len(starts):
            return values.astype(np.float64)
        per_doc = np.maximum.reduceat(values, starts)
        return per_doc[np.cumsum(np.r_[True, doc_index[1:] != doc_index[:-1]]) - 1].astype(np.float64)
    out = values.astype(np.float64)
    for shift in range(1, window + 1):
        same = doc_index[shift:] == doc_index[:-shift]
        out[shift:] = np.maximum(out[shift:], np.where(same, values[:-shift], 0.0))
        out[:-shift] = np.maximum(out[:-shift], np.where(same, values[shift:], 0.0))
    return out
