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
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.encoding import decode_text
from ingest.errors import ReadError
from ingest.legacy_doc import read_doc
from ingest.limits import IngestLimits, megabytes
from ingest.models import SkippedFile
from ingest.tables import (
    assignment_rows,
    docx_rows,
    keep_html_assignment_tables,
    pdf_pages_with_assignment_tables,
)

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".docx", ".doc", ".pdf", ".jsonl"}
JSONL_META_FIELDS = ("number", "type", "issuer", "date", "signer", "title", "place", "source")
MAX_GIVEN_ID = 200  # characters: an id is a key to join on, not a text


@dataclass
class RawDocument:
    source_path: str
    text: str
    sha256: str
    id_hint: str  # file stem, or the id given in a JSONL line
    given_id: bool = False  # True when the id came from the data (JSONL), not the file name
    given_metadata: dict[str, str] = field(default_factory=dict)  # JSONL fields / sidecar file
    given_source: str = (
        "content"  # where given_metadata came from: "jsonl", "sidecar" or "content" (HTML meta)
    )
    captions: list[str] = field(
        default_factory=list
    )  # texts the markup itself marks as captions (<figcaption>)
    ocr_texts: list[str] = field(
        default_factory=list
    )  # texts of the PDF pages recognised by OCR (ingest.ocr)


@dataclass
class ReadResult:
    documents: list[RawDocument] = field(default_factory=list)
    problems: list[SkippedFile] = field(default_factory=list)


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
            raise ReadError(_too_big(size, raw_limit))
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"không đọc được tệp: {exc.strerror or exc}") from exc
    if not data.strip():
        raise ReadError("tệp rỗng (empty file)")
    digest = hashlib.sha256(data).hexdigest()
    if suffix == ".jsonl":
        return _read_jsonl(path, data, limits)
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


def _too_big(size: int, limit: int) -> str:
    return (
        f"tệp quá lớn ({megabytes(size)} > giới hạn {megabytes(limit)}); "
        "tăng TRACUU_MAX_FILE_MB hoặc chia nhỏ tệp"
    )


def _raw(path: Path, text: str, digest: str, meta: dict[str, str], limits: IngestLimits) -> RawDocument:
    if not text.strip():
        raise ReadError("không có nội dung văn bản (no text content)")
    if len(text.encode("utf-8")) > limits.max_text_bytes:
        raise ReadError(_too_big(len(text.encode("utf-8")), limits.max_text_bytes))
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


def _jsonl_lines(data: bytes):
    """(line number, text or None when the line is not UTF-8) per line; a BOM or UTF-16 file is decoded whole."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\x00\x00" in data[:4096]:
        yield from enumerate(decode_text(data).splitlines(), 1)
        return
    for number, raw in enumerate(data.split(b"\n"), 1):
        try:
            yield number, raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError:
            yield number, None


def _read_jsonl(path: Path, data: bytes, limits: IngestLimits) -> ReadResult:
    result = ReadResult()
    for number, line in _jsonl_lines(data):
        where = f"{path}:{number}"
        try:
            record = _jsonl_record(number, line, limits)
        except ReadError as exc:
            result.problems.append(SkippedFile(path=where, reason=exc.reason))
            continue
        if record is None:
            continue
        meta = {k: str(record[k]).strip() for k in JSONL_META_FIELDS if record.get(k)}
        result.documents.append(
            RawDocument(
                source_path=where,
                text=str(record["text"]),
                sha256=hashlib.sha256(line.encode("utf-8")).hexdigest(),
                id_hint=given_id(record["id"], f"dòng {number}"),
                given_id=True,
                given_metadata=meta,
                given_source="jsonl",
            )
        )
    if not result.documents and not result.problems:
        raise ReadError("tệp JSONL không có dòng nào")
    return result


def _jsonl_record(number: int, line: str | None, limits: IngestLimits) -> dict | None:
    """One JSONL line as a record; None for a blank line; ReadError saying what is wrong with it."""
    if line is None:
        raise ReadError(f"dòng {number}: không phải UTF-8")
    if not line.strip():
        return None
    if "\x00" in line:
        raise ReadError(f"dòng {number}: có ký tự NUL (dữ liệu nhị phân)")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ReadError(f"dòng {number}: JSON không hợp lệ ({exc.msg})") from exc
    if not isinstance(record, dict):
        raise ReadError(f"dòng {number}: không phải đối tượng JSON")
    missing = [k for k in ("id", "text") if not str(record.get(k) or "").strip()]
    if missing:
        raise ReadError(f"dòng {number}: thiếu trường {', '.join(missing)}")
    if len(str(record["text"]).encode("utf-8")) > limits.max_text_bytes:
        raise ReadError(
            f"dòng {number}: " + _too_big(len(str(record["text"]).encode("utf-8")), limits.max_text_bytes)
        )
    given_id(record["id"], f"dòng {number}")
    return record


def given_id(value, where: str) -> str:
    """An id given in the data, kept exactly; refused when it cannot serve as a key."""
    text = str(value)
    if not text.strip() or len(text) > MAX_GIVEN_ID or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ReadError(
            f"{where}: id không hợp lệ (rỗng, có ký tự điều khiển, hoặc dài hơn {MAX_GIVEN_ID} ký tự)"
        )
    return text


def read_sidecar(path: Path) -> dict[str, str]:
    """Metadata given next to a document as `<file>.meta.json` (e.g. `report.pdf.meta.json`)."""
    sidecar = path.with_name(path.name + ".meta.json")
    if not sidecar.is_file():
        return {}
    try:
        record = json.loads(decode_text(sidecar.read_bytes()))
    except (ReadError, json.JSONDecodeError) as exc:
        raise ReadError(f"tệp siêu dữ liệu {sidecar.name} không hợp lệ: {exc}") from exc
    if not isinstance(record, dict):
        raise ReadError(f"tệp siêu dữ liệu {sidecar.name} phải là một đối tượng JSON")
    meta = {k: str(record[k]).strip() for k in JSONL_META_FIELDS if record.get(k)}
    if record.get("id") is not None:
        meta["id"] = given_id(record["id"], f"tệp siêu dữ liệu {sidecar.name}")
    return meta
