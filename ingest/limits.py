"""Bounds on what one input file may cost: text size, a .docx's unpacked XML, paragraph length.

Consumed by the readers and the pipeline (`ingest_paths(..., limits=...)`); the CLI and the app build
it from `Settings` (`TRACUU_MAX_FILE_MB`). A file over a bound is skipped with the reason, so one
pathological file never costs the whole ingest its memory or its time.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class IngestLimits:
    max_text_bytes: int = 20 * MB  # text of one document (a .txt, an HTML page's text, one JSONL record)
    # Markup costs several bytes a character; a raw file bigger than this is refused before it is read.
    max_raw_factor: int = 5
    # Unpacked size of a .docx's XML parts: a real 300-page report has ~10 MB; a zip bomb has far more.
    max_docx_xml_bytes: int = 40 * MB

    @property
    def max_raw_bytes(self) -> int:
        return self.max_text_bytes * self.max_raw_factor

    @classmethod
    def from_megabytes(cls, max_file_mb: float) -> IngestLimits:
        return cls(max_text_bytes=int(max_file_mb * MB))


def megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB"
