"""Near-duplicate paragraphs across documents -> one canonical paragraph.

Consumes all paragraphs of the corpus plus, per paragraph, the number of the document part it
stands in (a letter may attach another document's full text); produces `attached_number` on the
paragraphs of such an attached text (mark_attached_copies) and `canonical_id` on each non-canonical
copy, pointing at the canonical one (the canonical paragraph keeps None).

Similarity: Jaccard of word 3-gram shingles of the accent-folded text (robust to tone-mark
placement, OCR slips such as "thể trận"/"thế trận", and punctuation), candidates found through an
inverted index of shingles (stock phrases left out) so the cost stays near-linear. Near-duplicates must
also write the same numbers and list marker: "từ 10 năm đến 15 năm" and "từ 05 năm đến 10 năm", or
clause "2." and clause "3.", differ by few shingles but are different provisions, and a copy keeps
them (without this, the clauses of a penal code chained into groups of hundreds;
docs/decisions/0017-near-duplicates.md). Canonical copy, by rule: the copy that stands in the document
that IS that text (its part number equals its document's number) over a copy attached to another
document; then the copy with fewer OCR-suspect differences is not known,
so the tie is broken by document id for stability.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ingest.models import Paragraph
from ingest.normalize import fold_accents
from ingest.numbers import number_key

THRESHOLD = 0.6  # Jaccard of 3-gram shingles; OCR'd copies of the same paragraph score 0.75-1.0
MIN_WORDS = 8
MAX_POSTING = 200  # shingles in more paragraphs than this only find candidates through rarer ones
SKIP_KINDS = {"header", "signature", "recipients"}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold_accents(text))


def _shingles(words: list[str], size: int = 3) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + size]) for i in range(max(0, len(words) - size + 1))}


LIST_MARKER = re.compile(r"^\s*\(?([^\W\d_]{1,2}|\d+(?:\.\d+)*)[.)]")


def numbers_and_marker(text: str) -> tuple[str, ...]:
    """The list marker a paragraph starts with ("2.", "k)", "2.3.") and every number it writes, in order."""
    marker = LIST_MARKER.match(fold_accents(text))
    return (marker.group(1) if marker else "", *re.findall(r"\d+", text))


def mark_attached_copies(
    paragraphs: list[Paragraph], part_numbers: dict[str, str | None], doc_numbers: dict[str, str | None]
) -> None:
    """Set `attached_number` on paragraphs that stand in another document's attached text (their part's
    number is not their document's): the one place this is decided; duplicate linking reads it."""
    for paragraph in paragraphs:
        part = number_key(part_numbers.get(paragraph.paragraph_id))
        if part and part != number_key(doc_numbers.get(paragraph.doc_id)):
            paragraph.attached_number = part_numbers[paragraph.paragraph_id]


def link_duplicates(paragraphs: list[Paragraph], doc_numbers: dict[str, str | None]) -> int:
    """Set canonical_id on near-duplicate copies (after mark_attached_copies); returns how many were linked."""
    eligible = [p for p in paragraphs if p.kind not in SKIP_KINDS and len(p.text.split()) >= MIN_WORDS]
    parent: dict[str, str] = {}

    def find(pid: str) -> str:
        while parent.get(pid, pid) != pid:
            parent[pid] = parent.get(parent[pid], parent[pid])
            pid = parent[pid]
        return pid

    # exact copies (after folding) are grouped by key first, so near-duplicate search runs once per text
    representatives: dict[str, Paragraph] = {}
    grams: dict[str, set[tuple[str, ...]]] = {}
    numbers: dict[str, tuple[str, ...]] = {}
    for paragraph in eligible:
        words = _words(paragraph.text)
        first = representatives.setdefault(" ".join(words), paragraph)
        if first is paragraph:
            grams[paragraph.paragraph_id] = _shingles(words)
            numbers[paragraph.paragraph_id] = numbers_and_marker(paragraph.text)
        else:
            parent[find(paragraph.paragraph_id)] = find(first.paragraph_id)
    unique = list(representatives.values())
    index: dict[tuple[str, ...], list[Paragraph]] = defaultdict(list)
    for paragraph in unique:
        for gram in grams[paragraph.paragraph_id]:
            index[gram].append(paragraph)
    for paragraph in unique:
        mine = grams[paragraph.paragraph_id]
        candidates: set[str] = set()
        for gram in mine:
            posting = index[gram]
            if len(posting) > MAX_POSTING:  # a stock phrase, shared by too many paragraphs to discriminate
                continue
            candidates.update(o.paragraph_id for o in posting if o.paragraph_id > paragraph.paragraph_id)
        for other_id in candidates:
            if numbers[other_id] != numbers[paragraph.paragraph_id]:
                continue
            other = grams[other_id]
            shared = len(mine & other)
            union = len(mine) + len(other) - shared
            if union and shared / union >= THRESHOLD:
                parent[find(other_id)] = find(paragraph.paragraph_id)
    _link_attachment_lines(paragraphs, doc_numbers)
    groups: dict[str, list[Paragraph]] = defaultdict(list)
    for paragraph in eligible:
        groups[find(paragraph.paragraph_id)].append(paragraph)
    linked = 0
    for members in groups.values():
        if len(members) < 2:
            continue
        canonical = min(members, key=lambda p: (p.attached_number is not None, p.doc_id, p.order))
        for member in members:
            if member.doc_id != canonical.doc_id:  # links go across documents only
                member.canonical_id = canonical.paragraph_id
                linked += 1
    return linked


def _link_attachment_lines(paragraphs: list[Paragraph], doc_numbers: dict[str, str | None]) -> None:
    """Lines of an attached copy (its header, short headings) that the rules above skip as too short:
    an attachment whose number is a corpus document's number is that document, so its paragraphs
    that read the same (accent-folded words) are linked to the document's own."""
    doc_by_number = {number_key(n): d for d, n in doc_numbers.items() if n}
    own_lines: dict[tuple[str, str], Paragraph] = {}
    for paragraph in paragraphs:
        if paragraph.attached_number is None:
            own_lines.setdefault((paragraph.doc_id, " ".join(_words(paragraph.text))), paragraph)
    for paragraph in paragraphs:
        if paragraph.canonical_id or paragraph.attached_number is None:
            continue
        target_doc = doc_by_number.get(number_key(paragraph.attached_number))
        original = own_lines.get((target_doc, " ".join(_words(paragraph.text)))) if target_doc else None
        if original is not None and original.canonical_id is None:
            paragraph.canonical_id = original.paragraph_id
