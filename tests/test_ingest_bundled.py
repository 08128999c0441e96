"""Pins on the five bundled documents (data/): metadata, cleaning, structure, references, duplicates, ids."""

from __future__ import annotations

import re

import pytest

from ingest.models import Corpus, Document
from ingest.normalize import normalize
from ingest.pipeline import ingest_paths

FURNITURE = [
    "Bạn Chưa Đăng Nhập",
    "Đăng Nhập",
    "Đăng nhập",
    "Đang tải văn bản",
    "DMCA",
    "IP: 3.141",
    "Hôm nay:",
    "Hôm qua:",
    "Tổng cộng:",
    "Tin cùng chuyên mục",
    "Liên kết web",
    "Thống kê truy cập",
    "9.565",
    "Văn bản này chưa cập nhật",
    "Hãy để chúng tôi hỗ trợ",
    "Từ khoá:",
    "Số hiệu:",
    "Ngày công báo",
    "VĂN PHÒNG TƯ",
    "SỐ QUẢN",
    "CHUYÊN:",
    "LƯU HỒ SƠ",
    "**",
    "###",
    "<b>",
    "</b>",
]


def doc_by_number(corpus: Corpus, number: str, *, own_text: bool = True) -> Document:
    docs = [d for d in corpus.documents if d.number == number]
    assert len(docs) == 1, [(d.doc_id, d.number) for d in corpus.documents]
    return docs[0]


def doc_by_title(corpus: Corpus, start: str) -> Document:
    docs = [d for d in corpus.documents if (d.title or "").startswith(start)]
    assert len(docs) == 1
    return docs[0]


def paragraph_with(corpus: Corpus, doc_id: str, start: str):
    found = [p for p in corpus.paragraphs_of(doc_id) if normalize(p.text).startswith(normalize(start))]
    assert len(found) == 1, [p.text[:60] for p in found]
    return found[0]


def test_five_documents_nothing_skipped(bundled_corpus: Corpus) -> None:
    assert len(bundled_corpus.documents) == 5
    assert bundled_corpus.skipped == []


@pytest.mark.parametrize(
    ("number", "doc_type", "date", "issuer", "signer"),
    [
        ("09-CT/TW", "Chỉ thị", "2011-12-01", "Ban Bí thư", "Lê Hồng Anh"),
        ("44-KL/TW", "Kết luận", "2019-01-22", "Ban Bí thư", "Trần Quốc Vượng"),
        (
            "48/LĐLĐ",
            "Công văn",
            "2019-03-06",
            "Liên đoàn Lao động huyện Dương Minh Châu",
            "Thái Thị Bích Thủy",
        ),
    ],
)
def test_administrative_metadata(bundled_corpus, number, doc_type, date, issuer, signer) -> None:
    doc = doc_by_number(bundled_corpus, number)
    assert (doc.doc_type, doc.date, doc.issuer, doc.signer) == (doc_type, date, issuer, signer)


def test_chi_thi_09_number_and_date_come_from_citations(bundled_corpus) -> None:
    doc = doc_by_number(bundled_corpus, "09-CT/TW")
    # the file itself carries neither: both were filled from another document's citation of it
    assert "09-CT/TW" not in doc.text.split("\n\n")[0]
    for field in ("number", "date"):
        source = doc.metadata_sources[field]
        assert source.startswith("reference:")
        other_id, paragraph_id = source.removeprefix("reference:").split("#")
        assert other_id != doc.doc_id
        citing = next(p for p in bundled_corpus.paragraphs if p.paragraph_id == paragraph_id)
        assert "09-CT/TW, ngày 01/12/2011" in citing.text
    assert doc.metadata_sources["signer"] == "content"
    assert doc.title.startswith("Về tăng cường sự lãnh đạo của Đảng")


def test_news_articles(bundled_corpus) -> None:
    bca = doc_by_title(bundled_corpus, "Đẩy mạnh phong trào toàn dân bảo vệ an ninh Tổ quốc")
    assert (bca.doc_type, bca.date, bca.source_name) == (
        "Tin bài",
        "2017-02-20",
        "Cổng thông tin điện tử Bộ Công an",
    )
    hatinh = doc_by_title(bundled_corpus, "Nâng cao hiệu quả phong trào toàn dân bảo vệ ANTQ")
    assert hatinh.doc_type == "Tin bài"
    assert hatinh.number is None and hatinh.date is None  # the article gives neither


def test_no_furniture_survives(bundled_corpus) -> None:
    for paragraph in bundled_corpus.paragraphs:
        for junk in FURNITURE:
            assert junk not in paragraph.text, (paragraph.doc_id, junk, paragraph.text[:80])
        assert not re.fullmatch(r"[\d\s.,]+", paragraph.text)


def test_the_body_survives_cleaning(bundled_corpus) -> None:
    kl = doc_by_number(bundled_corpus, "44-KL/TW")
    kinds = [p.kind for p in bundled_corpus.paragraphs_of(kl.doc_id)]
    assert kinds.count("body") == 16
    assert bundled_corpus.paragraphs_of(kl.doc_id)[-1].text == "Trần Quốc Vượng"
    bca = doc_by_title(bundled_corpus, "Đẩy mạnh phong trào")
    assert bundled_corpus.paragraphs_of(bca.doc_id)[-1].text == 'Theo "Cổng thông tin điện tử Bộ Công an"'


def test_page_break_paragraph_is_whole(bundled_corpus) -> None:
    letter = doc_by_number(bundled_corpus, "48/LĐLĐ")
    paragraph = paragraph_with(bundled_corpus, letter.doc_id, "Bên cạnh những kết quả đạt được")
    assert (
        "tham gia Phong trào Toàn dân bảo vệ an ninh Tổ quốc còn hạn chế; lực lượng nòng cốt"
        in paragraph.text
    )
    assert paragraph.text.endswith("chưa đáp ứng được yêu cầu.")
    for start in ("hạn chế; lực lượng nòng cốt", "thắng lợi hai nhiệm vụ", "lực, phẩm chất, có uy tín"):
        assert not any(p.text.startswith(start) for p in bundled_corpus.paragraphs)
    chi_thi = doc_by_number(bundled_corpus, "09-CT/TW")
    assert any(
        "các chủ trương, đường lối của Đảng, chính sách" in p.text
        for p in bundled_corpus.paragraphs_of(chi_thi.doc_id)
    )


def test_sections(bundled_corpus) -> None:
    kl = doc_by_number(bundled_corpus, "44-KL/TW")
    assert paragraph_with(bundled_corpus, kl.doc_id, "Việc tổ chức Ngày hội Toàn dân").section == "2.3"
    assert paragraph_with(bundled_corpus, kl.doc_id, "2.1. Phong trào").section == "2.1"
    assert paragraph_with(bundled_corpus, kl.doc_id, "Tại phiên họp ngày 18/12/2018").section == ""
    ct = doc_by_number(bundled_corpus, "09-CT/TW")
    matches = [
        p
        for p in bundled_corpus.paragraphs_of(ct.doc_id)
        if "có chính sách thoả đáng khi bị thương, hy sinh" in p.text
    ]
    assert [p.section for p in matches] == ["II.3"]
    heading = paragraph_with(bundled_corpus, ct.doc_id, "II- Nhiệm vụ và giải pháp")
    assert (heading.section, heading.kind) == ("II", "heading")
    assert paragraph_with(bundled_corpus, ct.doc_id, "- Phát huy dân chủ").section == "I.2"
    letter = doc_by_number(bundled_corpus, "48/LĐLĐ")
    # the attached conclusion keeps its own numbering inside the letter
    assert paragraph_with(bundled_corpus, letter.doc_id, "Việc tổ chức Ngày hội Toàn dân").section == "2.3"


def test_kinds(bundled_corpus) -> None:
    kl = doc_by_number(bundled_corpus, "44-KL/TW")
    by_text = {p.text.split("\n")[0]: p.kind for p in bundled_corpus.paragraphs_of(kl.doc_id)}
    assert by_text["BAN CHẤP HÀNH TRUNG ƯƠNG"] == "header"
    assert by_text["Số: 44-KL/TW"] == "header"
    assert by_text["KẾT LUẬN CỦA BAN BÍ THƯ"] == "heading"
    assert by_text["Nơi nhận:"] == "recipients"
    assert by_text["T/M BAN BÍ THƯ"] == "signature"
    assert by_text["Trần Quốc Vượng"] == "signature"


def test_captions_in_news(bundled_corpus) -> None:
    hatinh = doc_by_title(bundled_corpus, "Nâng cao hiệu quả phong trào")
    paragraphs = bundled_corpus.paragraphs_of(hatinh.doc_id)
    captions = [p.text[:40] for p in paragraphs if p.kind == "caption"]
    assert captions == [
        "Lực lượng CSCĐ sẵn sàng phương tiện, lực",
        "Lực lượng Công an Hà Tĩnh vận động, kêu ",
        "Nhờ cách làm việc bài bản, chặt chẽ, Côn",
        "Công an xã, thị trấn trên địa bàn đều đư",
        "Đội CSGT-TT, Công an TX Hồng Lĩnh tổ chứ",
    ]
    # short one-sentence body paragraphs of the same article stay body
    for start in (
        "Ban Thường vụ Tỉnh ủy Hà Tĩnh vừa ban hành",
        "Tăng cường công tác tuyên truyền",
        "Tiếp tục huy động sức mạnh",
        "Quan tâm bố trí",
        "Phát huy vai trò, trách nhiệm",
        "Chỉ thị này được quán triệt",
    ):
        assert paragraph_with(bundled_corpus, hatinh.doc_id, start).kind == "body"
    bca = doc_by_title(bundled_corpus, "Đẩy mạnh phong trào")
    assert [p.text for p in bundled_corpus.paragraphs_of(bca.doc_id) if p.kind == "caption"] == [
        'Thứ trưởng Nguyễn Văn Sơn trao Kỷ niệm chương "Bảo vệ an ninh Tổ quốc" cho các đồng chí lãnh đạo '
        "của Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam.",
        "Thứ trưởng Nguyễn Văn Sơn phát biểu tại Hội nghị.",
        "Các đại biểu tham dự Hội nghị.",
    ]
    assert paragraph_with(bundled_corpus, bca.doc_id, "Dự Hội nghị có các đồng chí").kind == "body"


def test_ha_tinh_references(bundled_corpus) -> None:
    hatinh = doc_by_title(bundled_corpus, "Nâng cao hiệu quả phong trào")
    numbers = {r.number for r in hatinh.references}
    assert {"25-NQ/TW", "44-KL/TW", "09-CT/TW", "448-CTr/TU", "177-KH/TU", "33-CT/TU"} <= numbers
    kl = doc_by_number(bundled_corpus, "44-KL/TW")
    ref = next(r for r in hatinh.references if r.number == "44-KL/TW" and r.date)
    assert (ref.doc_type, ref.date, ref.issuer, ref.target_doc_id) == (
        "Kết luận",
        "2019-01-22",
        "Ban Bí thư",
        kl.doc_id,
    )
    plan = next(r for r in hatinh.references if r.number == "177-KH/TU")
    assert (plan.doc_type, plan.date, plan.target_doc_id) == ("Kế hoạch", "2019-06-18", None)
    paragraph_ids = {p.paragraph_id for p in bundled_corpus.paragraphs_of(hatinh.doc_id)}
    assert all(r.paragraph_id in paragraph_ids for r in hatinh.references)


def test_document_relations(bundled_corpus) -> None:
    kl = doc_by_number(bundled_corpus, "44-KL/TW")
    ct = doc_by_number(bundled_corpus, "09-CT/TW")
    letter = doc_by_number(bundled_corpus, "48/LĐLĐ")
    assert any(r.target_doc_id == kl.doc_id and r.relation == "implements" for r in letter.references)
    assert any(r.target_doc_id == ct.doc_id and r.relation == "implements" for r in kl.references)
    # the short form "Chỉ thị số 09" after the full form means the same document
    short = [r for r in kl.references if r.mention == "Chỉ thị số 09"]
    assert short and all(r.number == "09-CT/TW" and r.target_doc_id == ct.doc_id for r in short)
    # ... and, alone in a document, is resolved against the corpus when type, number and issuer agree
    bca = doc_by_title(bundled_corpus, "Đẩy mạnh phong trào")
    assert [(r.mention, r.number, r.target_doc_id) for r in bca.references if r.doc_type == "Chỉ thị"] == [
        ("Chỉ thị số 09", "09-CT/TW", ct.doc_id)
    ]
    assert [r.number for r in bca.references if r.doc_type == "Nghị quyết"] == [
        "",
        "",
    ]  # 25, 28: not in corpus
    # a document does not reference itself
    assert not any(r.target_doc_id == kl.doc_id for r in kl.references)


def test_duplicates_across_the_two_copies_of_44(bundled_corpus) -> None:
    kl = doc_by_number(bundled_corpus, "44-KL/TW")
    letter = doc_by_number(bundled_corpus, "48/LĐLĐ")
    kl_ids = {p.paragraph_id for p in bundled_corpus.paragraphs_of(kl.doc_id)}
    copy = paragraph_with(bundled_corpus, letter.doc_id, "Bên cạnh những kết quả đạt được")
    original = paragraph_with(bundled_corpus, kl.doc_id, "Bên cạnh những kết quả đạt được")
    assert copy.canonical_id == original.paragraph_id  # OCR copy ("thể trận") -> the conclusion's own text
    assert original.canonical_id is None
    linked = [p for p in bundled_corpus.paragraphs_of(letter.doc_id) if p.canonical_id]
    assert len(linked) >= 15 and all(p.canonical_id in kl_ids for p in linked)
    # the attachment's short header lines are linked too: the attachment IS 44-KL/TW
    number_line = paragraph_with(bundled_corpus, letter.doc_id, "Số 44-KL/TW")
    assert number_line.canonical_id == paragraph_with(bundled_corpus, kl.doc_id, "Số: 44-KL/TW").paragraph_id
    assert paragraph_with(bundled_corpus, letter.doc_id, "Thái Thị Bích Thủy").canonical_id is None
    # the letter's own paragraphs are not duplicates of anything
    own = paragraph_with(bundled_corpus, letter.doc_id, "Tổ chức tuyên truyền, triển khai sâu rộng")
    assert own.canonical_id is None
    assert not any(p.canonical_id for p in bundled_corpus.paragraphs_of(kl.doc_id))


def test_offsets_and_ids(bundled_corpus) -> None:
    for doc in bundled_corpus.documents:
        assert re.fullmatch(r"[a-z0-9-]+", doc.doc_id)
        paragraphs = bundled_corpus.paragraphs_of(doc.doc_id)
        assert doc.text == "\n\n".join(p.text for p in paragraphs)
        assert [p.order for p in paragraphs] == list(range(len(paragraphs)))
        for p in paragraphs:
            assert doc.text[p.start : p.end] == p.text
            assert "\n\n" not in p.text and p.text.strip() == p.text
    ids = [p.paragraph_id for p in bundled_corpus.paragraphs]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9-]+", pid) for pid in ids)


def test_ids_are_stable(bundled_corpus, data_dir, tmp_path) -> None:
    again = ingest_paths([data_dir])
    assert [p.paragraph_id for p in again.paragraphs] == [p.paragraph_id for p in bundled_corpus.paragraphs]
    assert [d.doc_id for d in again.documents] == [d.doc_id for d in bundled_corpus.documents]
    # the same file elsewhere (another folder) keeps its document id and paragraph ids
    source = next(data_dir.glob("ket-luan-44*"))
    copy = tmp_path / source.name
    copy.write_bytes(source.read_bytes())
    alone = ingest_paths([copy])
    original = next(d for d in bundled_corpus.documents if d.source_path.endswith(source.name))
    assert [p.paragraph_id for p in alone.paragraphs] == [
        p.paragraph_id for p in bundled_corpus.paragraphs_of(original.doc_id)
    ]
