"""Structure: cleaned blocks -> paragraph units with a kind, a section path and a layout role.

Consumes `clean.Block`s (cut into `units.Unit`s by ingest/units.py); produces a `Structured` document:
the `Unit`s (the future paragraphs) and the `Part`s they belong to. An administrative document is laid out as issuing body, motto, "Số:",
place and date, type + trích yếu, "Kính gửi", body, signature ("T/M", "TM.", "KT." ... and the
signer), "Nơi nhận". A letter may attach another document after its signature; the attachment's
own header starts a new part, whose section numbering starts afresh. A news article has a headline,
maybe a dateline, body paragraphs, photo captions and a source line.

Section paths follow the numbering of headings (ingest/sections.py: "3-" under "II-" is "II.3");
paragraphs without a number inherit the section of the heading above them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.captions import mark_captions
from ingest.clean import (
    Block,
    fold_line,
    is_all_caps,
    is_motto,
    is_sentence_end,
    is_signature_title,
    looks_like_name,
)
from ingest.dates import PLACE_DATE, iso_from_match, numeric_date
from ingest.doctypes import LETTER_TYPE, type_from_heading
from ingest.sections import SectionPath, numbering
from ingest.signature import consume_signature
from ingest.units import BULLET, NUMBER_LINE, Unit, split_units

_DATELINE = re.compile(numeric_date(named=True))  # a news article's "22/01/2019" under its headline


@dataclass
class Part:
    """One document inside a file: the file's own, or one attached after its signature."""

    start: int  # index of its first unit
    number: str | None = None
    doc_type: str | None = None
    type_heading: str | None = None
    title: str | None = None
    issuer_lines: list[str] = field(default_factory=list)
    place: str | None = None
    date: str | None = None  # ISO
    signature_title: str | None = None
    signer: str | None = None


@dataclass
class Structured:
    units: list[Unit]
    parts: list[Part]
    is_administrative: bool


def _header_role(unit: Unit, after_type: bool, titled: bool = False) -> str | None:
    text = unit.flat
    folded = fold_line(text)
    words = len(text.split())
    if any(is_motto(line) for line in unit.lines):
        return "motto"
    if words <= 8 and NUMBER_LINE.match(text):
        return "number"
    if words <= 20 and PLACE_DATE.match(text):
        return "place_date"
    if folded.startswith("kinh gui"):
        return "addressee"
    if (
        folded.startswith("v/v")
        or after_type
        and (
            folded.startswith("ve ")
            or is_all_caps(text)
            or words <= 50
            and not numbering(text)
            and not text.rstrip().endswith((".", ":", ";"))
        )
    ):
        return "title"
    doc_type = type_from_heading(text)
    if doc_type and (is_all_caps(text) and words <= 40 or fold_line(text) == fold_line(doc_type)):
        return "type_heading"
    if is_all_caps(text) and words <= 20 and not numbering(text) and not titled:
        return "issuer"
    return None


def _is_administrative(units: list[Unit]) -> bool:
    for unit in units[:10]:
        role = _header_role(unit, after_type=False)
        if role in ("motto", "number", "type_heading") or fold_line(unit.flat).startswith("v/v"):
            return True
    return False


_KIND_OF_ROLE = {
    "motto": "header",
    "number": "header",
    "place_date": "header",
    "addressee": "header",
    "issuer": "header",
    "type_heading": "heading",
    "title": "heading",
}


def structure(blocks: list[Block]) -> Structured:
    units = split_units(blocks)
    if not units:
        return Structured([], [Part(0)], False)
    if not _is_administrative(units):
        return _structure_news(units)
    parts = [Part(0)]
    state = "head"
    after_type = False
    stack = SectionPath()
    i = 0
    while i < len(units):
        unit = units[i]
        part = parts[-1]
        titled = bool(part.title or part.type_heading) and state == "head"
        role = _header_role(unit, after_type, titled) if state in ("head", "after_signature") else None
        if state == "after_signature" and role in ("number", "place_date", "type_heading", "motto"):
            parts.append(Part(i))
            part = parts[-1]
            stack = SectionPath()
            state = "head"
        if state == "head" and role:
            unit.role, unit.kind = role, _KIND_OF_ROLE[role]
            _record_header(part, unit, role)
            after_type = role == "type_heading"
            i += 1
            if role == "addressee":  # "Kính gửi:" followed by its list of addressees
                while i < len(units) and all(BULLET.match(line) for line in units[i].lines):
                    units[i].role, units[i].kind = "addressee", "header"
                    i += 1
            continue
        state = "body" if state == "head" else state
        after_type = False
        folded = fold_line(unit.flat)
        if is_signature_title(unit.lines[0]):
            i = consume_signature(units, i, part)
            state = "after_signature"
            continue
        if folded.startswith("noi nhan"):
            unit.kind, unit.role = "recipients", "recipients"
            i += 1
            while i < len(units) and all(BULLET.match(line) for line in units[i].lines):
                units[i].kind, units[i].role, units[i].part = "recipients", "recipients", len(parts) - 1
                i += 1
            state = "after_signature" if part.signer else "body"
            continue
        if state == "after_signature" and not _is_body_sentence(unit):
            unit.kind = "header"
            i += 1
            continue
        state = "body"
        _assign_section(unit, stack)
        i += 1
    for index, part in enumerate(parts):
        end = parts[index + 1].start if index + 1 < len(parts) else len(units)
        for unit in units[part.start : end]:
            unit.part = index
    return Structured(units, parts, True)


def _is_body_sentence(unit: Unit) -> bool:
    return len(unit.flat.split()) >= 8 or numbering(unit.flat) is not None


def _assign_section(unit: Unit, stack: SectionPath) -> None:
    marker = numbering(unit.flat)
    if marker:
        _style, rank, label = marker
        stack.enter(rank, label)
        short = len(unit.flat.split()) <= 20 and (not is_sentence_end(unit.flat) or unit.flat.endswith(":"))
        unit.kind = "heading" if short or is_all_caps(unit.flat) else "body"
    elif is_all_caps(unit.flat) and len(unit.flat.split()) <= 20:
        unit.kind = "heading"
    unit.section = stack.path


def _record_header(part: Part, unit: Unit, role: str) -> None:
    text = unit.flat
    if role == "number" and not part.number:
        part.number = NUMBER_LINE.match(text).group("number").rstrip(".")
    elif role == "place_date" and not part.date:
        match = PLACE_DATE.match(text)
        part.place = match.group("place").strip()
        part.date = iso_from_match(match)
    elif role == "type_heading" and not part.type_heading:
        part.type_heading = text
        part.doc_type = type_from_heading(text)
    elif role == "title" and not part.title:
        part.title = re.sub(r"^v/v\.?\s*", "", text, flags=re.I).strip()
        if fold_line(text).startswith("v/v") and not part.doc_type:
            part.doc_type = LETTER_TYPE
    elif role == "issuer":
        part.issuer_lines.extend(unit.lines)


def _structure_news(units: list[Unit]) -> Structured:
    part = Part(0)
    units[0].kind, units[0].role = "heading", "headline"
    part.title = units[0].flat
    for unit in units[1:4]:
        match = _DATELINE.search(unit.flat)
        if match and len(unit.flat.split()) <= 12:
            unit.kind, unit.role = "header", "dateline"
            part.date = iso_from_match(match)
            break
    for unit in units[1:]:
        if re.match(r"^(theo|nguồn)\b", unit.flat, re.I) and len(unit.flat.split()) <= 15:
            unit.kind, unit.role = "signature", "source"
    for unit in units[-2:]:  # the author's byline closes an article ("Minh Anh", "Nguyễn Văn A - Hà Tĩnh")
        if (
            unit.kind == "body"
            and looks_like_name(unit.flat.split(" - ")[0])
            and not is_sentence_end(unit.flat)
        ):
            unit.kind, unit.role = "signature", "byline"
    stack = SectionPath()
    for unit in units[1:]:
        if unit.kind == "body":
            _assign_section(unit, stack)
    mark_captions(units)
    return Structured(units, [part], False)
