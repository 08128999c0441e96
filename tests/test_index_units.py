"""What the dense retriever embeds: each paragraph with its document's name and title, the heading of
the section it stands in, and its section number (index.dense.make_units)."""

import pytest

from index.dense import make_units, sentence_spans, split_sentence_spans
from ingest.models import Document, Paragraph


def _paragraphs(
    doc_id: str, rows: list[tuple[str, str, str]], attached: str | None = None
) -> list[Paragraph]:
    out, offset = [], 0
    for order, (kind, section, text) in enumerate(rows):
        out.append(
            Paragraph(
                paragraph_id=f"{doc_id}-{order}",
                doc_id=doc_id,
                order=order,
                text=text,
                section=section,
                kind=kind,
                start=offset,
                end=offset + len(text),
                attached_number=attached,
            )
        )
        offset += len(text) + 2
    return out


def _document(doc_id: str, **fields) -> Document:
    return Document(doc_id=doc_id, source_path=f"{doc_id}.txt", source_sha256="0", text="", **fields)


def test_units_carry_the_heading_of_their_section():
    law = _document("luat", title="91/2015/QH13")
    article = _paragraphs(
        "luat",
        [
            ("heading", "", "Trách nhiệm do chậm thực hiện nghĩa vụ trả tiền"),
            ("body", "1", "1. Trường hợp bên có nghĩa vụ chậm trả tiền thì bên đó phải trả lãi."),
        ],
    )
    directive = _document(
        "ct", doc_type="Chỉ thị", number="09-CT/TW", title="Về tăng cường sự lãnh đạo của Đảng"
    )
    sections = _paragraphs(
        "ct",
        [
            (
                "heading",
                "",
                "Về tăng cường sự lãnh đạo của Đảng",
            ),  # the title line: not repeated as a heading
            ("body", "", "Thời gian qua, phong trào đã đạt nhiều kết quả."),
            ("heading", "II", "II- Nhiệm vụ và giải pháp"),
            ("heading", "II.1", "1- Nâng cao nhận thức"),
            ("body", "II.1", "Các cấp ủy đảng phải coi trọng công tác này."),
            ("body", "II.2", "2- Đổi mới nội dung, hình thức của phong trào."),
            ("body", "III", "III- Tổ chức thực hiện các nhiệm vụ."),
        ],
    )
    texts = [u.text for u in make_units({"luat": law, "ct": directive}, article + sections)]
    assert texts[0] == "91/2015/QH13. Trách nhiệm do chậm thực hiện nghĩa vụ trả tiền"
    assert texts[1].startswith(
        "91/2015/QH13. Trách nhiệm do chậm thực hiện nghĩa vụ trả tiền (mục 1). 1. Trường hợp"
    )
    assert (
        texts[3]
        == "Chỉ thị 09-CT/TW: Về tăng cường sự lãnh đạo của Đảng. Thời gian qua, phong trào đã đạt nhiều kết quả."
    )
    assert "1- Nâng cao nhận thức (mục II.1). Các cấp ủy" in texts[6]  # the nearest enclosing heading
    assert (
        "II- Nhiệm vụ và giải pháp (mục II.2). 2- Đổi mới" in texts[7]
    )  # II.1's heading does not enclose II.2
    assert "Nhiệm vụ" not in texts[8] and "(mục III). III- Tổ chức" in texts[8]


def test_attached_copy_units_have_no_heading_of_the_other_document():
    letter = _document(
        "cv", doc_type="Công văn", number="48/LĐLĐ", title="Tổ chức quán triệt Kết luận số 44-KL/TW"
    )
    copy = _paragraphs(
        "cv",
        [
            ("heading", "", "về việc tiếp tục đẩy mạnh thực hiện Chỉ thị số 09-CT/TW"),
            ("body", "2.4", "2.4. Quan tâm xây dựng lực lượng nòng cốt."),
        ],
        attached="44-KL/TW",
    )
    texts = [u.text for u in make_units({"cv": letter}, copy)]
    assert (
        texts[1]
        == "Công văn 48/LĐLĐ: Tổ chức quán triệt Kết luận số 44-KL/TW (mục 2.4). 2.4. Quan tâm xây dựng lực lượng nòng cốt."
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Một câu",
        "  Một câu.  ",
        "Một câu...",
        "Hỏi gì?!",
        "Câu một. Câu hai",
        "Giá 1.500.000 đồng",
        "Điều 1. Phạm vi",
        "a. Nội dung;\nb. Thời hạn.",
        "Hết…",
    ],
)
def test_a_single_sentence_is_found_as_the_splitter_finds_it(text):
    assert sentence_spans(text) == split_sentence_spans(text)


def test_sentence_spans_match_the_splitter_on_every_bundled_paragraph(bundled_corpus):
    texts = [p.text for p in bundled_corpus.paragraphs]
    assert [sentence_spans(t) for t in texts] == [split_sentence_spans(t) for t in texts]
