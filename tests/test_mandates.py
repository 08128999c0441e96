"""Mandate extraction: rules on small documents, tables of .docx/.html/.pdf, actors and deadlines, the
stored JSONL, and the labelled set's scores (`tracuu eval --mandates`) against the issue's targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.actors import actor_key, actor_level, display_name
from ingest.deadlines import find_deadline
from ingest.pipeline import ingest_paths


def mandates_of(
    tmp_path: Path, text: str, doc_type: str = "Kế hoạch", issuer: str | None = "Tỉnh ủy Quảng Trị"
):
    record = {"id": "t", "title": "Văn bản thử", "text": text, "type": doc_type, "date": "2024-03-01"}
    if issuer:
        record["issuer"] = issuer
    path = tmp_path / "doc.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return ingest_paths([path]).mandates


def keys(refs) -> list[str]:
    return [r.key for r in refs]


def test_lead_partner_report_and_recurrence(tmp_path):
    [m] = mandates_of(
        tmp_path,
        "Sở Nội vụ chủ trì, phối hợp với Sở Tài chính và các cơ quan liên quan rà soát "
        "biên chế, hằng năm báo cáo kết quả với Ủy ban nhân dân tỉnh.",
    )
    assert keys(m.assignees) == ["so-noi-vu"]
    assert keys(m.partners) == ["so-tai-chinh", "co-quan-lien-quan"]
    assert keys(m.reports_to) == ["uy-ban-nhan-dan-tinh"]
    assert m.deadline.recurrence == "yearly" and m.deadline.text == "hằng năm"
    assert "phối hợp chưa cụ thể" in m.flags and m.assigned_by.name == "Tỉnh ủy Quảng Trị"
    assert m.action.startswith("chủ trì, phối hợp") and m.text in m.text


def test_request_carried_actor_and_dated_deadline(tmp_path):
    text = (
        "Ban Thường vụ Tỉnh ủy đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh hướng dẫn các đoàn thể triển khai "
        "trước ngày 30/6/2024. Chủ trì, phối hợp với Công an tỉnh tổ chức sơ kết trong quý IV/2024."
    )
    first, second = mandates_of(tmp_path, text)
    assert first.assigned_by.key == "ban-thuong-vu-tinh-uy" and first.source == "request"
    assert first.deadline.date == "2024-06-30"
    assert second.source == "carried" and keys(second.assignees) == keys(first.assignees)
    assert keys(second.partners) == ["cong-an-tinh"] and second.deadline.date == "2024-12-31"


def test_list_under_a_request_and_under_an_actor_heading(tmp_path):
    text = (
        "Ủy ban nhân dân huyện yêu cầu Ủy ban nhân dân các xã, thị trấn thực hiện các nội dung sau:\n\n"
        "1. Rà soát lực lượng bảo vệ an ninh, trật tự ở cơ sở.\n\n"
        "2. Tổ chức Ngày hội toàn dân bảo vệ an ninh Tổ quốc trước ngày 19/8/2024.\n\n"
        "II. NHIỆM VỤ CỦA CÁC CƠ QUAN\n\n"
        "1. Phòng Văn hóa và Thông tin huyện:\n\n"
        "- Biên soạn tài liệu tuyên truyền; sản phẩm là tờ gấp phát đến thôn."
    )
    ms = mandates_of(tmp_path, text)
    assert [m.source for m in ms] == ["request", "list", "list", "heading"]
    assert all(keys(m.assignees) == ["uy-ban-nhan-dan-cac-xa-thi-tran"] for m in ms[:3])
    assert ms[2].deadline.date == "2024-08-19" and ms[1].deadline is None
    assert keys(ms[3].assignees) == ["phong-van-hoa-va-thong-tin-huyen"] and ms[3].product.startswith(
        "tờ gấp"
    )


@pytest.mark.parametrize(
    "sentence,doc_type",
    [
        ("Chiều 12/3/2024, Thứ trưởng Bộ Công an chủ trì Hội nghị sơ kết phong trào.", "Tin bài"),
        ("Năm 2023, Ban Tuyên giáo Tỉnh ủy đã chủ trì tổ chức 12 hội nghị quán triệt.", "Kế hoạch"),
        ("Sau khi nghe Đảng ủy Công an tỉnh báo cáo, Ban Thường vụ Tỉnh ủy kết luận như sau:", "Kết luận"),
        ("Sự phối hợp giữa các ban, ngành và Mặt trận Tổ quốc chưa chặt chẽ.", "Kết luận"),
        ("Quyết định này có hiệu lực thi hành kể từ ngày 01/7/2024.", "Quyết định"),
        ("Công an tỉnh phối hợp với các đoàn thể tuyên truyền pháp luật cho Nhân dân.", "Tin bài"),
        ("Nguyên nhân là do một số cấp ủy chưa quan tâm đúng mức.", "Báo cáo"),
        ("Ban Thường vụ Tỉnh ủy ban hành Kế hoạch thực hiện như sau:", "Kế hoạch"),
    ],
)
def test_traps_give_no_mandate(tmp_path, sentence, doc_type):
    assert mandates_of(tmp_path, sentence, doc_type) == []


def test_news_keeps_a_mandate_given_by_someone(tmp_path):
    [m] = mandates_of(
        tmp_path,
        "Thứ trưởng Nguyễn Văn A yêu cầu Cục Cảnh sát giao thông khẩn trương tham mưu "
        "cho Bộ Công an sửa đổi quy trình tuần tra.",
        "Tin bài",
        None,
    )
    assert m.assigned_by.name == "Thứ trưởng Nguyễn Văn A" and keys(m.assignees) == [
        "cuc-canh-sat-giao-thong"
    ]
    assert "thời hạn chưa cụ thể" in m.flags and m.deadline is None


def test_actor_keys_aliases_and_levels():
    assert actor_key("Đảng uỷ Công an Trung ương") == actor_key("ĐUCATW") == "dang-uy-cong-an-trung-uong"
    assert actor_key("Đảng ủy Công an tỉnh") != actor_key("Đảng ủy Công an Trung ương")
    assert (
        actor_key("MTTQ") == actor_key("Mặt trận Tổ quốc")
        and actor_key("UBND tỉnh") == "uy-ban-nhan-dan-tinh"
    )
    assert actor_key("các cấp uỷ đảng") == actor_key("cấp ủy các cấp") == actor_key("các cấp ủy") == "cap-uy"
    assert (
        actor_level("Ban Tuyên giáo Tỉnh ủy") == "province"
        and actor_level("Đảng ủy Công an Trung ương") == "central"
    )
    assert (
        actor_level("Công an huyện") == "district"
        and display_name("các công đoàn cơ sở") == "Công đoàn cơ sở"
    )


def test_deadlines():
    assert find_deadline("hoàn thành trước ngày 30/6/2024").date == "2024-06-30"
    assert find_deadline("trong quý III/2024").date == "2024-09-30"
    assert find_deadline("Quý II/2024", bare=True).date == "2024-06-30"
    assert find_deadline("trước ngày 15/12 hằng năm").recurrence == "yearly"
    assert find_deadline("trước ngày 15/12", year=2024).date == "2024-12-15"
    assert find_deadline("Kết luận số 44-KL/TW, ngày 22/01/2019 của Ban Bí thư") is None
    assert find_deadline("có hiệu lực kể từ ngày 01/7/2024") is None
    assert find_deadline("các cuộc sinh hoạt định kỳ") is None
    assert find_deadline("định kỳ báo cáo").recurrence == "periodic"


TABLE = [
    ["TT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm"],
    [
        "1",
        "Tổ chức hội nghị quán triệt",
        "Ban Tuyên giáo Tỉnh ủy",
        "Văn phòng Tỉnh ủy",
        "Quý II/2024",
        "Hội nghị",
    ],
    ["2", "Sơ kết phong trào", "Công an tỉnh", "Sở Tư pháp; các sở, ngành liên quan", "Hằng năm", "Báo cáo"],
]


def check_table_mandates(ms):
    assert [m.source for m in ms] == ["table", "table"]
    assert keys(ms[0].assignees) == ["ban-tuyen-giao-tinh-uy"] and keys(ms[0].partners) == [
        "van-phong-tinh-uy"
    ]
    assert (
        ms[0].deadline.date == "2024-06-30"
        and ms[0].product == "Hội nghị"
        and ms[0].action == "Tổ chức hội nghị quán triệt"
    )
    assert (
        keys(ms[1].partners) == ["so-tu-phap", "so-nganh-lien-quan"] and ms[1].deadline.recurrence == "yearly"
    )


def test_docx_table_one_mandate_per_row(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH thực hiện Kết luận")
    table = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for r, row in enumerate(TABLE):
        for c, cell in enumerate(row):
            table.cell(r, c).text = cell
    document.save(str(tmp_path / "kh.docx"))
    check_table_mandates(ingest_paths([tmp_path / "kh.docx"]).mandates)


def test_html_table_one_mandate_per_row(tmp_path):
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in TABLE)
    body = (
        "<p>Bảng dưới đây ghi nhiệm vụ thực hiện Kết luận số 44-KL/TW của các cơ quan, đơn vị "
        "theo bảng dưới đây để tổ chức thực hiện nghiêm túc trong năm 2024 và các năm tiếp theo.</p>"
    )
    (tmp_path / "kh.html").write_text(
        f"<html><body><article><h1>Kế hoạch</h1>{body}<table>{cells}</table>{body}</article></body></html>",
        encoding="utf-8",
    )
    check_table_mandates(ingest_paths([tmp_path / "kh.html"]).mandates)


def write_ruled_pdf(path: Path, rows: list[list[str]]) -> None:
    """A one-page PDF with a ruled table (lines pdfplumber's table finder follows), ASCII text."""
    widths = [30, 150, 110, 110, 90, 60]
    x0, top, h = 20, 700, 30
    ops = ["0.5 w"]
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    for r in range(len(rows) + 1):
        ops.append(f"{x0} {top - r * h} m {xs[-1]} {top - r * h} l S")
    for x in xs:
        ops.append(f"{x} {top} m {x} {top - len(rows) * h} l S")
    ops += ["BT", "/F1 7 Tf", "ET"]
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            ops.append(f"BT /F1 7 Tf {xs[c] + 2} {top - r * h - 12} Td ({cell}) Tj ET")
    ops.append("BT /F1 11 Tf 20 750 Td (KE HOACH thuc hien Ket luan so 44-KL/TW cua Ban Bi thu) Tj ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def test_pdf_table_one_mandate_per_row(tmp_path):
    pytest.importorskip("pdfplumber")
    rows = [
        ["TT", "Noi dung", "Co quan chu tri", "Co quan phoi hop", "Thoi gian", "San pham"],
        [
            "1",
            "To chuc hoi nghi quan triet",
            "Ban Tuyen giao Tinh uy",
            "Van phong Tinh uy",
            "Quy II/2024",
            "Hoi nghi",
        ],
        ["2", "So ket phong trao", "Cong an tinh", "So Tu phap", "Truoc 30/11/2024", "Bao cao"],
    ]
    write_ruled_pdf(tmp_path / "kh.pdf", rows)
    ms = ingest_paths([tmp_path / "kh.pdf"]).mandates
    assert [m.action for m in ms] == ["To chuc hoi nghi quan triet", "So ket phong trao"]
    assert [a.name for a in ms[1].assignees] == ["Cong an tinh"] and ms[1].deadline.date == "2024-11-30"


def test_mandates_are_stored_as_versioned_jsonl(tmp_path):
    from ingest.store import CorpusFormatError, read_corpus, write_corpus

    corpus = ingest_paths([Path(__file__).resolve().parent.parent / "data"])
    write_corpus(corpus, tmp_path)
    lines = (tmp_path / "mandates.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(corpus.mandates) > 0 and all(
        json.loads(line)["format_version"] == 1 for line in lines
    )
    assert read_corpus(tmp_path).mandates == corpus.mandates
    (tmp_path / "mandates.jsonl").write_text(
        lines[0].replace('"format_version":1', '"format_version":99') + "\n"
    )
    with pytest.raises(CorpusFormatError):
        read_corpus(tmp_path)


def test_labelled_set_meets_the_targets():
    from index.mandate_eval import FIELDS, evaluate_mandates

    scores = evaluate_mandates()
    assert scores.labelled >= 80 and scores.traps >= 15
    assert scores.precision >= 0.95 and scores.recall >= 0.90, (
        scores.unmatched_labels,
        scores.unmatched_extractions,
    )
    assert all(scores.accuracy(name) >= 0.90 for name in FIELDS)
    assert scores.traps_extracted == []


def test_heldout_documents_meet_the_targets():
    from index.mandate_eval import FIELDS, evaluate_heldout

    scores = evaluate_heldout()
    assert scores.labelled >= 10 and scores.precision >= 0.95 and scores.recall >= 0.90
    assert all(scores.accuracy(name) >= 0.90 for name in FIELDS)


def test_preamble_request_covers_the_task_sections_not_the_aims(tmp_path):
    text = (
        "Ban Thường vụ Tỉnh ủy yêu cầu các cấp ủy, tổ chức đảng thực hiện tốt các nội dung sau đây:\n\n"
        "I. MỤC TIÊU, YÊU CẦU\n\n1. Mục tiêu\n\nNâng cao chất lượng phong trào toàn dân bảo vệ an ninh Tổ quốc.\n\n"
        "II. NHIỆM VỤ VÀ GIẢI PHÁP\n\n1. Đổi mới công tác tuyên truyền về an ninh, trật tự ở khu dân cư.\n\n"
        "2. Kiện toàn lực lượng bảo vệ an ninh, trật tự ở cơ sở trong năm 2024."
    )
    ms = mandates_of(tmp_path, text, "Chỉ thị")
    assert [m.source for m in ms] == ["request", "list", "list"]
    assert all(keys(m.assignees) == ["cap-uy", "to-chuc-dang"] for m in ms)
    assert ms[2].deadline.date == "2024-12-31" and "Mục tiêu" not in " ".join(m.text for m in ms)
