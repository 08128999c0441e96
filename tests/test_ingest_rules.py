"""The cleaning and structure rules on texts they were not written for: portal furniture, text before the
letterhead, received stamps, law-style sections, captions, paragraph ids.

The metadata, reference and duplicate rules: tests/test_ingest_rules_metadata.py.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ingest_fixtures import ingest_text as _ingest_text

from ingest.clean import clean_text
from ingest.ids import paragraph_ids, slugify
from ingest.normalize import fold_accents
from ingest.pipeline import ingest_paths
from ingest.sections import section_key, section_references
from ingest.structure import structure


def test_law_style_sections(tmp_path: Path) -> None:
    text = (
        "QUỐC HỘI\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nLuật số: 32/2004/QH11\n\n"
        "LUẬT\nAN NINH QUỐC GIA\n\nChương I\nNHỮNG QUY ĐỊNH CHUNG\n\n"
        "Điều 5. Nguyên tắc hoạt động bảo vệ an ninh quốc gia\n\n"
        "1. Đặt dưới sự lãnh đạo của Đảng Cộng sản Việt Nam, sự quản lý thống nhất của Nhà nước.\n\n"
        "2. Kết hợp chặt chẽ nhiệm vụ bảo vệ an ninh quốc gia với các nhiệm vụ sau:\n\n"
        "a) Xây dựng, phát triển kinh tế - xã hội của đất nước;\n\n"
        "b) Mở rộng quan hệ đối ngoại và hội nhập quốc tế.\n\n"
        "Điều 6. Cơ quan chuyên trách bảo vệ an ninh quốc gia là lực lượng nòng cốt trong công tác này.\n"
    )
    corpus = _ingest_text(tmp_path, "luat.txt", text)
    sections = {p.text[:12]: p.section for p in corpus.paragraphs}
    assert sections["Điều 5. Nguy"] == "Điều 5"
    assert sections["1. Đặt dưới "] == "Điều 5.1"
    assert sections["2. Kết hợp c"] == "Điều 5.2"
    assert sections["b) Mở rộng q"] == "Điều 5.2.b"
    # the query side reads the same labels: "khoản 2 Điều 5" is the folded key of "Điều 5.2"
    assert section_references(fold_accents("khoản 2 Điều 5 quy định gì")) == [
        section_key(sections["2. Kết hợp c"])
    ]
    assert sections["Điều 6. Cơ q"] == "Điều 6"
    kinds = {p.text[:12]: p.kind for p in corpus.paragraphs}
    assert kinds["Điều 5. Nguy"] == "heading" and kinds["1. Đặt dưới "] == "body"


def test_generic_portal_furniture_and_page_breaks() -> None:
    widget = "Mời bạn đánh giá bài viết"
    text = (
        f"{widget}\n\nCổng thông tin\n\nKẾ HOẠCH\n\nCác xã tổ chức tuyên truyền sâu rộng về phong trào toàn dân bảo "
        f"vệ an ninh Tổ quốc đến từng\n\n\n\nhộ gia đình trong địa bàn quản lý.\n\n{widget}\n\n"
        "Bài viết mới Bài viết mới\n\nLượt truy cập: 12.345\n\nIP: 10.0.0.7\n\n0 0 1 2 3 4\n\n"
        f"{widget}\n\nXem nhiều nhất\n"
    )
    lines = [" | ".join(b.lines) for b in clean_text(text)]
    assert (
        "Các xã tổ chức tuyên truyền sâu rộng về phong trào toàn dân bảo vệ an ninh Tổ quốc đến từng "
        "hộ gia đình trong địa bàn quản lý." in lines
    )
    joined = "\n".join(lines)
    for junk in (widget, "Bài viết mới", "Lượt truy cập", "IP:", "0 0 1 2", "Xem nhiều nhất"):
        assert junk not in joined


def test_text_before_the_letterhead_is_not_the_document() -> None:
    text = (
        "Trang chủ > Văn bản > Công văn\n\nTải về bản PDF\n\nUBND TỈNH AN GIANG\nSỞ NỘI VỤ\n\n"
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nSố: 9/SNV\n\n"
        "Thực hiện chỉ đạo của Tỉnh ủy, Sở Nội vụ đề nghị các phòng báo cáo kết quả trước ngày 10 hằng tháng.\n"
    )
    blocks = clean_text(text)
    assert blocks[0].lines == ["UBND TỈNH AN GIANG", "SỞ NỘI VỤ"]


def test_other_received_stamp_is_removed() -> None:
    text = (
        "Số: 15/UBND\n\nCÔNG VĂN ĐẾN\nSố: .......\nNgày: 12/3/2020\nChuyển: .........\n\n"
        "Ủy ban nhân dân xã đề nghị các thôn tổ chức thực hiện nghiêm túc nội dung công văn này.\n"
    )
    joined = "\n".join(line for b in clean_text(text) for line in b.lines)
    assert "CÔNG VĂN ĐẾN" not in joined and "Chuyển" not in joined
    assert "Ủy ban nhân dân xã đề nghị" in joined
    form = "Mẫu đăng ký tham gia tổ tự quản.\n\nHọ và tên: ..........\nĐơn vị: ..........\n"
    assert [b.lines for b in clean_text(form)][-1] == [
        "Họ và tên: ..........",
        "Đơn vị: ..........",
    ]  # a form stays


def test_captions_follow_indentation_when_the_site_indents() -> None:
    def long(topic: str) -> str:
        return (
            f"        Lực lượng công an đã phối hợp với chính quyền địa phương tổ chức nhiều hoạt động {topic}, "
            "vận động nhân dân tham gia phòng, chống tội phạm. Kết quả được ghi nhận ở nhiều nơi."
        )

    text = "\n\n".join(
        [
            "Hội nghị tổng kết phong trào",
            long("tuyên truyền"),
            "Toàn cảnh hội nghị.",
            "        Nhiều tập thể được khen thưởng.",
            long("tuần tra"),
            "Đại biểu phát biểu tại hội nghị.",
            long("hòa giải"),
        ]
    )
    units = structure(clean_text(text)).units
    kinds = {u.flat: u.kind for u in units}
    assert kinds["Toàn cảnh hội nghị."] == "caption"
    assert kinds["Đại biểu phát biểu tại hội nghị."] == "caption"
    assert kinds["Nhiều tập thể được khen thưởng."] == "body"  # indented like the body: not a caption


def test_paragraph_ids_are_stable_and_unique() -> None:
    texts = ["Tổ quốc hoà bình.", "Một đoạn khác.", "Tổ quốc hoà bình."]
    ids = paragraph_ids("doc", texts)
    assert ids[0] != ids[2] and ids[2] == ids[0] + "-2"
    assert paragraph_ids("doc", [unicodedata.normalize("NFD", t) for t in texts]) == ids
    assert paragraph_ids("doc", ["Tổ quốc hòa bình."])[0] == ids[0]  # tone-mark placement does not matter
    assert slugify("Kết luận 44-KL/TW (bản cổng).txt") == "ket-luan-44-kl-tw-ban-cong-txt"


def test_progress_bar_runs(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.txt").write_text(
        "Tiêu đề\n\nMột đoạn văn bản đầy đủ về công tác dân vận ở cơ sở.\n", encoding="utf-8"
    )
    corpus = ingest_paths([tmp_path], progress=True)
    assert len(corpus.documents) == 1


def test_unindented_news_short_body_sentences_are_not_captions() -> None:
    long = (
        "Ban Chỉ đạo tỉnh đã tổ chức hội nghị sơ kết, đánh giá kết quả phong trào trong sáu tháng đầu năm. "
        "Nhiều mô hình tự quản ở khu dân cư được nhân rộng."
    )
    text = "\n\n".join(
        [
            "Sơ kết phong trào sáu tháng",
            long,
            "Tuy nhiên, phong trào ở một số nơi vẫn còn hình thức.",
            "Hội nghị thống nhất các nhiệm vụ sau:",
            "Tăng cường tuần tra ban đêm ở khu dân cư.",
            "Lãnh đạo tỉnh trao bằng khen cho các tập thể.",
            long.replace("sáu tháng", "quý II"),
        ]
    )
    kinds = {u.flat: u.kind for u in structure(clean_text(text)).units}
    assert kinds["Tuy nhiên, phong trào ở một số nơi vẫn còn hình thức."] == "body"  # opens an argument
    assert kinds["Tăng cường tuần tra ban đêm ở khu dân cư."] == "body"  # an item of the list above
    assert kinds["Lãnh đạo tỉnh trao bằng khen cho các tập thể."] == "caption"
