"""ingest: raw files (.txt .md .html .docx .pdf .jsonl) -> clean, structured, cited paragraphs.

Consumes paths given on the command line; produces a `Corpus` (see `ingest.models`).
"""
