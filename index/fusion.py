"""Fusion of ranked lists from several retrievers into one ranking (pure functions, no state).

Consumes rankings (paragraph indices best first, with their retriever scores); produces fused
scores. Two methods:

- "rrf", reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): score(d) = sum_i w_i / (k +
  rank_i(d)), ranks from 1; it ignores the retrievers' score scales. k = 60 is the paper's constant: it
  damps the first ranks' differences so one retriever's top hit cannot outvote agreement further down.
- "weighted": weighted sum of per-list normalized scores (Fox & Shaw 1994, "CombSUM"; normalization as
  in Lee 1997): "minmax" maps each list to [0, 1], "zscore" to mean 0 / std 1; a paragraph missing from
  a list gets that list's floor, never above 0, so a list whose members all score alike still lifts them.

The method, weights and normalization are an index.config.FusionConfig (the product's choice: weighted
z-score; weights in the order (lexical, dense, document context[, document-number hint])), saved with
the index; a benchmark sweep passes its own.
The document-context list scores a paragraph by its whole document's lexical evidence
(index.lexical.DocumentEvidence; Callan 1994). `promote` puts what a reference-only query names first.
Why these and what else was measured: docs/decisions/0004-fusion.md and 0006-reference-queries.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.config import FusionConfig


@dataclass(frozen=True)
class Ranking:
    ids: np.ndarray  # best first
    scores: np.ndarray  # same length, descending


def distinct(ids: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array, ascending (np.unique's result). By sorting, quicker than
    numpy 2's hashing np.unique for a search's few hundred ids (docs/decisions/0018-search-hot-path.md)."""
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


def fuse(rankings: Sequence[Ranking], config: FusionConfig | None = None) -> Ranking:
    """Fuse rankings into one, best first (ties broken by the smaller id, so the result is deterministic)."""
    config = config or FusionConfig()
    method, weights, k, normalization = config.method, config.weights, config.rrf_k, config.normalization
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
    return Ranking(
        np.concatenate([np.asarray(lead, dtype=np.int64), ranking.ids[rest]]),
        np.concatenate([np.full(len(lead), best), ranking.scores[rest]]),
    )
