"""Write and read a `Corpus` as inspectable JSONL (one pydantic record per line, pickle-free).

Consumes a `Corpus` and a folder; produces `documents.jsonl`, `paragraphs.jsonl` and
`skipped.jsonl` in it (each file written to a temporary name and renamed, so a crash never leaves
a half-written file), and reads them back. Every record carries `format_version`; a record of
another version is refused with a clear error instead of being misread.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ingest.models import FORMAT_VERSION, Corpus, Document, Paragraph, SkippedFile

DOCUMENTS_FILE = "documents.jsonl"
PARAGRAPHS_FILE = "paragraphs.jsonl"
SKIPPED_FILE = "skipped.jsonl"


class CorpusFormatError(ValueError):
    """A corpus file is missing, corrupt, or of another format version."""


def write_corpus(corpus: Corpus, folder: Path) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write_jsonl(folder / DOCUMENTS_FILE, corpus.documents)
    _write_jsonl(folder / PARAGRAPHS_FILE, corpus.paragraphs)
    _write_jsonl(folder / SKIPPED_FILE, corpus.skipped)


def read_corpus(folder: Path) -> Corpus:
    folder = Path(folder)
    documents = _read_jsonl(folder / DOCUMENTS_FILE, Document)
    paragraphs = _read_jsonl(folder / PARAGRAPHS_FILE, Paragraph)
    skipped_path = folder / SKIPPED_FILE
    skipped = _read_jsonl(skipped_path, SkippedFile) if skipped_path.exists() else []
    return Corpus(documents=documents, paragraphs=paragraphs, skipped=skipped)


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
