"""Stable, URL-safe identifiers for documents and paragraphs.

Consumes a file name (or a given id) and paragraph texts. A document id is a slug of the file name in
[a-z0-9-] (a name is an identifier, never metadata), or the id given in JSONL or a sidecar, kept
exactly (URLs percent-encode it); a paragraph id, always in [a-z0-9-], is the document's slug prefix
+ a short hash of the paragraph's normalized text + an occurrence
counter, so the same file ingested twice gives the same ids, and editing one paragraph changes
only that paragraph's id.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container

from ingest.normalize import fold_accents, normalize

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 80


def slugify(name: str) -> str:
    """'Kết luận 44-KL/TW (bản cổng).txt' -> 'ket-luan-44-kl-tw-ban-cong-txt'; never empty."""
    slug = _NOT_SLUG.sub("-", fold_accents(name)).strip("-")
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rstrip("-")
    return slug or "doc-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def unique_doc_id(base: str, source_key: str, taken: Container[str]) -> str:
    """`base`, or base + a hash of the source path when another document already has it."""
    if base not in taken:
        return base
    candidate = f"{base}-{hashlib.sha1(source_key.encode('utf-8')).hexdigest()[:6]}"
    counter = 2
    while candidate in taken:
        candidate = f"{base}-{hashlib.sha1(source_key.encode('utf-8')).hexdigest()[:6]}-{counter}"
        counter += 1
    return candidate


def paragraph_prefix(doc_id: str) -> str:
    """What paragraph ids of `doc_id` begin with: the id itself when it is a slug, else its slug and a
    hash of it (a given id such as "Luật Phòng, chống ma túy|1"), so anchors stay URL- and HTML-safe."""
    slug = slugify(doc_id)
    if slug == doc_id:
        return doc_id
    return f"{slug}-{hashlib.sha1(doc_id.encode('utf-8')).hexdigest()[:6]}"


def paragraph_ids(doc_id: str, texts: list[str]) -> list[str]:
    """One id per paragraph: prefix-<8 hex of normalized text>[-n for the n-th repeat]; `doc_id` is
    the `paragraph_prefix` of the document."""
    seen: dict[str, int] = {}
    ids = []
    for text in texts:
        digest = hashlib.sha1(normalize(" ".join(text.split())).encode("utf-8")).hexdigest()[:8]
        seen[digest] = seen.get(digest, 0) + 1
        ids.append(f"{doc_id}-{digest}" + (f"-{seen[digest]}" if seen[digest] > 1 else ""))
    return ids
