"""The ingest pipeline: files and folders -> a `Corpus` of documents and cited paragraphs.

Consumes paths (files or folders, read recursively); produces a `Corpus`: documents with
metadata and references, paragraphs with stable ids, sections, kinds, offsets and canonical ids
for near-duplicates, and the files (or JSONL lines) skipped with their reasons. One bad file never
stops the others: every failure becomes a `SkippedFile`.

Per document: read (readers) -> clean -> structure -> metadata (content, then JSONL/sidecar values,
which win) -> paragraphs + references. Across documents: fill missing metadata from citations,
link references to corpus documents, link near-duplicate paragraphs.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from ingest.access_level import FolderAccess
from ingest.clean import clean_text
from ingest.dedupe import link_duplicates, mark_attached_copies
from ingest.doctypes import NEWS_TYPE
from ingest.errors import ReadError
from ingest.gapfill import fill_from_references
from ingest.given import read_sidecar
from ingest.ids import paragraph_ids, paragraph_prefix, slugify, unique_doc_id
from ingest.limits import IngestLimits
from ingest.metadata import apply_given, content_metadata
from ingest.models import AccessLevel, Corpus, Document, Paragraph, SkippedFile
from ingest.ocr import mark_ocr_paragraphs
from ingest.raw import RawDocument
from ingest.readers import SUPPORTED_SUFFIXES, read_path
from ingest.reference_links import attached_references, link_references
from ingest.references import find_references
from ingest.structure import structure

log = logging.getLogger(__name__)
SIDECAR_SUFFIX = ".meta.json"


@dataclass
class _Built:
    document: Document
    paragraphs: list[Paragraph]
    part_numbers: dict[str, str | None]
    issuer_aliases: list[str]


def collect_files(paths: list[Path]) -> tuple[list[Path], list[SkippedFile]]:
    """Expand folders recursively (hidden files and metadata sidecars left out), drop repeats."""
    files: list[Path] = []
    skipped: list[SkippedFile] = []
    seen: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            found = []
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in file.relative_to(path).parts):
                    continue
                if file.name.endswith(SIDECAR_SUFFIX):
                    continue
                if file.suffix.lower() not in SUPPORTED_SUFFIXES:
                    skipped.append(
                        SkippedFile(
                            path=str(file),
                            reason=f"định dạng không hỗ trợ ({file.suffix or 'không có đuôi'})",
                        )
                    )
                    continue
                found.append(file)
        elif path.is_file():
            found = [path]
        else:
            skipped.append(SkippedFile(path=str(path), reason="không tìm thấy tệp hoặc thư mục"))
            continue
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files, skipped


def ingest_paths(paths: list[Path], progress: bool = False, limits: IngestLimits = IngestLimits()) -> Corpus:
    files, skipped = collect_files(paths)
    built: list[_Built] = []
    taken: dict[str, str] = {}  # doc_id -> where it came from
    folders = FolderAccess()
    for file in _progress(files, progress):
        try:
            folder_access = folders.of(file)  # first: a bad .access.json skips the file before reading it
            result = read_path(file, limits)
            sidecar, sidecar_access = read_sidecar(file)
        except ReadError as exc:
            skipped.append(SkippedFile(path=str(file), reason=exc.reason))
            continue
        except Exception as exc:  # a bug or an OS error on one file must not lose the others
            log.exception("reading %s failed", file)
            skipped.append(SkippedFile(path=str(file), reason=f"lỗi khi đọc ({type(exc).__name__}: {exc})"))
            continue
        skipped.extend(result.problems)
        for raw in result.documents:
            if sidecar:
                raw.given_metadata = {**raw.given_metadata, **sidecar}
                raw.given_source = "sidecar"
                if "id" in sidecar:
                    raw.id_hint, raw.given_id = raw.given_metadata.pop("id"), True
            access = _access_of(raw, sidecar_access, folder_access)
            try:
                item = _build_document(raw, taken, access)
            except ReadError as exc:
                skipped.append(SkippedFile(path=raw.source_path, reason=exc.reason))
                continue
            except Exception as exc:  # a bug on one odd document must not lose the others
                log.exception("ingest failed on %s", raw.source_path)
                skipped.append(
                    SkippedFile(path=raw.source_path, reason=f"lỗi khi xử lý ({type(exc).__name__}: {exc})")
                )
                continue
            taken[item.document.doc_id] = raw.source_path
            built.append(item)
    documents = [b.document for b in built]
    paragraphs = [p for b in built for p in b.paragraphs]
    fill_from_references(documents, {b.document.doc_id: b.issuer_aliases for b in built})
    link_references(documents)
    part_numbers = {pid: number for b in built for pid, number in b.part_numbers.items()}
    doc_numbers = {d.doc_id: d.number for d in documents}
    mark_attached_copies(paragraphs, part_numbers, doc_numbers)
    attached_references(documents, paragraphs)
    link_duplicates(paragraphs, doc_numbers)
    from ingest.mandates import extract_mandates  # who must do what (issue 17)

    return Corpus(
        documents=documents,
        paragraphs=paragraphs,
        skipped=skipped,
        mandates=extract_mandates(documents, paragraphs),
    )


def _progress(files: list[Path], enabled: bool):
    if not enabled or not files:
        return files
    if not sys.stderr.isatty():  # a log file or a pipe: plain lines, not a redrawn bar
        return _plain_progress(files)
    from rich.progress import track

    return track(files, description="Đang đọc văn bản", transient=False, console=_stderr_console())


def _plain_progress(files: list[Path]):
    step = max(1, len(files) // 20)
    for number, file in enumerate(files, 1):
        if number == 1 or number % step == 0 or number == len(files):
            print(f"Đang đọc văn bản {number}/{len(files)}: {file}", file=sys.stderr, flush=True)
        yield file


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _doc_id(raw: RawDocument, taken: dict[str, str]) -> str:
    """The given id exactly (a repeat is an error naming both places), else a unique slug of the file name."""
    if raw.given_id:
        if raw.id_hint in taken:
            raise ReadError(
                f"id '{raw.id_hint}' trùng với văn bản ở {taken[raw.id_hint]}; mỗi id chỉ được dùng một lần"
            )
        return raw.id_hint
    return unique_doc_id(slugify(raw.id_hint), raw.source_path, taken)


def _access_of(
    raw: RawDocument, sidecar: AccessLevel | None, folder: tuple[AccessLevel, str] | None
) -> tuple[AccessLevel, str]:
    """The most specific level given: the JSONL record's, the sidecar's, the nearest folder's, else public."""
    if raw.access is not None:
        return raw.access, "jsonl"
    if sidecar is not None:
        return sidecar, "sidecar"
    return folder if folder is not None else ("public", "default")


def _build_document(raw: RawDocument, taken: dict[str, str], access: tuple[AccessLevel, str]) -> _Built:
    blocks = clean_text(raw.text)
    if not blocks:
        raise ReadError("không còn nội dung sau khi làm sạch (nothing but page furniture)")
    structured = structure(blocks)
    if raw.captions:
        marked = {" ".join(c.split()) for c in raw.captions}
        for unit in structured.units:
            if unit.kind == "body" and unit.flat in marked:
                unit.kind = "caption"
    meta = content_metadata(structured)
    if raw.given_metadata:
        apply_given(meta, raw.given_metadata, raw.given_source)
    doc_id = _doc_id(raw, taken)
    units = [u for u in structured.units if u.text.strip()]
    texts = [u.text for u in units]
    ids = paragraph_ids(paragraph_prefix(doc_id), texts)
    paragraphs: list[Paragraph] = []
    part_numbers: dict[str, str | None] = {}
    offset = 0
    for order, (unit, pid) in enumerate(zip(units, ids)):
        start = offset
        end = start + len(unit.text)
        paragraphs.append(
            Paragraph(
                paragraph_id=pid,
                doc_id=doc_id,
                order=order,
                text=unit.text,
                section=unit.section,
                kind=unit.kind,
                start=start,
                end=end,
            )
        )
        part_numbers[pid] = structured.parts[unit.part].number
        offset = end + 2
    mark_ocr_paragraphs(paragraphs, raw.ocr_texts)
    document = Document(
        doc_id=doc_id,
        source_path=raw.source_path,
        source_sha256=raw.sha256,
        text="\n\n".join(texts),
        metadata_sources={**meta.sources, **({"access": access[1]} if access[1] != "default" else {})},
        access=access[0],
        **{
            name: meta.values.get(name)
            for name in ("number", "doc_type", "title", "issuer", "date", "signer", "place", "source_name")
        },
    )
    document.references = find_references(
        paragraphs, own_number=document.number, news=document.doc_type == NEWS_TYPE
    )
    return _Built(document, paragraphs, part_numbers, meta.issuer_aliases)
