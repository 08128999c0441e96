"""Readers on small files made here: each format reads (plain text in UTF-8, with a BOM or in UTF-16,
Markdown, HTML in its declared charset, .docx, PDF text layers, JSONL, sidecar metadata).

Bad files, legacy encodings and the corpus store: tests/test_ingest_bad_input.py.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from ingest_fixtures import LETTER, write_docx, write_pdf

from ingest.pipeline import ingest_paths


def _only(corpus, suffix: str):
    docs = [d for d in corpus.documents if d.source_path.endswith(suffix)]
    assert len(docs) == 1, [d.source_path for d in corpus.documents]
    return docs[0]


def test_txt_utf8_bom_and_utf16(tmp_path: Path) -> None:
    (tmp_path / "plain.txt").write_text(LETTER, encoding="utf-8")
    (tmp_path / "bom.txt").write_bytes(LETTER.replace("12/UBND", "13/UBND").encode("utf-8-sig"))
    (tmp_path / "wide.txt").write_bytes(LETTER.replace("12/UBND", "14/UBND").encode("utf-16"))
    corpus = ingest_paths([tmp_path])
    assert not corpus.skipped
    numbers = {d.source_path.rsplit("/", 1)[-1]: d.number for d in corpus.documents}
    assert numbers == {"plain.txt": "12/UBND", "bom.txt": "13/UBND", "wide.txt": "14/UBND"}
    doc = _only(corpus, "plain.txt")
    assert doc.doc_type == "Công văn"
    assert doc.issuer == "Ủy ban nhân dân huyện An Phú"
    assert doc.date == "2021-04-05"
    assert doc.signer == "Nguyễn Văn An"
    assert [r.relation for r in doc.references if r.number == "44-KL/TW"][0] == "implements"


def test_markdown_emphasis_is_removed(tmp_path: Path) -> None:
    md = "# Kế hoạch\n\n**Điều 1.** Các xã **tổ chức** thực hiện <b>nghiêm túc</b> kế hoạch này.\n"
    (tmp_path / "ke-hoach.md").write_text(md, encoding="utf-8")
    corpus = ingest_paths([tmp_path / "ke-hoach.md"])
    texts = [p.text for p in corpus.paragraphs]
    assert "Điều 1. Các xã tổ chức thực hiện nghiêm túc kế hoạch này." in texts
    assert not any("**" in t or "<b>" in t or t.startswith("#") for t in texts)
    assert [p.section for p in corpus.paragraphs if p.text.startswith("Điều 1.")] == ["Điều 1"]


def test_html_page(tmp_path: Path) -> None:
    body = "".join(
        f"<p>Đoạn {i}: lực lượng công an xã phối hợp với Mặt trận Tổ quốc tuyên truyền, vận động nhân dân "
        f"tham gia phong trào toàn dân bảo vệ an ninh Tổ quốc ở khu dân cư số {i}.</p>"
        for i in range(1, 6)
    )
    html = (
        "<html><head><meta charset='utf-8'><title>Phong trào bảo vệ an ninh Tổ quốc</title></head><body>"
        "<nav><a href='/'>Trang chủ</a> <a href='/login'>Đăng nhập</a></nav>"
        f"<article><h1>Phong trào bảo vệ an ninh Tổ quốc</h1>{body}"
        "<figure><img src='a.jpg'><figcaption>Công an xã tuần tra ban đêm.</figcaption></figure>"
        f"{body.replace('Đoạn', 'Phần')}</article>"
        "<footer>Hôm nay: 6.293</footer></body></html>"
    )
    (tmp_path / "tin.html").write_text(html, encoding="utf-8")
    corpus = ingest_paths([tmp_path])
    doc = _only(corpus, "tin.html")
    texts = [p.text for p in corpus.paragraphs]
    assert any(t.startswith("Đoạn 3: lực lượng công an xã") for t in texts)
    assert not any("Hôm nay" in t or "Đăng nhập" in t for t in texts)
    assert doc.title == "Phong trào bảo vệ an ninh Tổ quốc"
    captions = [p.text for p in corpus.paragraphs if p.kind == "caption"]
    assert captions == ["Công an xã tuần tra ban đêm."]


def test_docx_with_header_table(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "cong-van.docx",
        [
            "V/v triển khai Kết luận số 44-KL/TW",
            "Căn cứ Kết luận số 44-KL/TW, ngày 22/01/2019 của Ban Bí thư, Ban Thường vụ Huyện ủy yêu cầu các chi bộ "
            "xây dựng kế hoạch thực hiện và báo cáo kết quả hằng quý.",
            "T/M BAN THƯỜNG VỤ",
            "BÍ THƯ",
            "Trần Văn Bình",
        ],
        table=[
            ["HUYỆN ỦY AN PHÚ", "ĐẢNG CỘNG SẢN VIỆT NAM"],
            ["Số: 7-CV/HU", "An Phú, ngày 02 tháng 3 năm 2020"],
        ],
    )
    corpus = ingest_paths([path])
    doc = _only(corpus, ".docx")
    assert doc.number == "7-CV/HU"
    assert doc.date == "2020-03-02"
    assert doc.signer == "Trần Văn Bình"
    assert doc.issuer == "Huyện ủy An Phú"
    assert [r.relation for r in doc.references if r.number == "44-KL/TW"] == ["implements", "basis"]


def test_pdf_pages_rejoin_and_page_numbers_go(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "chi-thi.pdf",
        ["CHI THI", "", "Cac cap uy tang cuong lanh dao cong tac dan van, bao dam", "1"],
        ["chat che va hieu qua trong tinh hinh moi.", "Dang uy Cong an chu tri kiem tra.", "2"],
    )
    corpus = ingest_paths([path])
    texts = [p.text for p in corpus.paragraphs]
    assert (
        "Cac cap uy tang cuong lanh dao cong tac dan van, bao dam chat che va hieu qua trong tinh hinh moi."
        in texts
    )
    assert "Dang uy Cong an chu tri kiem tra." in texts
    assert "1" not in texts and "2" not in texts


def test_pdf_text_layer(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "ke-hoach.pdf",
        [
            "Ke hoach so 177-KH/TU thuc hien Ket luan so 44-KL/TW cua Ban Bi thu,",
            "trien khai tai cac xa trong tinh.",
        ],
    )
    corpus = ingest_paths([path])
    assert not corpus.skipped
    texts = [p.text for p in corpus.paragraphs]
    # the PDF's two lines are one sentence: one paragraph
    assert texts == [
        "Ke hoach so 177-KH/TU thuc hien Ket luan so 44-KL/TW cua Ban Bi thu, "
        "trien khai tai cac xa trong tinh."
    ]


def test_jsonl_ids_metadata_and_bad_line(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "id": "KL 44/TW bản A",
                "title": "Kết luận về phong trào",
                "number": "44-KL/TW",
                "type": "kết luận",
                "issuer": "Ban Bí thư",
                "date": "22/01/2019",
                "signer": "Trần Quốc Vượng",
                "text": "Ban Bí thư yêu cầu các cấp ủy tiếp tục thực hiện Chỉ thị số 09-CT/TW.\n\n"
                "Đảng ủy Công an Trung ương chủ trì kiểm tra việc thực hiện.",
            },
            ensure_ascii=False,
        ),
        "{this is not json",
        json.dumps({"id": "x2", "title": "thiếu text"}),
        json.dumps(
            {
                "id": "tin-2",
                "title": "Tin",
                "date": "không rõ",
                "text": "Công an xã tuyên truyền pháp luật cho nhân dân.",
            },
            ensure_ascii=False,
        ),
    ]
    (tmp_path / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = ingest_paths([tmp_path])
    ids = sorted(d.doc_id for d in corpus.documents)
    assert ids == ["KL 44/TW bản A", "tin-2"]  # the given ids, exactly
    doc = next(d for d in corpus.documents if d.doc_id == "KL 44/TW bản A")
    assert (doc.number, doc.doc_type, doc.issuer, doc.date, doc.signer) == (
        "44-KL/TW",
        "Kết luận",
        "Ban Bí thư",
        "2019-01-22",
        "Trần Quốc Vượng",
    )
    assert doc.metadata_sources["number"] == "jsonl"
    plain = next(d for d in corpus.documents if d.doc_id == "tin-2")
    assert plain.date is None  # "không rõ" is not a date: left out
    assert plain.doc_type is None  # no header, no dateline/source/captions: not claimed to be a news article
    bad = {s.path.rsplit(":", 1)[-1]: s.reason for s in corpus.skipped}
    assert set(bad) == {"2", "3"}
    assert "JSON" in bad["2"] and "dòng 2" in bad["2"]
    assert "text" in bad["3"]


def test_sidecar_metadata_wins(tmp_path: Path) -> None:
    (tmp_path / "chi-thi.txt").write_text(
        "CHỈ THỊ\nCỦA BAN THƯỜNG VỤ\n\nVề công tác dân vận\n\nCác cấp ủy tăng cường lãnh đạo công tác dân vận "
        "trong tình hình mới, bảo đảm thực chất và hiệu quả.\n",
        encoding="utf-8",
    )
    (tmp_path / "chi-thi.txt.meta.json").write_text(
        json.dumps(
            {"number": "33-CT/TU", "date": "2023-06-06", "issuer": "Ban Thường vụ Tỉnh ủy Hà Tĩnh"},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    corpus = ingest_paths([tmp_path])
    assert len(corpus.documents) == 1 and not corpus.skipped
    doc = corpus.documents[0]
    assert (doc.number, doc.date, doc.issuer, doc.doc_type) == (
        "33-CT/TU",
        "2023-06-06",
        "Ban Thường vụ Tỉnh ủy Hà Tĩnh",
        "Chỉ thị",
    )
    assert doc.metadata_sources["number"] == "sidecar" and doc.metadata_sources["doc_type"] == "content"


def _to_cp1258(text: str) -> bytes:
    """Windows-1258 keeps vowel shapes (â ơ ư ...) precomposed and writes tone marks as combining bytes."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            shape = "".join(m for m in decomposed[1:] if m in "\u0302\u0306\u031b")
            tones = "".join(m for m in decomposed[1:] if m not in "\u0302\u0306\u031b")
            out += (unicodedata.normalize("NFC", decomposed[0] + shape) + tones).encode("cp1258")
    return bytes(out)


def test_html_declared_charset_is_honoured(tmp_path: Path) -> None:
    paragraph = (
        "Công an xã phối hợp với Mặt trận Tổ quốc tuyên truyền, vận động nhân dân tham gia phong trào "
        "toàn dân bảo vệ an ninh Tổ quốc ở khu dân cư, giữ gìn trật tự, an toàn xã hội."
    )
    html = (
        f"<html><head><meta charset='windows-1258'><title>Tin</title></head><body><article>"
        f"<h1>Tin an ninh</h1><p>{paragraph}</p><p>{paragraph.replace('xã', 'phường')}</p></article></body></html>"
    )
    (tmp_path / "cp1258.html").write_bytes(_to_cp1258(html))
    corpus = ingest_paths([tmp_path])
    assert not corpus.skipped
    assert paragraph in [p.text for p in corpus.paragraphs]
