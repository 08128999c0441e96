"""What a reader produces: `RawDocument`s (text + the metadata given with it) and the parts skipped.

Consumed by ingest.pipeline; produced by ingest.readers (files) and ingest.given (JSONL records).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.limits import megabytes
from ingest.models import AccessLevel, SkippedFile


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
    access: AccessLevel | None = None  # given in a JSONL record (ingest.access_level); None: not given


@dataclass
class ReadResult:
    documents: list[RawDocument] = field(default_factory=list)
    problems: list[SkippedFile] = field(default_factory=list)


def too_big(size: int, limit: int) -> str:
    return (
        f"tệp quá lớn ({megabytes(size)} > giới hạn {megabytes(limit)}); "
        "tăng TRACUU_MAX_FILE_MB hoặc chia nhỏ tệp"
    )
