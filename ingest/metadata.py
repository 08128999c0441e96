"""Document metadata from the document's own content, then given values, then other documents.

Consumes a `structure.Structured` document and the metadata given with it (JSONL fields or a
`<file>.meta.json` sidecar); produces the metadata fields of a `Document` plus, per field, where
the value came from ("content", "jsonl", "sidecar"). Nothing is read from the file name.
`fill_from_references()` later completes documents that lack their number or date from other
documents' citations of them ("reference:<doc_id>#<paragraph_id>").

Issuer rule (general, in order): (1) the body named in the type heading ("KẾT LUẬN CỦA BAN BÍ
THƯ" -> Ban Bí thư), because that line states who concludes/directs; (2) the issuing organ of the
header block: the header names the superior organ first and the issuing organ last ("LIÊN ĐOÀN LAO
ĐỘNG TÂY NINH / LIÊN ĐOÀN LAO ĐỘNG HUYỆN ..." -> the latter; a line starting with a place word
continues the line above); (3) the collective body of the signature ("T/M BAN BÍ THƯ"). The header
"BAN CHẤP HÀNH TRUNG ƯƠNG" of a conclusion of the Ban Bí thư is the Party's letterhead, so the
type heading (1) wins over it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.dates import parse_date
from ingest.doctypes import NEWS_TYPE, type_from_heading, type_from_number
from ingest.normalize import fold_accents
from ingest.orgnames import org_case, readable_title
from ingest.structure import Structured

FIELDS = ("number", "doc_type", "title", "issuer", "date", "signer", "place", "source_name")
GIVEN_KEYS = {
    "number": "number",
    "type": "doc_type",
    "title": "title",
    "issuer": "issuer",
    "date": "date",
    "signer": "signer",
    "place": "place",
    "source": "source_name",
}
_PLACE_WORDS = ("tinh", "huyen", "xa", "thanh pho", "quan", "phuong", "thi xa", "thi tran", "trung uong")
_SIGNATURE_BODY = re.compile(r"^(?:T/M|TM\.?|THAY MẶT)\s+(?P<body>.+)$", re.I)


@dataclass
class Metadata:
    values: dict[str, str | None] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    # every name the content gives the issuing body (heading, header organ, signature body, and the
    # signature body within the organ: "Ban Thường vụ Tỉnh ủy Hà Tĩnh"); citations may use any of them
    issuer_aliases: list[str] = field(default_factory=list)

    def set(self, name: str, value: str | None, source: str) -> None:
        if value:
            self.values[name] = value
            self.sources[name] = source


def issuer_from_heading(type_heading: str | None) -> str | None:
    if not type_heading:
        return None
    match = re.search(r"\bCỦA\s+(.+)$", " ".join(type_heading.split()), re.I)
    return org_case(match.group(1)) if match else None


def issuer_from_header(lines: list[str]) -> str | None:
    """The issuing organ: the last organ of the header block (continuation lines start with a place word)."""
    organs: list[str] = []
    for line in lines:
        line = line.strip(" -–")
        if not line:
            continue
        folded = fold_accents(line)
        starts_with_place = any(re.match(rf"{word} (?!uy\b)", folded) for word in _PLACE_WORDS)
        if organs and starts_with_place:  # "HUYỆN DƯƠNG MINH CHÂU" continues; "HUYỆN ỦY ..." is an organ
            organs[-1] = f"{organs[-1]} {line}"
        else:
            organs.append(line)
    return org_case(organs[-1]) if organs else None


def issuer_from_signature(signature_title: str | None) -> str | None:
    if not signature_title:
        return None
    match = _SIGNATURE_BODY.match(signature_title.strip())
    return org_case(match.group("body")) if match else None


def content_metadata(doc: Structured) -> Metadata:
    meta = Metadata()
    part = doc.parts[0]
    if not doc.is_administrative:
        # an article shows itself by a dateline, a source line or byline, or photo captions;
        # other plain texts (a note, a JSONL record without type) get no type rather than a wrong one
        if any(u.role in ("dateline", "source", "byline") or u.kind == "caption" for u in doc.units):
            meta.set("doc_type", NEWS_TYPE, "content")
        meta.set("title", part.title, "content")
        meta.set("date", part.date, "content")
        source = next((u.flat for u in doc.units if u.role == "source"), None)
        if source:
            name = re.sub(r"^(theo|nguồn)\s*:?\s*", "", source, flags=re.I).strip(" \"“”'.")
            meta.set("source_name", name, "content")
        return meta
    meta.set("number", part.number, "content")
    meta.set("doc_type", part.doc_type or type_from_number(part.number), "content")
    if part.title:
        title = readable_title(part.title)
        title = title[:1].upper() + title[1:]
        meta.set("title", title, "content")
    meta.set("date", part.date, "content")
    meta.set("place", part.place, "content")
    meta.set("signer", part.signer, "content")
    heading, header, signature = (
        issuer_from_heading(part.type_heading),
        issuer_from_header(part.issuer_lines),
        issuer_from_signature(part.signature_title),
    )
    meta.set("issuer", heading or header or signature, "content")
    meta.issuer_aliases = [name for name in (heading, header, signature) if name]
    if header and signature and not header.lower().startswith(signature.lower()):
        meta.issuer_aliases.append(f"{signature} {header}")
    return meta


def apply_given(meta: Metadata, given: dict[str, str], source: str) -> None:
    """Values given in JSONL or a sidecar file win over what the content says."""
    for key, name in GIVEN_KEYS.items():
        value = given.get(key)
        if not value:
            continue
        if name == "date":
            value = parse_date(value)  # an unreadable date is left out rather than stored as non-ISO
        elif name == "doc_type":
            value = type_from_heading(value) or value  # "kết luận" -> "Kết luận"
        meta.set(name, value, source)
