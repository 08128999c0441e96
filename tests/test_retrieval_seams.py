"""The seams of the retrieval core: a second retriever plugs into HybridSearcher, and every Paragraph field
survives the index's column store (a field added to the model and not stored fails here)."""

from __future__ import annotations

import typing

import numpy as np
import pytest

from index.analysis import analyze_query
from index.config import RetrievalConfig
from index.fusion import Ranking, fuse
from index.hybrid import HybridSearcher
from index.retrievers import RetrievalQuery, Retriever
from ingest import store as ingest_store
from ingest.models import Corpus, Document, Paragraph
from ingest.store import read_corpus, write_corpus

TEXTS = [
    "Người đứng đầu cấp ủy chịu trách nhiệm",
    "Công an xã bảo đảm an ninh trật tự",
    "Mặt trận Tổ quốc phối hợp tuyên truyền",
    "Trách nhiệm của công an xã",
]


class WordCountRetriever:
    """An in-memory lexical retriever: paragraphs ranked by how many of the query's folded syllables they hold."""

    def __init__(self, texts: list[str]):
        self.docs = [set(analyze_query(t).folded) for t in texts]

    def retrieve(self, query: RetrievalQuery, k: int, mask: np.ndarray | None = None) -> Ranking:
        words = set(query.analysis.folded)
        scores = np.array([len(words & d) for d in self.docs], dtype=np.float64)
        if mask is not None:
            scores[~mask] = 0
        ids = [i for i in np.argsort(-scores, kind="stable") if scores[i] > 0][:k]
        return Ranking(np.array(ids, dtype=np.int64), scores[ids])


class FixedRetriever:
    def __init__(self, ids: list[int]):
        self.ids = ids

    def retrieve(self, query: RetrievalQuery, k: int, mask: np.ndarray | None = None) -> Ranking:
        ids = [i for i in self.ids if mask is None or mask[i]][:k]
        return Ranking(np.array(ids, dtype=np.int64), np.linspace(0.9, 0.5, len(ids)))


def test_a_second_lexical_retriever_plugs_into_the_hybrid_searcher():
    lexical, dense = WordCountRetriever(TEXTS), FixedRetriever([2, 3, 0, 1])
    assert isinstance(lexical, Retriever) and isinstance(dense, Retriever)
    config = RetrievalConfig()
    hybrid = HybridSearcher(lexical, dense, config)  # no hints, no document context: a plain fusion
    query = RetrievalQuery(analyze_query("trach nhiem cong an xa"), np.zeros(4, dtype=np.float32))
    ranked = hybrid.rank(query, k=10)
    expected = fuse([lexical.retrieve(query, 10), dense.retrieve(query, 10)], config.fusion)
    fused = ranked.fused[0].ids.tolist()
    assert fused == expected.ids.tolist()
    # 2 shares no word with the query (the dense side alone brings it); 3 matches most words, and is second
    # in the dense list, so it passes 0 and 1
    assert 2 not in lexical.retrieve(query, 10).ids and set(fused) == {0, 1, 2, 3}
    assert fused.index(3) < fused.index(0) and fused.index(3) < fused.index(1)
    mask = np.array([True, True, False, False])
    within = hybrid.rank(query, k=10, masks=[None, mask]).fused
    assert set(within[1].ids.tolist()) <= {0, 1} and 2 in within[0].ids.tolist()
    assert hybrid.rank(query, k=10, mode="lexical").fused[0].ids.tolist()[0] == 3


def _sample(annotation, name: str):
    """A value of the field's type unlike its default, so a field that is not stored cannot round-trip."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is bool:
        return True
    if annotation is int:
        return 7
    if annotation is str:
        return f"x-{name}"
    if origin is typing.Literal:
        return args[-1]
    if args:  # str | None and the like
        return _sample(next(a for a in args if a is not type(None)), name)
    raise AssertionError(f"add a sample value for field {name}: {annotation!r}")


def _every_field_set() -> Corpus:
    text = "Một đoạn văn bản.\n\nĐoạn thứ hai."
    doc = Document(doc_id="x-doc_id", source_path="a.txt", source_sha256="h", text=text, access=["g"])
    hints = typing.get_type_hints(Paragraph)
    values = {name: _sample(hints[name], name) for name in Paragraph.model_fields if name != "format_version"}
    values.update(doc_id=doc.doc_id, start=0, end=17, text=text[:17])
    return Corpus(documents=[doc], paragraphs=[Paragraph(**values)])


def _lost_fields(corpus: Corpus, folder) -> list[str]:
    write_corpus(corpus, folder, paragraphs_as_columns=True)
    again = read_corpus(folder).paragraphs[0]
    return [
        name for name in Paragraph.model_fields if getattr(again, name) != getattr(corpus.paragraphs[0], name)
    ]


def test_every_paragraph_field_round_trips_through_the_index_store(tmp_path):
    corpus = _every_field_set()
    assert _lost_fields(corpus, tmp_path) == []
    assert read_corpus(tmp_path).documents == corpus.documents  # documents (access included) as JSONL


def test_a_field_left_out_of_the_store_is_caught(tmp_path, monkeypatch):
    """What the round trip guards: were the columns a hand-kept list missing a new field (here `ocr`), the
    field would load as its default."""
    monkeypatch.setattr(ingest_store, "COLUMNS", tuple(c for c in ingest_store.COLUMNS if c != "ocr"))
    with pytest.raises((AssertionError, KeyError, TypeError)):
        assert _lost_fields(_every_field_set(), tmp_path) == []
