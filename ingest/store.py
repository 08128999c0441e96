"""Write and read a `Corpus` as inspectable JSONL (one pydantic record per line, pickle-free).

Consumes a `Corpus` and a folder; produces `documents.jsonl`, `paragraphs.jsonl` and
`skipped.jsonl` in it (each file written to a temporary name and renamed, so a crash never leaves
a half-written file), and reads them back. Every record carries `format_version`; a record of
another version is refused with a clear error instead of being misread.

An index build writes the paragraphs instead as `paragraphs.columns.json` (`write_paragraph_columns`):
one JSON object of columns (one per `Paragraph` field), without the texts that are slices of their
document's text. When a folder holds it, `read_corpus` trusts the folder (the build wrote and validated every
record) and skips per-record pydantic validation: documents are `model_construct`ed and paragraphs
are a `ParagraphTable` that builds each `Paragraph` on first access: per-record validation was most
of the index load (docs/decisions/0015-index-load.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ingest.models import (
    FORMAT_VERSION,
    MANDATE_FORMAT_VERSION,
    Corpus,
    Document,
    Mandate,
    Paragraph,
    Reference,
    SkippedFile,
)

DOCUMENTS_FILE = "documents.jsonl"
PARAGRAPHS_FILE = "paragraphs.jsonl"
SKIPPED_FILE = "skipped.jsonl"
MANDATES_FILE = "mandates.jsonl"  # ingest/mandates.py; its records carry MANDATE_FORMAT_VERSION
COLUMNS_FILE = "paragraphs.columns.json"
# Every Paragraph field but the text (a slice of its document's text) and the version: derived from the
# model, so a new field is stored without a list to update (tests/test_corpus_store.py round-trips them).
COLUMNS = tuple(name for name in Paragraph.model_fields if name not in ("text", "format_version"))


class CorpusFormatError(ValueError):
    """A corpus file is missing, corrupt, or of another format version."""


def write_corpus(corpus: Corpus, folder: Path, paragraphs_as_columns: bool = False) -> None:
    """The corpus as JSONL; with `paragraphs_as_columns` (an index build) the paragraphs are written once,
    as `paragraphs.columns.json` (write_paragraph_columns), instead of as `paragraphs.jsonl`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write_jsonl(folder / DOCUMENTS_FILE, corpus.documents)
    if paragraphs_as_columns:
        write_paragraph_columns(corpus, folder)
    else:
        _write_jsonl(folder / PARAGRAPHS_FILE, corpus.paragraphs)
    _write_jsonl(folder / SKIPPED_FILE, corpus.skipped)
    _write_jsonl(folder / MANDATES_FILE, corpus.mandates)


def read_mandates(folder: Path) -> list[Mandate]:
    """mandates.jsonl of a folder; [] for a folder written before mandates existed."""
    path = Path(folder) / MANDATES_FILE
    if not path.is_file():
        return []
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = Mandate.model_validate_json(line)
        except ValidationError as exc:
            raise CorpusFormatError(f"{path.name} dòng {number} hỏng: {exc.errors()[0]['msg']}") from exc
        if record.format_version != MANDATE_FORMAT_VERSION:
            raise CorpusFormatError(
                f"{path.name} dòng {number}: định dạng phiên bản {record.format_version}, "
                f"cần {MANDATE_FORMAT_VERSION}; hãy nạp lại"
            )
        out.append(record)
    return out


def read_corpus(folder: Path) -> Corpus:
    folder = Path(folder)
    if (folder / COLUMNS_FILE).is_file():
        return _read_trusted(folder)
    documents = _read_jsonl(folder / DOCUMENTS_FILE, Document)
    paragraphs = _read_jsonl(folder / PARAGRAPHS_FILE, Paragraph)
    skipped_path = folder / SKIPPED_FILE
    skipped = _read_jsonl(skipped_path, SkippedFile) if skipped_path.exists() else []
    return Corpus(documents=documents, paragraphs=paragraphs, skipped=skipped, mandates=read_mandates(folder))


def _write_jsonl(path: Path, records: list[BaseModel]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(record.model_dump_json() + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def _read_jsonl(path: Path, model: type[BaseModel]) -> list:
    if not path.is_file():
        raise CorpusFormatError(f"thiếu tệp {path.name} trong {path.parent}")
    records = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = model.model_validate_json(line)
            except ValidationError as exc:
                raise CorpusFormatError(f"{path.name} dòng {number} hỏng: {exc.errors()[0]['msg']}") from exc
            version = getattr(record, "format_version", FORMAT_VERSION)
            if version != FORMAT_VERSION:
                raise CorpusFormatError(
                    f"{path.name} dòng {number}: định dạng phiên bản {version}, cần {FORMAT_VERSION}; hãy nạp lại"
                )
            records.append(record)
    return records


# -- columns: the fast, trusted form an index build reads back -------------------------------------


class ParagraphTable(Sequence):
    """Paragraphs as columns (`columns[name][i]`); `table[i]` builds the `Paragraph` once, on demand."""

    def __init__(
        self, columns: dict[str, list], documents: dict[str, Document], texts: dict[int, str] | None = None
    ):
        self.columns = columns
        self._documents = documents
        self._texts = texts or {}  # paragraphs whose text is not a slice of their document's text
        self._built: list[Paragraph | None] = [None] * len(columns["paragraph_id"])

    @classmethod
    def of(cls, paragraphs: Sequence[Paragraph]) -> ParagraphTable:
        if isinstance(paragraphs, ParagraphTable):
            return paragraphs
        table = cls({name: [getattr(p, name) for p in paragraphs] for name in COLUMNS}, {})
        table._built = list(paragraphs)
        return table

    def __len__(self) -> int:
        return len(self._built)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = int(i)
        paragraph = self._built[i]
        if paragraph is None:
            c = self.columns
            text = self._texts.get(i)
            if text is None:
                text = self._documents[c["doc_id"][i]].text[c["start"][i] : c["end"][i]]
            paragraph = Paragraph.model_construct(
                text=text, format_version=FORMAT_VERSION, **{name: c[name][i] for name in COLUMNS}
            )
            self._built[i] = paragraph
        return paragraph

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)


def write_paragraph_columns(corpus: Corpus, folder: Path) -> None:
    """`paragraphs.columns.json` beside the JSONL (texts only where they are not document slices)."""
    documents = {d.doc_id: d for d in corpus.documents}
    texts = {}
    for i, p in enumerate(corpus.paragraphs):
        doc = documents.get(p.doc_id)
        if doc is None or doc.text[p.start : p.end] != p.text:
            texts[str(i)] = p.text
    data = {
        "format_version": FORMAT_VERSION,
        "count": len(corpus.paragraphs),
        "columns": {name: [getattr(p, name) for p in corpus.paragraphs] for name in COLUMNS},
        "texts": texts,
    }
    path = Path(folder) / COLUMNS_FILE
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def _read_trusted(folder: Path) -> Corpus:
    """A folder an index build wrote: no per-record validation, paragraphs built lazily."""
    documents = []
    path = folder / DOCUMENTS_FILE
    try:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    record = json.loads(line)
                    if record.get("format_version") != FORMAT_VERSION:
                        raise CorpusFormatError(
                            f"{path.name}: định dạng phiên bản {record.get('format_version')}, "
                            f"cần {FORMAT_VERSION}; hãy nạp lại"
                        )
                    record["references"] = [
                        Reference.model_construct(**r) for r in record.get("references", [])
                    ]
                    documents.append(Document.model_construct(**record))
        data = json.loads((folder / COLUMNS_FILE).read_text(encoding="utf-8"))
        columns, count = data["columns"], data["count"]
        by_id = {d.doc_id: d for d in documents}
        texts = {int(i): t for i, t in data["texts"].items()}
        if data["format_version"] != FORMAT_VERSION or any(len(columns[name]) != count for name in COLUMNS):
            raise CorpusFormatError(
                f"{COLUMNS_FILE} trong {folder} không khớp định dạng {FORMAT_VERSION}; hãy nạp lại"
            )
        if not set(columns["doc_id"]) <= by_id.keys() and any(
            columns["doc_id"][i] not in by_id and i not in texts for i in range(count)
        ):
            raise CorpusFormatError(f"{COLUMNS_FILE} trong {folder} nhắc tới văn bản không có; hãy nạp lại")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        if isinstance(exc, CorpusFormatError):
            raise
        raise CorpusFormatError(f"{folder} hỏng: {exc}") from exc
    skipped_path = folder / SKIPPED_FILE
    skipped = _read_jsonl(skipped_path, SkippedFile) if skipped_path.exists() else []
    return Corpus.model_construct(
        documents=documents,
        paragraphs=ParagraphTable(columns, by_id, texts),
        skipped=skipped,
        mandates=read_mandates(folder),
    )
