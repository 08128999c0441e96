"""Structure: cleaned blocks -> paragraph units with a kind, a section path and a layout role.

Consumes `clean.Block`s; produces a `Structured` document: `Unit`s (the future paragraphs) and the
`Part`s they belong to. An administrative document is laid out as issuing body, motto, "Số:",
place and date, type + trích yếu, "Kính gửi", body, signature ("T/M", "TM.", "KT." ... and the
signer), "Nơi nhận". A letter may attach another document after its signature; the attachment's
own header starts a new part, whose section numbering starts afresh. A news article has a headline,
maybe a dateline, body paragraphs, photo captions and a source line.

Section paths follow the numbering of headings with a fixed rank (Chương/Phần > I. > Điều > 1. >
a)); "2.1." sets the arabic level directly, so "2.3." under nothing is "2.3" and "3-" under "II-"
is "II.3". Paragraphs without a number inherit the section of the heading above them.
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
from ingest.doctypes import type_from_heading
from ingest.signature import consume_signature

_MARKERS = [
    ("chapter", 0, re.compile(r"^(?P<label>(?:Chương|CHƯƠNG|Phần|PHẦN|Mục|MỤC)\s+[IVXLC\d]+)\b[.:\-–]?\s*")),
    ("roman", 1, re.compile(r"^(?P<label>[IVXL]{1,6})\s*[.\-–)]\s+")),
    ("article", 2, re.compile(r"^(?P<label>(?:Điều|ĐIỀU)\s+\d{1,3})\s*[.:]?\s+")),
    ("arabic", 3, re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?=\D)")),
    ("arabic", 3, re.compile(r"^(?P<label>\d{1,2})\s*[.\-–)]\s+(?=\D)")),
    ("letter", 4, re.compile(r"^(?P<label>[a-zđ])\)\s+")),
]
_NUMBER_LINE = re.compile(r"^số\s*:?\s*(?P<number>\d+[\w\-/.Đđ]*)", re.I)
_PLACE_DATE = re.compile(
    r"^(?P<place>[^,\d]{2,60}),\s*ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})", re.I
)
_BULLET = re.compile(r"^[-+•–]\s*")
# A paragraph longer than this is cut at a line break, a line longer than this at a space: text without
# sentence punctuation (a list of 100,000 short lines) must not become one paragraph or one embedded unit.
MAX_PARAGRAPH_CHARS = 4000


@dataclass
class Unit:
    lines: list[str]
    indent: int = 0
    kind: str = "body"
    section: str = ""
    role: str = ""  # layout role: motto, number, place_date, issuer, type_heading, title, addressee, ...
    part: int = 0

    @property
    def text(self) -> str:
        joiner = "\n" if self.kind in ("header", "signature", "recipients") else " "
        return joiner.join(self.lines)

    @property
    def flat(self) -> str:
        return " ".join(self.lines)


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


def numbering(text: str) -> tuple[str, int, str] | None:
    """(style, rank, label) of a numbered heading/paragraph, or None."""
    for style, rank, pattern in _MARKERS:
        match = pattern.match(text)
        if match:
            return style, rank, match.group("label")
    return None


def _line_category(line: str) -> str | None:
    """Layout lines that always start their own unit, even inside a block without blank lines."""
    folded = fold_line(line)
    if is_motto(line):
        return "motto"
    if is_signature_title(line):
        return "signature"
    if folded.startswith("noi nhan"):
        return "recipients"
    if folded.startswith("kinh gui"):
        return "addressee"
    if len(line.split()) <= 8 and _NUMBER_LINE.match(line):
        return "number"
    if len(line.split()) <= 20 and _PLACE_DATE.match(line):
        return "place_date"
    return None


_CONTINUES = {
    "signature": lambda line: True,
    "recipients": lambda line: True,
    "addressee": lambda line: True,
    "motto": lambda line: False,
    "number": lambda line: False,
    "place_date": lambda line: False,
}


def split_units(blocks: list[Block]) -> list[Unit]:
    """Blocks -> units: numbered items, bullets, layout lines and sentences ending a line start a new one."""
    units: list[Unit] = []
    for block in blocks:
        current: list[str] = []
        size = 0
        mode: str | None = None
        for line in _bounded_lines(block.lines):
            category = _line_category(line)
            if current and size + len(line) > MAX_PARAGRAPH_CHARS:
                units.append(Unit(current, block.indent))
                current, size = [], 0
            if current:
                prev = current[-1]
                if mode is not None:
                    starts_new = (
                        category not in (None, mode) or category is None and not _CONTINUES[mode](line)
                    )
                else:
                    starts_new = (
                        category is not None
                        or numbering(line) is not None
                        or bool(_BULLET.match(line))
                        or (is_all_caps(prev) and not is_all_caps(line))
                        or (is_sentence_end(prev) and line[:1].isupper())
                    )
                if starts_new:
                    units.append(Unit(current, block.indent))
                    current, size = [], 0
            if not current:
                mode = category
            current.append(line)
            size += len(line) + 1
        units.append(Unit(current, block.indent))
    return units


def _bounded_lines(lines: list[str]):
    """The lines, with any line over MAX_PARAGRAPH_CHARS cut at the last space before the bound."""
    for line in lines:
        while len(line) > MAX_PARAGRAPH_CHARS:
            cut = line.rfind(" ", 0, MAX_PARAGRAPH_CHARS)
            cut = cut if cut > 0 else MAX_PARAGRAPH_CHARS
            yield line[:cut]
            line = line[cut:].lstrip()
        if line:
            yield line


def _date_iso(d: str, m: str, y: str) -> str | None:
    day, month, year = int(d), int(m), int(y)
    if 1 <= day <= 31 and 1 <= month <= 12 and 1900 <= year <= 2100:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _header_role(unit: Unit, after_type: bool, titled: bool = False) -> str | None:
    text = unit.flat
    folded = fold_line(text)
    words = len(text.split())
    if any(is_motto(line) for line in unit.lines):
        return "motto"
    if words <= 8 and _NUMBER_LINE.match(text):
        return "number"
    if words <= 20 and _PLACE_DATE.match(text):
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
    stack: list[tuple[int, str]] = []
    i = 0
    while i < len(units):
        unit = units[i]
        part = parts[-1]
        titled = bool(part.title or part.type_heading) and state == "head"
        role = _header_role(unit, after_type, titled) if state in ("head", "after_signature") else None
        if state == "after_signature" and role in ("number", "place_date", "type_heading", "motto"):
            parts.append(Part(i))
            part = parts[-1]
            stack = []
            state = "head"
        if state == "head" and role:
            unit.role, unit.kind = role, _KIND_OF_ROLE[role]
            _record_header(part, unit, role)
            after_type = role == "type_heading"
            i += 1
            if role == "addressee":  # "Kính gửi:" followed by its list of addressees
                while i < len(units) and all(_BULLET.match(line) for line in units[i].lines):
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
            while i < len(units) and all(_BULLET.match(line) for line in units[i].lines):
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


def _assign_section(unit: Unit, stack: list[tuple[int, str]]) -> None:
    marker = numbering(unit.flat)
    if marker:
        _style, rank, label = marker
        while stack and stack[-1][0] >= rank:
            stack.pop()
        stack.append((rank, label))
        short = len(unit.flat.split()) <= 20 and (not is_sentence_end(unit.flat) or unit.flat.endswith(":"))
        unit.kind = "heading" if short or is_all_caps(unit.flat) else "body"
    elif is_all_caps(unit.flat) and len(unit.flat.split()) <= 20:
        unit.kind = "heading"
    labels = [(rank, label) for rank, label in stack]
    articles = [k for k, (rank, _label) in enumerate(labels) if rank == 2]
    if articles:  # "Điều" numbers are unique in a document: "Điều 5.2", not "Chương II.Điều 5.2"
        labels = labels[articles[0] :]
    unit.section = ".".join(label for _rank, label in labels)


def _record_header(part: Part, unit: Unit, role: str) -> None:
    text = unit.flat
    if role == "number" and not part.number:
        part.number = _NUMBER_LINE.match(text).group("number").rstrip(".")
    elif role == "place_date" and not part.date:
        match = _PLACE_DATE.match(text)
        part.place = match.group("place").strip()
        part.date = _date_iso(match.group("d"), match.group("m"), match.group("y"))
    elif role == "type_heading" and not part.type_heading:
        part.type_heading = text
        part.doc_type = type_from_heading(text)
    elif role == "title" and not part.title:
        part.title = re.sub(r"^v/v\.?\s*", "", text, flags=re.I).strip()
        if fold_line(text).startswith("v/v") and not part.doc_type:
            part.doc_type = "Công văn"
    elif role == "issuer":
        part.issuer_lines.extend(unit.lines)


def _structure_news(units: list[Unit]) -> Structured:
    part = Part(0)
    units[0].kind, units[0].role = "heading", "headline"
    part.title = units[0].flat
    for unit in units[1:4]:
        match = re.search(r"(\d{1,2})/(\d{1,2})/(\d{4})", unit.flat)
        if match and len(unit.flat.split()) <= 12:
            unit.kind, unit.role = "header", "dateline"
            part.date = _date_iso(*match.groups())
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
    stack: list[tuple[int, str]] = []
    for unit in units[1:]:
        if unit.kind == "body":
            _assign_section(unit, stack)
    mark_captions(units)
    return Structured(units, [part], False)
