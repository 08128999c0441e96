"""Readers: one per file format, from raw bytes on disk to `RawDocument`s (text + given metadata).

Consumes a path (.txt .md .html/.htm .docx .doc .pdf .jsonl); produces a `ReadResult` holding the raw
documents read and the parts that could not be read (a bad JSONL line) as `SkippedFile`s. A file that
cannot be read at all raises `ReadError` with a reason fit to show a user; the pipeline turns it into
a `SkippedFile` and goes on with the other files.

The text keeps the source's line structure: blocks separated by blank lines, leading indentation kept
(the cleaner and the caption detector use both).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ingest.encoding import decode_text
from ingest.errors import ReadError
from ingest.given import read_jsonl
from ingest.legacy_doc import read_doc
from ingest.limits import IngestLimits, megabytes
from ingest.raw import RawDocument, ReadResult, too_big
from ingest.tables import (
    assignment_rows,
    docx_rows,
    keep_html_assignment_tables,
    pdf_pages_with_assignment_tables,
)

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".docx", ".doc", ".pdf", ".jsonl"}


def read_path(path: Path, limits: IngestLimits = IngestLimits()) -> ReadResult:
    """Read one file; raises ReadError when nothing in it can be read."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReadError(
            f"định dạng không hỗ trợ ({suffix or 'không có đuôi'}); đọc được: "
            + ", ".join(sorted(SUPPORTED_SUFFIXES))
        )
    try:
        size = path.stat().st_size
        # JSONL holds many documents: its bound is per record; PDF pages carry images, so its text is checked
        raw_limit = (
            2 * limits.max_text_bytes if suffix in TEXT_SUFFIXES else limits.max_raw_bytes
        )  # 2: UTF-16
        if suffix not in (".jsonl", ".pdf") and size > raw_limit:
            raise ReadError(too_big(size, raw_limit))
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"không đọc được tệp: {exc.strerror or exc}") from exc
    if not data.strip():
        raise ReadError("tệp rỗng (empty file)")
    digest = hashlib.sha256(data).hexdigest()
    if suffix == ".jsonl":
        return read_jsonl(path, data, limits)
    if suffix in TEXT_SUFFIXES:
        text = decode_text(data)
    elif suffix in HTML_SUFFIXES:
        text, meta, captions = _read_html(data)
        raw = _raw(path, text, digest, meta, limits)
        raw.captions = captions
        return ReadResult([raw])
    elif suffix == ".docx":
        text = _read_docx(path, limits)
    elif suffix == ".doc":
        text = read_doc(path, lambda converted: _read_docx(converted, limits))
    else:
        text, ocr_texts = _read_pdf(path)
        raw = _raw(path, text, digest, {}, limits)
        raw.ocr_texts = ocr_texts
        return ReadResult([raw])
    return ReadResult([_raw(path, text, digest, {}, limits)])


def _raw(path: Path, text: str, digest: str, meta: dict[str, str], limits: IngestLimits) -> RawDocument:
    if not text.strip():
        raise ReadError("không có nội dung văn bản (no text content)")
    if len(text.encode("utf-8")) > limits.max_text_bytes:
        raise ReadError(too_big(len(text.encode("utf-8")), limits.max_text_bytes))
    return RawDocument(
        source_path=str(path), text=text, sha256=digest, id_hint=path.stem, given_metadata=meta
    )


def _read_html(data: bytes) -> tuple[str, dict[str, str], list[str]]:
    import lxml.html
    import trafilatura

    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", decode_text(data, markup=True))  # lxml refuses str + declaration
    try:
        tree = lxml.html.fromstring(html)
    except Exception as exc:  # lxml raises ParserError/ValueError on documents with no elements
        raise ReadError(f"HTML không đọc được (unparsable HTML): {exc}") from exc
    # trafilatura drops <figure>; as plain paragraphs the photo captions survive, and we know they are
    # captions
    captions = [" ".join(el.text_content().split()) for el in tree.iter("figcaption")]
    for element in tree.iter("figcaption"):
        element.tag = "p"
    for element in tree.iter("figure"):
        element.tag = "div"
    keep_html_assignment_tables(tree)  # one row of a "chủ trì" table -> one paragraph
    extracted = trafilatura.bare_extraction(
        tree, include_tables=True, include_comments=False, favor_recall=True, with_metadata=True
    )
    text = getattr(extracted, "text", None) if extracted is not None else None
    if not text:
        # Very short pages defeat trafilatura's boilerplate heuristics; fall back to lxml's text.
        tree = lxml.html.fromstring(html)
        for bad in tree.xpath("//script|//style|//noscript"):
            bad.drop_tree()
        text = "\n".join(line.strip() for line in tree.text_content().splitlines())
        extracted = None
    # trafilatura writes one paragraph per line; blank lines make the block structure explicit.
    blocks = [line for line in text.splitlines() if line.strip()]
    meta: dict[str, str] = {}
    if extracted is not None:
        if extracted.title:
            meta["title"] = extracted.title.strip()
            if blocks and blocks[0].strip() != meta["title"]:
                blocks.insert(0, meta["title"])
        if extracted.date:
            meta["date"] = extracted.date
        if extracted.sitename:
            meta["source"] = extracted.sitename
    return "\n\n".join(blocks), meta, [c for c in captions if c]


def _check_docx_size(path: Path, limits: IngestLimits) -> None:
    """Refuse a .docx whose XML unpacks past the limit (a zip bomb) before python-docx inflates it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(i.file_size for i in archive.infolist() if i.filename.endswith((".xml", ".rels")))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError(f"tệp .docx hỏng (corrupt .docx): {exc}") from exc
    if unpacked > limits.max_docx_xml_bytes:
        raise ReadError(
            f"tệp .docx giải nén ra {megabytes(unpacked)} XML, quá giới hạn "
            f"{megabytes(limits.max_docx_xml_bytes)} (tệp nén bất thường, có thể là zip bomb)"
        )


def _read_docx(path: Path, limits: IngestLimits) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    _check_docx_size(path, limits)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ReadError(f"tệp .docx hỏng hoặc không phải Word (corrupt .docx): {exc}") from exc
    except Exception as exc:  # zipfile.BadZipFile and friends
        raise ReadError(f"tệp .docx hỏng (corrupt .docx): {exc}") from exc
    blocks: list[str] = []
    # Body order matters: administrative headers are often a two-column table above the text.
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(DocxParagraph(child, document).text)
        elif tag == "tbl":
            assignments = assignment_rows(docx_rows(Table(child, document)))  # one row -> one mandate
            if assignments is not None:
                blocks.extend(assignments)
                continue
            for row in Table(child, document).rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    blocks.append(cell.text)
    return "\n\n".join(b.strip("\n") for b in blocks if b.strip())


def _read_pdf(path: Path) -> tuple[str, list[str]]:
    """The PDF's text and, apart, the texts of the pages recognised by OCR (pages without a text layer)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from ingest.ocr import pages_to_recognise, recognise_pages

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:
                raise ReadError("PDF được mã hóa, không đọc được (encrypted PDF)") from exc
        pages = [page.extract_text() or "" for page in reader.pages]
        pages = pdf_pages_with_assignment_tables(path, pages)  # a "chủ trì" table: one row per paragraph
    except ReadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ReadError(f"PDF hỏng, không đọc được (unreadable PDF): {exc}") from exc
    recognised = recognise_pages(path, pages_to_recognise(path, pages))
    for page in recognised:
        pages[page.number - 1] = page.text
    if not any(p.strip() for p in pages):
        raise ReadError("PDF không có lớp chữ và không nhận dạng (OCR) được chữ nào (trang trắng?)")
    # Page boundaries become block boundaries; the cleaner rejoins sentences split by them.
    return "\n\n".join(p.strip("\n") for p in pages if p.strip()), [p.text for p in recognised if p.text]
