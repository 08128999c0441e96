"""The one error type of ingest: a file (or part of one) that cannot be read, with a user-facing reason."""

from __future__ import annotations


class ReadError(Exception):
    """Raised by readers; the pipeline records it as a SkippedFile and goes on with other files."""

    @property
    def reason(self) -> str:
        return str(self)
