"""Export collected passages with their full citations as a Word file (python-docx) or Markdown.

Consumes paragraph ids and a Searcher; produces bytes for `.docx` or `.md` downloads. Each passage is
headed by its document's number and title, quoted verbatim, followed by its citation label
(Citation.label) and a link to the paragraph in its document page. The Word file follows the
presentation of Nghị định 30/2020/NĐ-CP (A4, margins, Times New Roman 14 pt, language vi-VN); the
Markdown escapes HTML so a renderer shows the source's text, never runs it.
Used by `POST /api/export` and by the collection page.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Literal

from docx import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ExportFormat = Literal["docx", "md"]
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}
TITLE = "Trích dẫn văn bản"
AUTHOR = "tracuu"
FONT = "Times New Roman"
FONT_SIZE = Pt(14)  # Nghị định 30/2020: body text 13-14 pt
LANGUAGE = "vi-VN"
PAGE = (Mm(210), Mm(297))  # A4
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}  # 20-25, 20-25, 30-35, 15-20 mm
# XML 1.0 forbids these; a stray one in an OCR'd source would make python-docx raise.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class UnknownParagraphs(ValueError):
    def __init__(self, ids: list[str]):
        self.ids = ids
        super().__init__("không có trong chỉ mục: " + ", ".join(ids))


@dataclass(frozen=True)
class Passage:
    paragraph_id: str
    text: str  # verbatim paragraph text
    label: str  # full citation label
    heading: str  # the document's number and title: "Kết luận 44-KL/TW: Về việc ..."
    url: str  # link to the paragraph anchor: absolute under the configured public address, else relative


def collect_passages(reader, paragraph_ids: list[str], base_url: str | None) -> list[Passage]:
    """Look every id up in what the caller may read (index.reader.Reader); raises UnknownParagraphs
    listing all ids it does not hold, a forbidden paragraph being one of them."""
    unknown = [pid for pid in paragraph_ids if reader.paragraph(pid) is None]
    if unknown:
        raise UnknownParagraphs(unknown)
    passages = []
    for pid in paragraph_ids:
        paragraph = reader.paragraph(pid)
        citation = reader.citation(pid)
        passages.append(
            Passage(
                pid,
                paragraph.text,
                citation.label,
                heading=document_heading(citation),
                url=(base_url or "").rstrip("/") + citation.url,
            )
        )
    return passages


def document_heading(citation) -> str:
    """ "Kết luận 44-KL/TW: Về việc ..."; a document without a number by its title alone."""
    name = " ".join(x for x in (citation.doc_type, citation.doc_number) if x)
    if citation.doc_number and citation.doc_title:
        return f"{name}: {citation.doc_title}"
    return citation.doc_title or name or citation.doc_id


_MD_SPECIAL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _md_text(text: str) -> str:
    """Text as Markdown shows it: HTML escaped (a source's "<b>" is shown, not rendered)."""
    return text.translate(_MD_SPECIAL)


def filename(fmt: ExportFormat, today: dt.date | None = None) -> str:
    return f"trich-dan-{(today or dt.date.today()).isoformat()}.{fmt}"


def to_markdown(passages: list[Passage]) -> bytes:
    lines = [f"# {TITLE}", ""]
    for passage in passages:
        quoted = "\n".join("> " + _md_text(line) if line else ">" for line in passage.text.splitlines())
        lines += [
            f"## {_md_text(passage.heading)}",
            "",
            quoted,
            "",
            f"— {_md_text(passage.label)}. <{passage.url}>",
            "",
        ]
    return "\n".join(lines).encode("utf-8")


def _add_hyperlink(paragraph, url: str, text: str) -> None:
    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "1F4E99")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.extend([color, underline])
    run.append(props)
    text_el = OxmlElement("w:t")
    text_el.text = text
    run.append(text_el)
    link.append(run)
    paragraph._p.append(link)


def _set_language_and_font(run_properties) -> None:
    """Times New Roman for every script and vi-VN as the proofing language on a w:rPr element."""
    fonts = run_properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run_properties.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the named one
    language = run_properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        run_properties.append(language)
    language.set(qn("w:val"), LANGUAGE)
    language.set(qn("w:eastAsia"), LANGUAGE)


def _office_layout(document) -> None:
    for section in document.sections:
        section.page_width, section.page_height = PAGE
        section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
        section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    defaults = document.styles.element.find(qn("w:docDefaults"))
    _set_language_and_font(
        defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    )  # python-docx's template has both
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = document.styles[style_name]
        style.font.name = FONT
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.size = FONT_SIZE if style_name in ("Normal", "Heading 2") else Pt(16)
        _set_language_and_font(style.element.get_or_add_rPr())
    document.styles["Normal"].paragraph_format.space_after = Pt(6)


def to_docx(passages: list[Passage], today: dt.datetime | None = None) -> bytes:
    document = DocxDocument()
    _office_layout(document)
    properties = document.core_properties
    properties.title, properties.author, properties.last_modified_by = TITLE, AUTHOR, AUTHOR
    properties.language = LANGUAGE
    properties.created = properties.modified = today or dt.datetime.now(dt.UTC).replace(microsecond=0)
    properties.comments = properties.subject = properties.keywords = ""
    document.add_heading(TITLE, level=1)
    for passage in passages:
        document.add_heading(_XML_INVALID.sub("", passage.heading), level=2)
        quote = document.add_paragraph(_XML_INVALID.sub("", passage.text))
        quote.paragraph_format.left_indent = Pt(18)
        source = document.add_paragraph()
        source.paragraph_format.space_after = Pt(12)
        label = source.add_run("— " + _XML_INVALID.sub("", passage.label) + ". ")
        label.italic = True
        if passage.url.startswith(("http://", "https://")):
            _add_hyperlink(source, passage.url, passage.url)
        else:  # no public address configured: the path, which a reader can open on the app's site
            source.add_run(passage.url)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render(passages: list[Passage], fmt: ExportFormat) -> bytes:
    return to_docx(passages) if fmt == "docx" else to_markdown(passages)
