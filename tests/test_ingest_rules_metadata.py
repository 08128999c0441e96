"""The metadata, reference and duplicate rules on texts they were not written for: signers, issuers and dates
of dense or two-column headers, reference relations and types, numbers filled from citations, display casing,
the canonical copy of a duplicated paragraph."""

from __future__ import annotations

from pathlib import Path

from ingest_fixtures import ingest_text as _ingest_text

from ingest.models import Paragraph
from ingest.pipeline import ingest_paths
from ingest.references import find_references


def test_signature_with_position_and_capitals_name(tmp_path: Path) -> None:
    text = (
        "ĐẢNG BỘ TỈNH AN GIANG\nHUYỆN ỦY AN PHÚ\n\nĐẢNG CỘNG SẢN VIỆT NAM\n\nSố: 21-KH/HU\n\n"
        "An Phú, ngày 9 tháng 10 năm 2020\n\nKẾ HOẠCH\nthực hiện Kết luận số 44-KL/TW của Ban Bí thư\n\n"
        "Các chi bộ quán triệt và tổ chức thực hiện nghiêm túc kết luận trong toàn Đảng bộ huyện.\n\n"
        "T/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ THƯỜNG TRỰC\n\n(đã ký)\n\nNGUYỄN VĂN AN\n"
    )
    corpus = _ingest_text(tmp_path, "kh.txt", text)
    doc = corpus.documents[0]
    assert (doc.number, doc.doc_type, doc.date, doc.signer) == (
        "21-KH/HU",
        "Kế hoạch",
        "2020-10-09",
        "Nguyễn Văn An",
    )
    assert doc.issuer == "Huyện ủy An Phú"
    assert [p.kind for p in corpus.paragraphs][-3:] == ["signature", "signature", "signature"]


def _paragraph(text: str, pid: str = "d-1") -> Paragraph:
    return Paragraph(paragraph_id=pid, doc_id="d", order=0, text=text, start=0, end=len(text))


def test_reference_relations_and_forms() -> None:
    refs = find_references(
        [
            _paragraph(
                "Căn cứ Nghị quyết 25-NQ/TW ngày 03 tháng 6 năm 2013 của Ban Chấp hành Trung ương khóa XI về "
                "công tác dân vận; Ủy ban ban hành kế hoạch này.",
                "d-1",
            ),
            _paragraph(
                "Báo cáo này tham khảo Quyết định số 1234/QĐ-UBND của UBND tỉnh và Chỉ thị số 05-CT/TU.",
                "d-2",
            ),
            _paragraph("Tiếp tục triển khai Chỉ thị số 05 và Kết luận này.", "d-3"),
        ]
    )
    by_number = {(r.number, r.paragraph_id): r for r in refs}
    nq = by_number[("25-NQ/TW", "d-1")]
    assert (nq.relation, nq.date, nq.doc_type, nq.issuer, nq.title) == (
        "basis",
        "2013-06-03",
        "Nghị quyết",
        "Ban Chấp hành Trung ương",
        "công tác dân vận",
    )
    assert by_number[("1234/QĐ-UBND", "d-2")].relation == "cites"
    assert by_number[("05-CT/TU", "d-2")].doc_type == "Chỉ thị"
    short = by_number[("05-CT/TU", "d-3")]
    assert (short.mention, short.relation) == (
        "Chỉ thị số 05",
        "continues",
    )  # "tiếp tục triển khai" (issue 18)
    assert len(refs) == 4  # "Kết luận này" names no number


def test_every_listed_document_type_is_a_reference_and_a_type_heading() -> None:
    """One list of types (ingest/resources/doc_types.txt) serves references and type headings alike."""
    from ingest.doctypes import type_from_heading

    text = (
        "Thực hiện Quy định số 102-QĐ/TW ngày 15/11/2017, Thông tri số 05-TT/TW, Đề án số 03-ĐA/TU "
        "và Hướng dẫn 12-HD/BTGTW, Tờ trình số 3/TTr-UBND ngày 2 tháng 3 năm 2020."
    )
    refs = {r.number: r for r in find_references([_paragraph(text, "d-1")])}
    assert {n: r.doc_type for n, r in refs.items()} == {
        "102-QĐ/TW": "Quy định",
        "05-TT/TW": "Thông tri",
        "03-ĐA/TU": "Đề án",
        "12-HD/BTGTW": "Hướng dẫn",
        "3/TTr-UBND": "Tờ trình",
    }
    assert (refs["102-QĐ/TW"].date, refs["3/TTr-UBND"].date) == ("2017-11-15", "2020-03-02")
    assert type_from_heading("THÔNG TRI\nVỀ TĂNG CƯỜNG") == "Thông tri"
    assert type_from_heading("ĐỀ ÁN CỦA TỈNH ỦY") == "Đề án"


def test_gap_fill_needs_type_issuer_and_title(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "CHỈ THỊ\nCỦA BAN THƯỜNG VỤ TỈNH ỦY\n\nVề tăng cường công tác dân vận trong tình hình mới\n\n"
        "Các cấp ủy đảng tăng cường lãnh đạo công tác dân vận của hệ thống chính trị ở cơ sở.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text(
        "CHỈ THỊ\nCỦA BAN THƯỜNG VỤ TỈNH ỦY\n\nVề công tác phòng cháy chữa cháy\n\n"
        "Các cấp ủy đảng lãnh đạo công tác phòng cháy, chữa cháy ở khu dân cư và cơ quan.\n",
        encoding="utf-8",
    )
    (tmp_path / "c.txt").write_text(
        "Tin tỉnh nhà\n\nHội nghị quán triệt Chỉ thị số 33-CT/TU, ngày 06/6/2023 của Ban Thường vụ Tỉnh ủy về tăng "
        "cường công tác dân vận trong tình hình mới đã diễn ra tại tỉnh với nhiều đại biểu tham dự.\n",
        encoding="utf-8",
    )
    corpus = ingest_paths([tmp_path])
    docs = {Path(d.source_path).name: d for d in corpus.documents}
    assert (docs["a.txt"].number, docs["a.txt"].date) == ("33-CT/TU", "2023-06-06")
    assert docs["a.txt"].metadata_sources["number"].startswith(f"reference:{docs['c.txt'].doc_id}#")
    assert docs["b.txt"].number is None  # same type and issuer, another trích yếu
    ref = next(r for r in docs["c.txt"].references if r.number == "33-CT/TU")
    assert ref.target_doc_id == docs["a.txt"].doc_id and ref.relation == "implements"


def test_duplicate_canonical_is_the_document_that_is_the_text(tmp_path: Path) -> None:
    body = [
        "Các cấp ủy đảng phải xác định công tác xây dựng phong trào là nhiệm vụ trọng tâm, thường xuyên của mình.",
        "Đảng ủy Công an Trung ương chủ trì phối hợp hướng dẫn, đôn đốc, kiểm tra việc thực hiện Chỉ thị này.",
    ]
    original = (
        "ĐẢNG CỘNG SẢN VIỆT NAM\n\nSố: 7-CT/TU\n\nCHỈ THỊ\nCỦA BAN THƯỜNG VỤ\n\nVề phong trào\n\n"
        + "\n\n".join(body)
        + "\n"
    )
    letter = (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 3/CĐ\n\nV/v triển khai Chỉ thị số 7-CT/TU\n\n"
        "Kính gửi:\n\n- Các công đoàn cơ sở;\n\n- Các tổ công đoàn.\n\n"
        "Công đoàn đề nghị các đơn vị triển khai thực hiện Chỉ thị số 7-CT/TU (gửi kèm).\n\n"
        "TM. BAN THƯỜNG VỤ\n\nLê Văn Hai\n\nSố: 7-CT/TU\n\nCHỈ THỊ\nCỦA BAN THƯỜNG VỤ\n\nVề phong trào\n\n"
        + "\n\n".join(b.replace("thường xuyên", "thưòng xuyên") for b in body)
        + "\n"
    )
    (tmp_path / "a-letter.txt").write_text(letter, encoding="utf-8")  # sorts first on purpose
    (tmp_path / "z-original.txt").write_text(original, encoding="utf-8")
    corpus = ingest_paths([tmp_path])
    docs = {Path(d.source_path).name: d for d in corpus.documents}
    own = [p for p in corpus.paragraphs_of(docs["z-original.txt"].doc_id) if p.text in body]
    copies = [
        p
        for p in corpus.paragraphs_of(docs["a-letter.txt"].doc_id)
        if p.text.startswith(("Các cấp", "Đảng ủy"))
    ]
    assert len(own) == 2 and len(copies) == 2
    assert [p.canonical_id for p in copies] == [p.paragraph_id for p in own]
    assert all(p.canonical_id is None for p in own)
    assert [p.attached_number for p in copies] == ["7-CT/TU", "7-CT/TU"]
    assert all(p.attached_number is None for p in own)
    header = [p.text for p in corpus.paragraphs_of(docs["a-letter.txt"].doc_id) if p.kind == "header"]
    start = header.index("Kính gửi:")
    assert header[start : start + 3] == ["Kính gửi:", "- Các công đoàn cơ sở;", "- Các tổ công đoàn."]


def test_capitals_are_recased_for_display() -> None:
    from ingest.orgnames import org_case, readable_title

    assert readable_title(
        "VỀ CÔNG TÁC PHÁT TRIỂN ĐẢNG VIÊN THEO CHỈ THỊ SỐ 05-CT/TU CỦA BAN THƯỜNG VỤ TỈNH ỦY KHÓA XV"
    ) == ("Về công tác phát triển đảng viên theo Chỉ thị số 05-CT/TU của Ban Thường vụ Tỉnh ủy khóa XV")
    assert readable_title("Về tình hình mới") == "Về tình hình mới"  # mixed case is the source's own spelling
    assert org_case("UỶ BAN NHÂN DÂN XÃ AN PHÚ") == "Ủy ban nhân dân xã An Phú"
    assert org_case("BAN THƯỜNG VỤ TỈNH UỶ HÀ TĨNH") == "Ban Thường vụ Tỉnh ủy Hà Tĩnh"


def test_bundled_all_caps_title_reads_normally(bundled_corpus) -> None:
    kl = next(d for d in bundled_corpus.documents if d.number == "44-KL/TW")
    assert kl.title == (
        "Về việc tiếp tục đẩy mạnh thực hiện Chỉ thị số 09-CT/TW của Ban Bí thư khóa XI về tăng cường "
        "sự lãnh đạo của Đảng đối với phong trào toàn dân bảo vệ an ninh Tổ quốc trong tình hình mới"
    )
    assert "VỀ VIỆC TIẾP TỤC ĐẨY MẠNH" in kl.text  # the paragraph keeps the source's capitals


def test_dense_letterhead_without_blank_lines(tmp_path: Path) -> None:
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH HÀ TĨNH\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "---------------\nSố: 1234/QĐ-UBND\nHà Tĩnh, ngày 15 tháng 7 năm 2021\n\nQUYẾT ĐỊNH\n"
        "Về việc kiện toàn Ban Chỉ đạo phong trào toàn dân bảo vệ an ninh Tổ quốc tỉnh\n\n"
        "Căn cứ Kết luận số 44-KL/TW ngày 22/01/2019 của Ban Bí thư;\n\nQUYẾT ĐỊNH:\n\n"
        "Điều 1. Kiện toàn Ban Chỉ đạo phong trào toàn dân bảo vệ an ninh Tổ quốc tỉnh gồm các ông, bà sau:\n"
        "1. Ông Nguyễn Văn A, Phó Chủ tịch UBND tỉnh - Trưởng ban;\n"
        "2. Ông Trần Văn B, Giám đốc Công an tỉnh - Phó Trưởng ban thường trực.\n\n"
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n\n"
        "Nơi nhận:\n- Như Điều 2;\n- Lưu: VT.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\n\n\nLê Ngọc Châu\n"
    )
    corpus = _ingest_text(tmp_path, "qd.txt", text)
    doc = corpus.documents[0]
    assert (doc.number, doc.doc_type, doc.date, doc.place, doc.issuer, doc.signer) == (
        "1234/QĐ-UBND",
        "Quyết định",
        "2021-07-15",
        "Hà Tĩnh",
        "Ủy ban nhân dân tỉnh Hà Tĩnh",
        "Lê Ngọc Châu",
    )
    kinds = [(p.kind, p.text.split("\n")[0]) for p in corpus.paragraphs]
    assert kinds[:4] == [
        ("header", "ỦY BAN NHÂN DÂN"),
        ("header", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("header", "Số: 1234/QĐ-UBND"),
        ("header", "Hà Tĩnh, ngày 15 tháng 7 năm 2021"),
    ]
    assert kinds[-3:] == [
        ("recipients", "Nơi nhận:"),
        ("signature", "KT. CHỦ TỊCH"),
        ("signature", "Lê Ngọc Châu"),
    ]
    assert {p.text[:4]: p.section for p in corpus.paragraphs if p.section}["2. Ô"] == "Điều 1.2"
    assert [r.relation for r in doc.references] == ["basis"]


def test_two_column_header_and_citation_by_the_standing_committee(tmp_path: Path) -> None:
    (tmp_path / "chi-thi.txt").write_text(
        "TỈNH ỦY HÀ TĨNH                         ĐẢNG CỘNG SẢN VIỆT NAM\n         *\n"
        "                                   Hà Tĩnh, ngày 06 tháng 6 năm 2023\n\nCHỈ THỊ\n"
        "về tiếp tục tăng cường, đổi mới công tác dân vận của các cơ quan nhà nước, chính quyền các cấp "
        "trong tình hình mới\n\nThời gian qua, công tác dân vận của các cơ quan nhà nước, chính quyền các cấp "
        "đã có nhiều chuyển biến tích cực.\n\nT/M BAN THƯỜNG VỤ\nBÍ THƯ\n\nHoàng Trung Dũng\n",
        encoding="utf-8",
    )
    (tmp_path / "tin.txt").write_text(
        "Hội nghị dân vận\n\nCác cơ quan triển khai Chỉ thị số 33-CT/TU, ngày 06/6/2023 của Ban Thường vụ Tỉnh ủy về "
        "tiếp tục tăng cường, đổi mới công tác dân vận của các cơ quan nhà nước, chính quyền các cấp trong tình hình "
        "mới.\n\nTheo Báo Hà Tĩnh\n",
        encoding="utf-8",
    )
    corpus = ingest_paths([tmp_path])
    doc = next(d for d in corpus.documents if d.source_path.endswith("chi-thi.txt"))
    assert (doc.doc_type, doc.date, doc.place, doc.issuer, doc.signer) == (
        "Chỉ thị",
        "2023-06-06",
        "Hà Tĩnh",
        "Tỉnh ủy Hà Tĩnh",
        "Hoàng Trung Dũng",
    )
    # the file has no number; the article cites it by the body that signed it ("T/M BAN THƯỜNG VỤ")
    assert doc.number == "33-CT/TU" and doc.metadata_sources["number"].startswith("reference:")
    assert [p.kind for p in corpus.paragraphs_of(doc.doc_id)][:3] == ["header", "header", "header"]


def test_clauses_that_differ_in_numbers_are_not_near_duplicates(tmp_path: Path) -> None:
    # Penal-code clauses: the same words, other penalties or another clause number. A copy keeps both.
    clauses = {
        "a.txt": "2. Phạm tội thuộc một trong các trường hợp sau đây, thì bị phạt tù từ 02 năm đến 07 năm:",
        "b.txt": "2. Phạm tội thuộc một trong các trường hợp sau đây, thì bị phạt tù từ 07 năm đến 15 năm:",
        "c.txt": "3. Phạm tội thuộc một trong các trường hợp sau đây, thì bị phạt tù từ 02 năm đến 07 năm:",
        "d.txt": "2. Phạm tội thuộc một trong các trường hợp sau đây, thì bị phạt tù từ 02 năm đến 07 năm;",
    }
    for name, clause in clauses.items():
        (tmp_path / name).write_text(f"Tội danh {name[0]}\n\n{clause}\n", encoding="utf-8")
    corpus = ingest_paths([tmp_path])
    docs = {Path(d.source_path).name: d.doc_id for d in corpus.documents}
    by_doc = {p.doc_id: p for p in corpus.paragraphs if p.text.startswith(("2.", "3."))}
    linked = {name for name, doc in docs.items() if by_doc[doc].canonical_id}
    assert linked == {"d.txt"}  # only the copy that differs by punctuation
    assert by_doc[docs["d.txt"]].canonical_id == by_doc[docs["a.txt"]].paragraph_id
