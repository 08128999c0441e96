"""Fill a document's missing number/date/issuer from other documents' citations of it.

Consumes the corpus documents (with references found); sets the missing fields of a document from
a reference in ANOTHER document whose type equals the document's type, whose issuer names the same
body (when both are known), and whose quoted trích yếu covers the document's own title. Each value
filled records its origin in `metadata_sources` as "reference:<doc_id>#<paragraph_id>".
"""

from __future__ import annotations

from ingest.access_level import opens_to
from ingest.models import Document, Reference
from ingest.numbers import number_key
from ingest.orgnames import same_body
from ingest.reference_links import MIN_TITLE_COVERAGE, title_coverage


def _matches(document: Document, reference: Reference, aliases: list[str]) -> float:
    if not reference.number or reference.doc_type != document.doc_type:
        return 0.0
    if document.number:  # a numbered document is cited by its number; the title then only confirms
        return 1.0 if number_key(document.number) == number_key(reference.number) else 0.0
    names = [document.issuer, *aliases] if document.issuer else aliases
    if names and reference.issuer and not any(same_body(name, reference.issuer) for name in names):
        return 0.0
    coverage = title_coverage(document.title, reference.title)
    return coverage if coverage >= MIN_TITLE_COVERAGE else 0.0


def fill_from_references(
    documents: list[Document], issuer_aliases: dict[str, list[str]] | None = None
) -> None:
    """`issuer_aliases`: other names the content gives each document's issuer (doc_id -> names)."""
    issuer_aliases = issuer_aliases or {}
    for document in documents:
        missing = [f for f in ("number", "date", "issuer") if not getattr(document, f)]
        if not missing or not (document.title or document.number):
            continue
        candidates: list[tuple[float, int, Document, Reference]] = []
        for other in documents:
            if other.doc_id == document.doc_id or not opens_to(other.access, document.access):
                continue  # a value cited in a document some of this one's readers may not read
            for reference in other.references:
                score = _matches(document, reference, issuer_aliases.get(document.doc_id, []))
                if score:
                    # prefer complete citations (with a date and an issuer), then the best title match
                    completeness = bool(reference.date) + bool(reference.issuer)
                    candidates.append((score, completeness, other, reference))
        if not candidates:
            continue
        candidates.sort(key=lambda c: (-c[1], -c[0], c[2].doc_id))
        for field in missing:
            for _score, _complete, other, reference in candidates:
                value = getattr(reference, field)
                if value:
                    setattr(document, field, value)
                    document.metadata_sources[field] = f"reference:{other.doc_id}#{reference.paragraph_id}"
                    break
