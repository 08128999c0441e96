"""search_app.export on hand-made passages, and the .docx read back: Nghị định 30/2020 presentation
(A4, margins, Times New Roman 13-14 pt, vi-VN), core properties, headings, citations, escaped Markdown."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document as DocxDocument
from docx.oxml.ns import qn

from search_app.export import Passage, filename, to_docx, to_markdown

PASSAGES = [
    Passage(
        "p1",
        "Dòng một;\nDòng hai <b>không phải HTML</b>",
        "Kết luận số 44-KL/TW ngày 22/01/2019 của Ban Bí thư, mục 3",
        heading="Kết luận 44-KL/TW: Về việc tiếp tục đẩy mạnh",
        url="http://127.0.0.1:8000/documents/kl44#p-p1",
    ),
    Passage(
        "p2",
        "OCR\x0bslip\x00 “thể trận”",
        "Công văn số 48/LĐLĐ ngày 06/03/2019",
        heading="Công văn 48/LĐLĐ: <i>Về</i>",
        url="/documents/cv48#p-p2",
    ),
]


def test_markdown_quotes_every_line_escapes_html_and_cites():
    text = to_markdown(PASSAGES).decode("utf-8")
    assert "> Dòng một;\n> Dòng hai &lt;b&gt;không phải HTML&lt;/b&gt;" in text and "<b>" not in text
    assert (
        "## Kết luận 44-KL/TW: Về việc tiếp tục đẩy mạnh" in text
        and "## Công văn 48/LĐLĐ: &lt;i&gt;Về&lt;/i&gt;" in text
    )
    assert (
        "— Kết luận số 44-KL/TW ngày 22/01/2019 của Ban Bí thư, mục 3. <http://127.0.0.1:8000/documents/kl44#p-p1>"
        in text
    )
    assert text.index("Dòng một") < text.index("OCR")


def test_docx_keeps_text_drops_only_xml_illegal_characters_and_links():
    document = DocxDocument(io.BytesIO(to_docx(PASSAGES)))
    paragraphs = [p.text for p in document.paragraphs]
    assert "Dòng một;\nDòng hai <b>không phải HTML</b>" in paragraphs
    assert "OCRslip “thể trận”" in paragraphs
    assert any(p.startswith("— Công văn số 48/LĐLĐ ngày 06/03/2019.") for p in paragraphs)
    links = {rel.target_ref for rel in document.part.rels.values() if rel.is_external}
    assert links == {PASSAGES[0].url}  # a relative link is written as text, not as a broken hyperlink
    assert any(PASSAGES[1].url in p for p in paragraphs)


def test_docx_is_laid_out_for_a_vietnamese_office():
    created = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)
    raw = to_docx(PASSAGES, today=created)
    document = DocxDocument(io.BytesIO(raw))
    for section in document.sections:
        assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297  # A4
        assert 20 <= round(section.top_margin.mm) <= 25 and 20 <= round(section.bottom_margin.mm) <= 25
        assert 30 <= round(section.left_margin.mm) <= 35 and 15 <= round(section.right_margin.mm) <= 20
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and 13 <= normal.font.size.pt <= 14
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")} == {"Times New Roman"}
    styles_xml = zipfile.ZipFile(io.BytesIO(raw)).read("word/styles.xml").decode()
    defaults = styles_xml[styles_xml.index("<w:docDefaults>") : styles_xml.index("</w:docDefaults>")]
    assert 'w:lang w:val="vi-VN"' in defaults and "en-US" not in styles_xml
    properties = document.core_properties
    assert (
        properties.title == "Trích dẫn văn bản"
        and properties.author == "tracuu"
        and properties.language == "vi-VN"
    )
    assert properties.created == created.replace(tzinfo=None) or properties.created == created
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == [PASSAGES[0].heading, PASSAGES[1].heading]
    for heading in document.paragraphs:
        if heading.style.name.startswith("Heading"):
            assert heading.style.font.name == "Times New Roman"
    texts = [p.text for p in document.paragraphs]
    # each passage: heading, quote, citation in that order
    i = texts.index(PASSAGES[0].heading)
    assert texts[i + 1] == PASSAGES[0].text and texts[i + 2].startswith("— " + PASSAGES[0].label)


def test_filename_is_fixed_not_user_controlled():
    assert filename("docx").startswith("trich-dan-") and filename("md").endswith(".md")
