"""Export collected passages with their full citations as a Word file (python-docx) or Markdown.

Consumes paragraph ids and a Searcher; produces bytes for `.docx` or `.md` downloads. Each
passage is quoted verbatim, followed by its citation label (Citation.label) and a link to the
paragraph in its document page. Used by `POST /api/export` and by the collection page.
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
from docx.shared import Pt, RGBColor

ExportFormat = Literal["docx", "md"]
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}
TITLE = "Trích dẫn văn bản"
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
    url: str  # link to the paragraph anchor: absolute under the configured public address, else relative


def collect_passages(searcher, paragraph_ids: list[str], base_url: str | None) -> list[Passage]:
    """Look every id up; raises UnknownParagraphs listing all ids the index does not hold."""
    unknown = [pid for pid in paragraph_ids if searcher.paragraph(pid) is None]
    if unknown:
        raise UnknownParagraphs(unknown)
    passages = []
    for pid in paragraph_ids:
        paragraph = searcher.paragraph(pid)
        citation = searcher.citation(pid)
        passages.append(Passage(pid, paragraph.text, citation.label, (base_url or "").rstrip("/") + citation.url))
    return passages


def filename(fmt: ExportFormat, today: dt.date | None = None) -> str:
    return f"trich-dan-{(today or dt.date.today()).isoformat()}.{fmt}"


def to_markdown(passages: list[Passage]) -> bytes:
    lines = [f"# {TITLE}", ""]
    for number, passage in enumerate(passages, 1):
        quoted = "\n".join("> " + line if line else ">" for line in passage.text.splitlines())
        lines += [f"## Đoạn {number}", "", quoted, "", f"— {passage.label}. <{passage.url}>", ""]
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


def to_docx(passages: list[Passage]) -> bytes:
    document = DocxDocument()
    document.core_properties.title = TITLE
    document.add_heading(TITLE, level=1)
    for number, passage in enumerate(passages, 1):
        document.add_heading(f"Đoạn {number}", level=2)
        quote = document.add_paragraph(_XML_INVALID.sub("", passage.text))
        quote.paragraph_format.left_indent = Pt(18)
        source = document.add_paragraph()
        source.paragraph_format.space_after = Pt(12)
        label = source.add_run("— " + _XML_INVALID.sub("", passage.label) + ". ")
        label.italic = True
        label.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
        if passage.url.startswith(("http://", "https://")):
            _add_hyperlink(source, passage.url, passage.url)
        else:  # no public address configured: the path, which a reader can open on the app's site
            source.add_run(passage.url)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render(passages: list[Passage], fmt: ExportFormat) -> bytes:
    return to_docx(passages) if fmt == "docx" else to_markdown(passages)
