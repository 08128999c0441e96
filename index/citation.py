"""The citation of a paragraph, built only here: pages, exports, the CLI and the API show it.

Consumes a `Document` and one of its `Paragraph`s; produces `Citation` (index.types) with the office-form
label "Kết luận số 44-KL/TW ngày 22/01/2019 của Ban Bí thư về ..., mục 2.3" and the paragraph's link.
Changing how a paragraph is cited is a change to this file (and its tests) alone.
"""

from __future__ import annotations

from index.types import Citation, paragraph_url
from ingest.dates import dmy
from ingest.models import Document, Paragraph

UNKNOWN_DATE = "chưa rõ ngày ban hành"


def _about(title: str) -> str:
    """A title as it follows "về" in a citation: "Về việc X" -> "việc X", "Tăng cường X" -> "tăng cường X"."""
    title = " ".join(title.split()).rstrip(".;,")
    words = title.split(" ", 1)
    if words[0].casefold() == "về":
        title = words[1] if len(words) > 1 else ""
    first = title.split(" ", 1)[0]
    if len(first) > 1 and first[1:].islower():  # "Tăng" -> "tăng", but "UBND", "ANTT" stay
        title = title[0].lower() + title[1:]
    return title


def citation_label(doc: Document, section: str) -> str:
    """The office form of a citation, built only here (Citation.label; pages, exports and the CLI show it):
    "Kết luận số 44-KL/TW ngày 22/01/2019 của Ban Bí thư về việc ..., mục 2.3". A document without a
    number (a news item) is named by its type and title, with its source and date in brackets; an unknown
    date is said ("chưa rõ ngày ban hành"), never left out."""
    date = dmy(doc.date)
    when = f"ngày {date}" if date else f"({UNKNOWN_DATE})"
    if doc.number:
        head = f"{doc.doc_type} số {doc.number}" if doc.doc_type else f"Văn bản số {doc.number}"
        parts = [head, when] + ([f"của {doc.issuer}"] if doc.issuer else [])
        if doc.title and _about(doc.title):
            parts.append(f"về {_about(doc.title)}")
        label = " ".join(parts)
    else:
        source = (
            doc.source_name
            or doc.issuer
            or ("tệp " + doc.source_path.replace("\\", "/").rsplit("/", 1)[-1] if doc.source_path else None)
        )
        known = [f"nguồn: {source}" if source else "chưa rõ nguồn", date or UNKNOWN_DATE]
        title = f"“{doc.title}”" if doc.title else doc.doc_id
        label = f"{doc.doc_type} {title}" if doc.doc_type else title
        label = f"{label} ({', '.join(known)})"
    return f"{label}, mục {section}" if section else label


def make_citation(document: Document, paragraph: Paragraph) -> Citation:
    return Citation(
        doc_id=document.doc_id,
        doc_number=document.number,
        doc_type=document.doc_type,
        doc_title=document.title,
        issuer=document.issuer,
        date=document.date,
        section=paragraph.section,
        paragraph_id=paragraph.paragraph_id,
        url=paragraph_url(document.doc_id, paragraph.paragraph_id),
        label=citation_label(document, paragraph.section),
    )
