"""Oracle tests: fusion and the dense index against brute-force computations on random data."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from index.config import FusionConfig
from index.dense import DenseIndex
from index.fusion import Ranking, candidates, distinct, fuse, promote, put_first


def _random_rankings(rng, n_lists=3, universe=200, length=50):
    rankings = []
    for _ in range(n_lists):
        ids = rng.choice(universe, size=length, replace=False)
        scores = np.sort(rng.random(length) * rng.uniform(1, 30))[::-1]
        rankings.append(Ranking(ids.astype(np.int64), scores))
    return rankings


def _brute_rrf(rankings, weights, k):
    fused = {}
    for ranking, w in zip(rankings, weights):
        for rank, doc in enumerate(ranking.ids, start=1):
            fused[int(doc)] = fused.get(int(doc), 0.0) + w / (k + rank)
    return fused


def _brute_weighted(rankings, weights):
    fused = {}
    all_ids = {int(i) for r in rankings for i in r.ids}
    for ranking, w in zip(rankings, weights):
        lo, hi = ranking.scores.min(), ranking.scores.max()
        norm = {int(i): (s - lo) / (hi - lo) for i, s in zip(ranking.ids, ranking.scores)}
        for doc in all_ids:
            fused[doc] = fused.get(doc, 0.0) + w * norm.get(doc, 0.0)
    return fused


def _assert_same(fused: Ranking, expected: dict):
    assert sorted(int(i) for i in fused.ids) == sorted(expected)
    got = dict(zip((int(i) for i in fused.ids), fused.scores))
    for doc, score in expected.items():
        assert got[doc] == pytest.approx(score, rel=1e-9, abs=1e-12)
    assert np.all(np.diff(fused.scores) <= 1e-15), "fused ranking must be sorted best first"


@pytest.mark.parametrize("seed", range(5))
def test_distinct_and_candidates_match_numpy_unique(seed):
    rng = np.random.default_rng(seed)
    for size in (0, 1, 7, 600):
        ids = rng.integers(0, 50 if seed % 2 else 100_000, size=size)
        assert np.array_equal(distinct(ids), np.unique(ids))
        assert distinct(ids).dtype == np.int64
    rankings = _random_rankings(rng)
    assert np.array_equal(candidates(rankings), np.unique(np.concatenate([r.ids for r in rankings])))
    assert candidates([]).size == 0


def test_fused_ties_go_to_the_smaller_id():
    tied = fuse([Ranking(np.array([9, 4, 7]), np.ones(3)), Ranking(np.array([7, 4, 9]), np.ones(3))])
    assert tied.ids.tolist() == [4, 7, 9]


@pytest.mark.parametrize("seed", range(5))
def test_rrf_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    rankings = _random_rankings(rng)
    weights = tuple(rng.uniform(0.2, 2.0, size=3))
    _assert_same(
        fuse(rankings, FusionConfig(method="rrf", weights=weights, rrf_k=60)),
        _brute_rrf(rankings, weights, 60),
    )


@pytest.mark.parametrize("seed", range(5))
def test_weighted_minmax_matches_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    rankings = _random_rankings(rng, n_lists=2)
    weights = (1.0, float(rng.uniform(0.5, 3)))
    _assert_same(
        fuse(rankings, FusionConfig(method="weighted", weights=weights, normalization="minmax")),
        _brute_weighted(rankings, weights),
    )


def test_fusion_rewards_agreement_and_handles_empty_lists():
    a = Ranking(np.array([1, 2, 3]), np.array([3.0, 2.0, 1.0]))
    b = Ranking(np.array([3, 2, 9]), np.array([0.9, 0.8, 0.7]))
    fused = fuse([a, b], FusionConfig(method="rrf", weights=(1, 1), rrf_k=60))
    # 2 and 3 are in both lists and beat 1 and 9, which only one retriever found
    assert set(fused.ids[:2].tolist()) == {2, 3}
    empty = Ranking(np.empty(0, dtype=np.int64), np.empty(0))
    assert fuse([empty, empty]).ids.size == 0
    assert fuse([a, empty]).ids.tolist() == [1, 2, 3]
    with pytest.raises(ValueError):
        fuse(
            [a, b],
            FusionConfig.model_construct(method="nonsense", weights=(1, 1), rrf_k=60, normalization="zscore"),
        )


@pytest.mark.parametrize("approximate", [False, True])
def test_dense_index_matches_brute_force(approximate, monkeypatch):
    rng = np.random.default_rng(7)
    n, dim = 3000, 32
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    owners = np.repeat(np.arange(n // 3), 3)  # three units per paragraph
    if approximate:
        monkeypatch.setattr("index.dense.HNSW_THRESHOLD", 100)
    dense = DenseIndex.build(vectors, owners)
    assert ("HNSW" in type(dense.index).__name__) == approximate
    hits = 0
    for _ in range(20):
        q = rng.normal(size=dim).astype(np.float32)
        q /= np.linalg.norm(q)
        unit_scores = vectors @ q
        paragraph_scores = unit_scores.reshape(-1, 3).max(axis=1)  # max pooling, by hand
        expected = np.argsort(-paragraph_scores)[:10]
        got, scores, _ = dense.search(q, 10)
        if approximate:
            hits += len(set(got.tolist()) & set(expected.tolist()))
        else:
            assert got.tolist() == expected.tolist()
            assert np.allclose(scores, paragraph_scores[expected], atol=1e-5)
    if approximate:
        assert hits / 200 >= 0.9, f"HNSW recall@10 {hits / 200:.2f}"


def test_dense_search_fetches_more_when_best_units_share_paragraphs():
    """Paragraph 0 owns the 60 units nearest the query: the first fetch (about k units per the corpus's
    mean) holds one paragraph, so the search must fetch again until it has k; still exact max pooling."""
    rng = np.random.default_rng(11)
    dim = 16
    q = rng.normal(size=dim).astype(np.float32)
    q /= np.linalg.norm(q)
    near = q + 0.05 * rng.normal(size=(60, dim)).astype(np.float32)
    far = rng.normal(size=(300, dim)).astype(np.float32)
    vectors = np.vstack([near, far])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    owners = np.concatenate([np.zeros(60, dtype=np.int64), np.arange(1, 301)])
    dense = DenseIndex.build(vectors, owners)
    got, scores, units = dense.search(q, 10)
    pooled = np.array([(vectors[owners == p] @ q).max() for p in range(301)])
    assert got.tolist() == np.argsort(-pooled)[:10].tolist()
    assert np.allclose(scores, pooled[got], atol=1e-5) and (owners[units] == got).all()


def test_dense_search_respects_allowed_units():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(200, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    dense = DenseIndex.build(vectors, np.arange(200))
    allowed = np.arange(0, 200, 7)
    got, _, _ = dense.search(vectors[5], 5, allowed_units=allowed)
    assert set(got.tolist()) <= set(allowed.tolist())
    expected = allowed[np.argsort(-(vectors[allowed] @ vectors[5]))[:5]]
    assert got.tolist() == expected.tolist()


def test_z_score_fusion_matches_brute_force():
    rng = np.random.default_rng(5)
    rankings = _random_rankings(rng)
    weights = (1.0, 1.0, 0.25)
    fused = fuse(rankings, FusionConfig(method="weighted", weights=weights, normalization="zscore"))
    universe = sorted({int(i) for r in rankings for i in r.ids})
    expected = {}
    for r, w in zip(rankings, weights):
        z = (r.scores - r.scores.mean()) / r.scores.std()
        own = dict(zip((int(i) for i in r.ids), z))
        for doc in universe:  # a paragraph missing from a list gets that list's lowest z-score
            expected[doc] = expected.get(doc, 0.0) + w * own.get(doc, z.min())
    _assert_same(fused, expected)


@pytest.mark.parametrize("normalization", ["minmax", "zscore"])
def test_a_list_whose_members_score_alike_lifts_them(normalization):
    # A one-paragraph document-number hint: its member gains the list's weight, the others nothing.
    a = Ranking(np.array([1, 2, 3]), np.array([3.0, 2.0, 1.0]))
    b = Ranking(np.array([2, 1, 3]), np.array([3.0, 2.0, 1.0]))
    hint = Ranking(np.array([3]), np.array([1.0]))

    def scores(fused: Ranking) -> dict[int, float]:
        return dict(zip(fused.ids.tolist(), fused.scores.tolist()))

    without = scores(fuse([a, b], FusionConfig(weights=(1, 1), normalization=normalization)))
    with_hint = scores(fuse([a, b, hint], FusionConfig(weights=(1, 1, 0.5), normalization=normalization)))
    assert with_hint[3] == pytest.approx(without[3] + 0.5)
    assert with_hint[1] == pytest.approx(without[1]) and with_hint[2] == pytest.approx(without[2])


def test_promote_moves_the_lead_ahead_keeping_both_orders():
    ranking = Ranking(np.array([5, 3, 8, 1, 9]), np.array([5.0, 4.0, 3.0, 2.0, 1.0]))
    promoted = promote(ranking, np.array([1, 8, 42]))
    assert promoted.ids.tolist() == [8, 1, 5, 3, 9]
    assert dict(zip(promoted.ids.tolist(), promoted.scores.tolist())) == dict(
        zip(ranking.ids.tolist(), ranking.scores.tolist())
    )
    assert promote(ranking, np.empty(0, dtype=np.int64)).ids.tolist() == ranking.ids.tolist()


def test_put_first_leads_with_members_present_or_not_and_scores_still_descend():
    ranking = Ranking(np.array([5, 3, 8]), np.array([3.0, 2.0, 1.0]))
    led = put_first(ranking, np.array([8, 42]))
    assert led.ids.tolist() == [8, 42, 5, 3]
    assert led.scores.tolist() == [3.0, 3.0, 3.0, 2.0]
    assert put_first(Ranking(np.empty(0, dtype=np.int64), np.empty(0)), np.array([7])).ids.tolist() == [7]


def test_a_query_searches_on_one_faiss_thread_and_leaves_the_callers_setting_alone():
    """A lone query gains nothing from FAISS's team and its idle member kept spinning afterwards
    (index.dense.DenseIndex.search_units); the caller's own setting must survive, for builds."""
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(500, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    dense = DenseIndex.build(vectors, np.arange(500))
    seen = []
    search = dense.index.search
    dense.index.search = lambda *args, **kwargs: (
        seen.append(faiss.omp_get_max_threads()) or search(*args, **kwargs)
    )
    before = faiss.omp_get_max_threads()
    try:
        faiss.omp_set_num_threads(2)
        got, _, _ = dense.search(vectors[7], 5)
        assert faiss.omp_get_max_threads() == 2 and seen == [1] and got[0] == 7
    finally:
        faiss.omp_set_num_threads(before)


@pytest.mark.parametrize("approximate", [False, True])
def test_stored_vectors_and_best_cosines_match_brute_force(approximate, monkeypatch):
    """The zero-copy view of the index's vectors equals what FAISS reconstructs (float16 under HNSW), and
    the batch best-unit cosine of any paragraphs (some without units, in any order, repeated) is the
    brute-force max over their units, as best_unit gives one at a time."""
    from index.retrievers import DenseRetriever

    rng = np.random.default_rng(13)
    dim = 24
    units_of = rng.integers(0, 4, size=400)  # 0 to 3 units per paragraph
    owners = np.repeat(np.arange(400), units_of)
    vectors = rng.normal(size=(len(owners), dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    if approximate:
        monkeypatch.setattr("index.dense.HNSW_THRESHOLD", 100)
    dense = DenseIndex.build(vectors, owners)
    stored = dense.stored_vectors
    assert stored.dtype == (np.float16 if approximate else np.float32)
    assert np.array_equal(stored.astype(np.float32), dense.index.reconstruct_n(0, dense.size))
    retriever = DenseRetriever(dense, np.zeros((len(owners), 2), dtype=np.int64), 400)
    q = rng.normal(size=dim).astype(np.float32)
    q /= np.linalg.norm(q)
    asked = np.concatenate([rng.permutation(400)[:150], [7, 7, 0, 399]])
    got = retriever.best_cosines(asked, q)
    unit_cosines = stored.astype(np.float32) @ q
    for p, cosine in zip(asked.tolist(), got.tolist()):
        mine = unit_cosines[owners == p]
        expected = float(mine.max()) if len(mine) else 0.0
        assert cosine == pytest.approx(expected, abs=1e-6)
        assert cosine == pytest.approx(retriever.best_unit(p, q)[0], abs=1e-6)
    assert retriever.best_cosines(np.array([], dtype=np.int64), q).shape == (0,)
