"""Units: cleaned blocks -> the future paragraphs, cut where a paragraph ends.

Consumes `clean.Block`s (lines grouped by blank lines); produces `Unit`s. A numbered item, a bullet, a
layout line (motto, "Số:", place and date, signature title, "Nơi nhận", "Kính gửi") or a line after a
sentence's end starts a new unit; a unit never grows past MAX_PARAGRAPH_CHARS. ingest.structure then
gives each unit its kind, section and layout role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.clean import Block, fold_line, is_all_caps, is_motto, is_sentence_end, is_signature_title
from ingest.dates import PLACE_DATE
from ingest.sections import numbering

NUMBER_LINE = re.compile(r"^số\s*:?\s*(?P<number>\d+[\w\-/.Đđ]*)", re.I)
BULLET = re.compile(r"^[-+•–]\s*")
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
    if len(line.split()) <= 8 and NUMBER_LINE.match(line):
        return "number"
    if len(line.split()) <= 20 and PLACE_DATE.match(line):
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
                        or bool(BULLET.match(line))
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
