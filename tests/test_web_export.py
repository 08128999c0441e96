"""search_app.export on hand-made passages: verbatim quotes, citations, links, awkward characters."""

from __future__ import annotations

import io

from docx import Document as DocxDocument

from search_app.export import Passage, filename, to_docx, to_markdown

PASSAGES = [
    Passage("p1", "Dòng một;\nDòng hai <b>không phải HTML</b>", "Kết luận 44-KL/TW của Ban Bí thư, 22/01/2019, mục 3",
            "http://127.0.0.1:8000/documents/kl44#p-p1"),
    Passage("p2", "OCR\x0bslip\x00 “thể trận”", "Công văn 48/LĐLĐ, 06/03/2019", "http://127.0.0.1:8000/documents/cv48#p-p2"),
]


def test_markdown_quotes_every_line_and_cites():
    text = to_markdown(PASSAGES).decode("utf-8")
    assert "> Dòng một;\n> Dòng hai <b>không phải HTML</b>" in text
    assert "— Kết luận 44-KL/TW của Ban Bí thư, 22/01/2019, mục 3. <http://127.0.0.1:8000/documents/kl44#p-p1>" in text
    assert text.index("Dòng một") < text.index("OCR")


def test_docx_keeps_text_drops_only_xml_illegal_characters_and_links():
    document = DocxDocument(io.BytesIO(to_docx(PASSAGES)))
    paragraphs = [p.text for p in document.paragraphs]
    assert "Dòng một;\nDòng hai <b>không phải HTML</b>" in paragraphs
    assert "OCRslip “thể trận”" in paragraphs
    assert any(p.startswith("— Công văn 48/LĐLĐ, 06/03/2019.") for p in paragraphs)
    links = {rel.target_ref for rel in document.part.rels.values() if rel.is_external}
    assert links == {p.url for p in PASSAGES}


def test_filename_is_fixed_not_user_controlled():
    assert filename("docx").startswith("trich-dan-") and filename("md").endswith(".md")
