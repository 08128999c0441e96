"""Oracle test for the document-context evidence of index.lexical: the postings-based segmented max
(precomputed token x document maxima) must equal a brute force over every paragraph's BM25 score, token by token."""

import random

import numpy as np
import pytest

from index.analysis import QueryAnalysis
from index import lexical
from index.lexical import DocumentEvidence, LexicalIndex

POSTINGS_BLOCKS = (1 << 21, 7)  # one block, and many small ones (entries of a column never split)
VOCABULARY = [f"w{i}" for i in range(30)]


@pytest.fixture(scope="module")
def corpus():
    rng = random.Random(3)
    paragraphs = [[rng.choice(VOCABULARY) for _ in range(rng.randint(1, 12))] for _ in range(400)]
    doc_index = np.sort(np.array([rng.randrange(37) for _ in paragraphs]))  # contiguous runs, some documents empty
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
    query = QueryAnalysis(raw="", text="", toned=True, exact=words, folded=[w.upper() for w in words[: len(words) // 2]],
                          content_syllables=[], content_words=[])
    got = DocumentEvidence(index, doc_index).scores(query)
    np.testing.assert_allclose(got, brute_force(index, query, doc_index), rtol=1e-6)
    assert got.max() > 0

