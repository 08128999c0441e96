"""Oracle test for the document-context evidence of index.lexical: the postings-based segmented max
(precomputed token x document maxima) must equal a brute force over every paragraph's BM25 score, token by token."""

import random

import numpy as np
import pytest

from index import lexical
from index.analysis import QueryAnalysis
from index.lexical import DocumentEvidence, LexicalIndex

POSTINGS_BLOCKS = (1 << 21, 7)  # one block, and many small ones (entries of a column never split)
VOCABULARY = [f"w{i}" for i in range(30)]


@pytest.fixture(scope="module")
def corpus():
    rng = random.Random(3)
    paragraphs = [[rng.choice(VOCABULARY) for _ in range(rng.randint(1, 12))] for _ in range(400)]
    doc_index = np.sort(
        np.array([rng.randrange(37) for _ in paragraphs])
    )  # contiguous runs, some documents empty
    index = LexicalIndex.build({"exact": paragraphs, "folded": [[t.upper() for t in p] for p in paragraphs]})
    return index, doc_index


def brute_force(index: LexicalIndex, query: QueryAnalysis, doc_index: np.ndarray) -> np.ndarray:
    total = np.zeros(len(doc_index))
    for name, tokens in (("exact", query.exact), ("folded", query.folded)):
        retriever = index.fields[name]
        for token in set(tokens):
            if token not in retriever.vocab_dict:
                continue
            scores = retriever.get_scores([retriever.vocab_dict[token]])
            for doc in np.unique(doc_index):
                total[doc_index == doc] += scores[doc_index == doc].max()
    return total


@pytest.mark.parametrize("block", POSTINGS_BLOCKS)
@pytest.mark.parametrize("seed", range(8))
def test_document_evidence_matches_brute_force(corpus, seed, block, monkeypatch):
    monkeypatch.setattr(lexical, "POSTINGS_BLOCK", block)
    index, doc_index = corpus
    rng = random.Random(seed)
    words = rng.sample(VOCABULARY, rng.randint(1, 5)) + ["unknown"]
    query = QueryAnalysis(
        raw="",
        text="",
        toned=True,
        exact=words,
        folded=[w.upper() for w in words[: len(words) // 2]],
        content_syllables=[],
        content_words=[],
    )
    got = DocumentEvidence(index, doc_index).scores(query)[doc_index]
    np.testing.assert_allclose(got, brute_force(index, query, doc_index), rtol=1e-6)
    assert got.max() > 0


@pytest.mark.parametrize("k", [1, 5, 50, 399, 400, 1000])
@pytest.mark.parametrize("seed", range(4))
def test_top_k_matches_a_full_sort(seed, k):
    """top_k against sorting every score: the k best positive scores, best first, ties by index; scores
    drawn from few values so ties are common (also across the cut-off), with zeros (no query token) and
    negative values that must never be returned."""
    rng = np.random.default_rng(seed)
    scores = rng.choice([-1.0, 0.0, 0.0, 0.0, 0.5, 1.25, 2.0, 3.5], size=400).astype(np.float32)
    ids, values = lexical.top_k(scores, k)
    order = np.lexsort((np.arange(scores.size), -scores))
    expected = order[scores[order] > 0][:k]
    np.testing.assert_array_equal(ids, expected)
    np.testing.assert_array_equal(values, scores[expected])


@pytest.mark.parametrize("seed", range(3))
def test_top_k_of_distinct_scores(seed):
    scores = np.random.default_rng(seed).normal(size=5000).astype(np.float32)
    ids, _ = lexical.top_k(scores, 37)
    np.testing.assert_array_equal(ids, np.argsort(-scores, kind="stable")[:37])


@pytest.mark.parametrize("spread", ["everywhere", "off the sample", "only on the sample"])
def test_top_k_matches_a_full_sort_at_corpus_size(spread):
    """100k scores, k = 200 as a search asks: the sampled cut-off estimate, and its fallback when the
    sample (every TOP_K_SAMPLE_STRIDE-th score) misses the best scores or holds nearly all of them."""
    rng = np.random.default_rng(7)
    scores = np.round(rng.gamma(1.0, 2.0, size=100_000), 1).astype(np.float32)  # rounded: ties
    on_sample = np.arange(scores.size) % lexical.TOP_K_SAMPLE_STRIDE == 0
    if spread == "off the sample":
        scores[on_sample] = 0.0
    elif spread == "only on the sample":
        scores[~on_sample] = 0.0
    ids, values = lexical.top_k(scores, 200)
    order = np.lexsort((np.arange(scores.size), -scores))
    np.testing.assert_array_equal(ids, order[scores[order] > 0][:200])
    np.testing.assert_array_equal(values, scores[ids])


def test_top_k_of_nothing():
    assert lexical.top_k(np.zeros(10, dtype=np.float32), 5)[0].size == 0
    assert lexical.top_k(np.ones(10, dtype=np.float32), 0)[0].size == 0


@pytest.mark.parametrize("seed", range(6))
def test_scores_match_bm25s_scorer(corpus, seed):
    """LexicalIndex.scores (index.postings' compiled loop) against bm25s's own scorer, field by field."""
    index, _ = corpus
    rng = random.Random(seed)
    words = rng.sample(VOCABULARY, rng.randint(1, 6)) + [
        "unknown",
        rng.choice(VOCABULARY),
    ]  # a repeated token counts once
    query = QueryAnalysis(
        raw="",
        text="",
        toned=True,
        exact=words,
        folded=[w.upper() for w in words[::2]],
        content_syllables=[],
        content_words=[],
    )
    expected = np.zeros(index.n)
    for name, tokens in (("exact", query.exact), ("folded", query.folded)):
        retriever = index.fields[name]
        expected += retriever.get_scores_from_ids(
            sorted({retriever.vocab_dict[t] for t in tokens if t in retriever.vocab_dict})
        )
    got = index.scores(query)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert got.max() > 0 and got.dtype == np.float32


@pytest.mark.parametrize("seed", range(5))
def test_numpy_postings_sum_what_the_compiled_loop_sums(seed):
    from index import postings

    rng = np.random.default_rng(seed)
    rows_n, columns_n = 500, 60
    dense = rng.random((rows_n, columns_n)) * (rng.random((rows_n, columns_n)) < 0.1)
    indptr = np.concatenate([[0], np.cumsum((dense != 0).sum(axis=0))]).astype(np.int64)
    rows = np.concatenate([np.flatnonzero(dense[:, c]) for c in range(columns_n)]).astype(np.int32)
    data = np.concatenate([dense[dense[:, c] != 0, c] for c in range(columns_n)]).astype(np.float32)
    columns = rng.integers(0, columns_n, size=12).astype(np.int64)  # repeats count twice
    expected = np.zeros(rows_n) + dense[:, columns].sum(axis=1)
    out = np.zeros(rows_n, dtype=np.float32)
    postings._add_columns_numpy(out, data, rows, indptr, columns)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    compiled = np.zeros(rows_n, dtype=np.float32)
    postings.add_columns(compiled, data, rows, indptr, columns)  # numba's loop, or the same numpy path
    np.testing.assert_allclose(compiled, out, rtol=1e-5, atol=1e-6)
    empty = np.zeros(rows_n, dtype=np.float32)
    postings._add_columns_numpy(empty, data, rows, indptr, np.zeros(0, dtype=np.int64))
    assert not empty.any()
