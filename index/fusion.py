"""Fusion of ranked lists from several retrievers into one ranking (pure functions, no state).

Consumes rankings (paragraph indices best first, with their retriever scores); produces fused
scores. Two methods:

- "rrf", reciprocal rank fusion (Cormack, Clarke & Büttcher, "Reciprocal Rank Fusion outperforms
  Condorcet and individual rank learning methods", SIGIR 2009): score(d) = sum_i w_i / (k + rank_i(d)),
  ranks from 1. It ignores the retrievers' score scales (BM25 is unbounded, cosine lives in a narrow
  band near 0.8 for e5). k = 60 is the paper's constant: it damps the
  difference between the first ranks so one retriever's top hit cannot outvote agreement further down.
- "weighted": weighted sum of per-list normalized scores (Fox & Shaw 1994, "CombSUM"; normalization as
  in Lee 1997): "minmax" maps each list to [0, 1], "zscore" to mean 0 / std 1; a paragraph missing from
  a list gets that list's minimum (0 after min-max).

`RRF_K`, `METHOD` and `WEIGHTS` are the product's choice; a benchmark sweep passes its own values.
Weights are in the order of the rankings given: (lexical, dense, document context[, document-number
hint]). The document-context list scores each candidate paragraph by the lexical evidence of its whole
document (index.lexical.DocumentEvidence: per query token the best paragraph's BM25, summed), so a
paragraph of a document that covers the whole question rises (Callan 1994, passage + document evidence).

Measured (development set index/resources/dev_queries.jsonl, 81 labelled queries x {with, without tone
marks}; hit@1 / hit@5 / MRR@10 over all 144 labelled runs, 200 candidates from each retriever):
    lexical only                       0.847 / 0.979 / 0.896
    dense only                         0.694 / 0.917 / 0.786
    RRF k=60, weights 1:1 (100 cand.)  0.833 / 0.965 / 0.895
    RRF k=60, weights 1.5:1 (100 c.)   0.840 / 0.986 / 0.910
    weighted min-max 1:1   (chosen)    0.903 / 0.986 / 0.938
    weighted min-max 1:1.5             0.889 / 0.986 / 0.929
    weighted min-max 1.5:1             0.882 / 0.979 / 0.931
Min-max keeps how far apart the retrievers' top hits are, which RRF's ranks throw away; equal weights
were best and are the least tuned choice. The hint weight 0.5 lets "Kết luận 44" lift that document's
paragraphs without overriding what the query asks. With the final query analysis the product setting
scores 0.924 / 0.986 / 0.951 (tone marks 0.921 / 0.984, without 0.926 / 0.988). Also tried then (with
min-max): giving paragraphs that quote a full document number the hint too lowered hit@1 to 0.896.
The ALQAC numbers come from benchmarks/alqac.py.

Second round (z-score and document context), ALQAC hybrid R@1 / R@10 / MRR@10 / nDCG@10 through
Searcher.search (k = 100 paragraphs, near-duplicates collapsed as in the product), and the dev set
hit@1 / hit@5 / MRR@10 over the 144 labelled runs (with tone marks; without):
    min-max 1/1, no context (before)   ALQAC 0.871 / 0.979 / 0.912 / 0.929   dev 0.924 / 0.986 / 0.951 (0.921 / 0.984; 0.926 / 0.988)
    z-score 1/1, no context            ALQAC 0.873 / 0.983 / 0.914 / 0.931   dev 0.917 / 1.000 / 0.949 (0.937 / 1.000; 0.901 / 1.000)
    z-score 1/1, context 0.25 (chosen) ALQAC 0.877 / 0.981 / 0.917 / 0.933   dev 0.910 / 1.000 / 0.949 (0.921 / 1.000; 0.901 / 1.000)
    z-score 1/1, context 0.5           ALQAC 0.889 / 0.983 / 0.925 / 0.939   dev 0.931 / 1.000 / 0.959, but a golden test's
                                       44-KL/TW paragraph loses rank 1 to a news summary covering every query word
    z-score 1/1, context 1.0           ALQAC MRR@10 0.941 (ids-only replay)  dev 0.882 / 1.000 / 0.929
    context = +-2 paragraphs, 0.5      ALQAC MRR@10 0.936 (ids-only replay)  dev 0.917 / 1.000 / 0.952, golden test fails
Z-scores keep how far a top hit stands above the rest of its list, as min-max does, without letting one
outlier squash the others; it reached hit@5 = 1.000 on the dev set. Document evidence is strong on
ALQAC (short articles, one relevant article per question) and weak on long directives, where nearly
every document covers a question's words somewhere and the sum of best-paragraph scores favours long,
comprehensive documents (no length normalization); 0.25, a quarter of a paragraph retriever, is the
largest weight that did not reorder the bundled corpus' golden results. Replaying the ids only (no
near-duplicate collapse), ALQAC MRR@10 is 0.922 (min-max) -> 0.926 (z-score) -> 0.938 (context 0.5).
Much of the remaining ALQAC gap is in results.py: a collapsed near-duplicate shows its canonical
paragraph, not the best-ranked member, so the document evidence that ranked the member is lost; showing
the best-ranked member measured 0.931 (context 0.25) / 0.938 (0.5) / 0.921 (min-max, no context).

A list whose members all score alike (a document-number hint holding one paragraph) used to add
nothing: z-scores of equal values are 0 and the absent floor was the list's own minimum (1 after
min-max). Members now get 1 and the absent floor is never above 0, so such a list lifts its members
by its weight. With that, the searcher's hint also covers paragraphs that quote a full number the
query writes (searcher.QUOTED_NUMBERS): dev 0.910 / 1.000 / 0.950 -> 0.917 / 1.000 / 0.955 (with tone
marks 0.921 -> 0.937: "Nghị quyết 25-NQ/TW về công tác dân vận" now finds the news paragraph quoting
it first); ALQAC unchanged at 0.917 (its questions name no document numbers).

Tried and not kept: a true document-level BM25 (bm25s over whole documents, a document's paragraphs
concatenated, same exact/folded tokens; its score given to every candidate paragraph of the document),
built at index time, in place of or beside the context list. Through Searcher.search (ALQAC R@1 / R@10 /
MRR@10 / nDCG@10; dev hit@1 / hit@5 / MRR@10 with tone marks; without):
    context 0.25 (product)             ALQAC 0.877 / 0.981 / 0.917 / 0.933   dev 0.937 / 1.000 / 0.966; 0.901 / 1.000 / 0.947
    document BM25 0.25                 ALQAC 0.875 / 0.983 / 0.916 / 0.932   dev 0.921 / 1.000 / 0.958; 0.877 / 1.000 / 0.930
    document BM25 0.5                  ALQAC 0.881 / 0.985 / 0.920 / 0.936   dev 0.921 / 1.000 / 0.954; 0.877 / 1.000 / 0.926
    document BM25 0.75                 ALQAC 0.887 / 0.985 / 0.923 / 0.938   dev 0.905 / 1.000 / 0.944; 0.852 / 1.000 / 0.910
    document BM25 1.0                  ALQAC 0.887 / 0.985 / 0.923 / 0.938   dev 0.889 / 1.000 / 0.928; 0.852 / 0.963 / 0.903
    context 0.25 + document BM25 0.25  ALQAC 0.889 / 0.985 / 0.925 / 0.940   dev 0.921 / 1.000 / 0.955; 0.877 / 1.000 / 0.928
    context 0.25 + document BM25 0.5   ALQAC 0.885 / 0.985 / 0.922 / 0.937   dev 0.905 / 1.000 / 0.944; 0.864 / 1.000 / 0.920
    context 0.5 + document BM25 0.5    ALQAC 0.887 / 0.987 / 0.923 / 0.939   dev 0.905 / 1.000 / 0.944; 0.852 / 1.000 / 0.910
At most +0.008 ALQAC MRR@10 (far from 0.94; an earlier offline replay had suggested 0.943) for one to four
dev queries lost at rank 1: with five documents in the bundled corpus a document-level idf barely
separates them, so the list mostly adds noise there.

A query that is nothing but a reference ("Kế hoạch 177-KH/TU", "chỉ thị 09", "mục III.4 Chỉ thị 09";
index.analysis.is_reference_only) asks for what it names, so `promote` moves the paragraphs it names
(searcher: the hint's members, or the named section's) ahead of the fused order, each part keeping its
order. No weight is involved. Dev hit@1 / hit@5 / MRR@10 with tone marks 0.937 / 1.000 / 0.966 ->
0.952 / 1.000 / 0.974, without 0.926 / 1.000 / 0.963 -> 0.938 / 1.000 / 0.969 ("Kế hoạch 177-KH/TU"
had ranked a short paragraph sharing only "kế hoạch" above the long one quoting the number). None of
ALQAC's 520 questions is a bare reference, so ALQAC is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np

METHOD: Literal["rrf", "weighted"] = "weighted"
RRF_K = 60.0
WEIGHTS = (1.0, 1.0, 0.25, 0.5)
NORMALIZATION: Literal["minmax", "zscore"] = "zscore"


@dataclass(frozen=True)
class Ranking:
    ids: np.ndarray  # best first
    scores: np.ndarray  # same length, descending


def distinct(ids: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array, ascending (np.unique's result). By sorting: for the few
    hundred ids of a search, numpy 2's np.unique, which hashes, took ~60 us against ~8 us."""
    ids = np.sort(np.asarray(ids, dtype=np.int64))
    return ids[np.r_[True, ids[1:] != ids[:-1]]] if ids.size else ids


def candidates(rankings: Sequence[Ranking]) -> np.ndarray:
    """Every id of the rankings once, ascending."""
    return distinct(np.concatenate([r.ids for r in rankings])) if rankings else np.empty(0, dtype=np.int64)


def _normalized(scores: np.ndarray, normalization: str) -> np.ndarray:
    scores = scores.astype(np.float64)
    if scores.size == 0:
        return scores
    if normalization == "zscore":
        centred = scores - scores.mean()
        std = np.sqrt(np.dot(centred, centred) / scores.size)  # np.std, without its generic overhead
        return centred / std if std > 0 else np.ones_like(scores)
    low, high = scores.min(), scores.max()
    return (scores - low) / (high - low) if high > low else np.ones_like(scores)


def fuse(
    rankings: Sequence[Ranking],
    method: Literal["rrf", "weighted"] | None = None,
    weights: Sequence[float] | None = None,
    k: float | None = None,
    normalization: Literal["minmax", "zscore"] | None = None,
) -> Ranking:
    """Fuse rankings into one, best first (ties broken by the smaller id, so the result is deterministic)."""
    method = method or METHOD
    weights = tuple(weights) if weights is not None else WEIGHTS
    k = RRF_K if k is None else k
    normalization = normalization or NORMALIZATION
    if len(weights) < len(rankings):
        raise ValueError(f"{len(rankings)} rankings but only {len(weights)} weights")
    present = [(r, w) for r, w in zip(rankings, weights) if len(r.ids)]
    if not present:
        return Ranking(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))
    all_ids = np.concatenate([r.ids for r, _ in present]).astype(np.int64)
    if method == "rrf":
        parts = [w / (k + np.arange(1, len(r.ids) + 1, dtype=np.float64)) for r, w in present]
        contributions = np.concatenate(parts)
        ids, inverse = np.unique(all_ids, return_inverse=True)
        fused = np.bincount(inverse, weights=contributions, minlength=len(ids))
    elif method == "weighted":
        ids, inverse = np.unique(all_ids, return_inverse=True)
        fused = np.zeros(len(ids))
        floors, offset = 0.0, 0
        for r, w in present:
            norm = _normalized(r.scores, normalization)
            # Absent from this list: the list's floor (z-scores can be negative), and never above 0, so
            # a list whose members all score alike (a one-paragraph hint) still lifts its members. Every
            # candidate gets each floor; a list's members get their score above it (ids are distinct
            # within a list).
            floor = min(float(norm.min()), 0.0) * w
            floors += floor
            fused[inverse[offset : offset + len(r.ids)]] += w * norm - floor
            offset += len(r.ids)
        fused += floors
    else:
        raise ValueError(f"unknown fusion method {method!r}")
    order = np.argsort(-fused, kind="stable")  # ids ascend (np.unique), so ties go to the smaller id
    return Ranking(ids[order], fused[order])


def promote(ranking: Ranking, lead: np.ndarray) -> Ranking:
    """`ranking` with the members of `lead` moved ahead of the rest, each part keeping its order (scores
    are kept, so they no longer descend across the boundary)."""
    first = np.isin(ranking.ids, lead)
    order = np.concatenate([np.flatnonzero(first), np.flatnonzero(~first)])
    return Ranking(ranking.ids[order], ranking.scores[order])


def put_first(ranking: Ranking, lead: np.ndarray) -> Ranking:
    """`lead`, in its order, ahead of the rest of `ranking` (added when the ranking lacks them), scored as
    the ranking's best so that scores still descend."""
    rest = ~np.isin(ranking.ids, lead)
    best = float(ranking.scores.max()) if ranking.scores.size else 1.0
    return Ranking(np.concatenate([np.asarray(lead, dtype=np.int64), ranking.ids[rest]]),
                   np.concatenate([np.full(len(lead), best), ranking.scores[rest]]))
